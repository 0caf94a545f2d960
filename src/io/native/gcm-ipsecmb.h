/*
 * gcm-ipsecmb: the intel-ipsec-mb AES-GCM engine of gcm.c (see gcm-ipsecmb.c).
 * Without the library's header at build time (DXIO_HAVE_IPSEC_MB unset) the
 * same functions exist and report the engine missing.
 */
#ifndef DXIO_GCM_IPSECMB_H
#define DXIO_GCM_IPSECMB_H

#include <stddef.h>
#include <stdint.h>

typedef struct dxio_imb_key dxio_imb_key;

/* out and in overlap but do not start together. In place (the same start)
 * and apart are the two layouts both engines define: OpenSSL refuses the
 * other (EVP_EncryptUpdate(3)), and intel-ipsec-mb reads blocks ahead of
 * what it writes. Shared by gcm.c and gcm-ipsecmb.c. */
static inline int dxio_partly_overlapping(const uint8_t *out, const uint8_t *in, size_t len) {
  uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
  return len && o != i && ((o < i && i - o < len) || (i < o && o - i < len));
}

/* What dxio_imb_status reports; strings are static. */
typedef struct {
  int available;       /* the library loaded and answers for this CPU */
  int preferred;       /* available, and it runs AES-NI code (what `crypto: native` picks) */
  const char *version; /* the library's own version string, or NULL */
  const char *arch;    /* the code path init_mb_mgr_auto chose: "sse", "avx", "avx2", "avx512", "no-aesni", or NULL */
  const char *reason;  /* why not available, or NULL */
} dxio_imb_status_t;

/* Loads the library once (dlopen, thread-safe) and says what came of it. */
void dxio_imb_status(dxio_imb_status_t *out);

/* A key expanded once (the library's gcm_key_data); NULL when the engine is
 * not available or memory is short. key_len is 16 or 32 (checked). */
dxio_imb_key *dxio_imb_key_new(const uint8_t *key, size_t key_len);

/* Zeroises the expanded key and frees it; NULL is fine. */
void dxio_imb_key_free(dxio_imb_key *k);

/* As gcm.c's seal_parts: 1 sealed, 0 refused (output partly overlaps an input). */
int dxio_imb_seal2(const dxio_imb_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2,
                   uint8_t *ct, uint8_t *tag);

/* As gcm.c's open_one: 1 verified; 0 the ICV does not verify (pt zeroed);
 * -1 refused (output partly overlaps the input). */
int dxio_imb_open(const dxio_imb_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag, uint8_t *pt);

#endif
