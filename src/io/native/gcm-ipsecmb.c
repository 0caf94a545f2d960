/*
 * gcm-ipsecmb: AES-GCM from intel-ipsec-mb, the second engine of gcm.c.
 *
 * Node 20's OpenSSL 3.0 runs GCM with AES-NI and AVX2 but not with VAES /
 * VPCLMULQDQ (AVX-512), and every frame pays its EVP calls (about 20% of the
 * node's cycles, README "The data path"). intel-ipsec-mb (the library DPDK's
 * crypto drivers use) picks the widest code the CPU has (init_mb_mgr_auto)
 * and takes a whole frame in one call on a key expanded once.
 *
 * Direct GCM API, not the job API: for a batch of 64 frames, AES-256-GCM, one
 * core of this 2-core machine while other work ran (4 runs each, the spread
 * is the load; library 1.3.0, arch avx512): direct 7.4-12.7 M frames/s at 64
 * octets, 4.0-9.5 M at 1500, 0.7-2.0 M at 9000; job API (get_next_job /
 * submit_job / flush_job) 5.3-16.7 M, 2.2-8.4 M, 0.4-1.9 M. The job API was
 * not faster (in 1.3 a GCM job runs the same single-buffer code), and it keeps
 * state in the manager, so it would need one manager per thread; the direct
 * functions read nothing of the manager but their own pointers, so one
 * manager serves every thread, and they have the init/update/finalize form
 * the fast path's two-part seal needs (gcm.c seal_parts).
 *
 * Loading: dlopen("libIPSec_MB.so.1") on first use, so that the addon loads
 * where the library is missing (then this engine reports why it is not
 * available and OpenSSL runs). DXLAB_IPSEC_MB_LIBRARY names another file (a
 * self-built library; the tests use a missing name to see the fallback). The
 * IMB_MGR layout is the header's: the soname's major (1) is the library's ABI,
 * and a library older than the header may lack pointers the header has, so
 * the engine needs a library of the header's major version and at least its
 * version (imb_get_version, intel-ipsec-mb.h).
 *
 * GCM per 802.1AE-2018 14.5/14.7: 12-octet IV (built by the SecY, or for the
 * fast path by fastpath.c, with XPN's SSCI and salt), 16-octet ICV. The
 * library's decrypt computes the tag and leaves the comparison to the caller:
 * constant time here, and a frame that fails has its plaintext zeroed
 * (NIST SP 800-38D 7.2: FAIL returns nothing).
 *
 * Keys: one gcm_key_data per SA (the round keys and the GHASH key powers,
 * IMB_AES*_GCM_PRE), 64-byte aligned, cleared with explicit_bzero before it is
 * freed. The per-frame gcm_context_data (hash state, a keystream block) lives
 * on the stack and is cleared after each frame.
 */
#include "gcm-ipsecmb.h"

#include <stdlib.h>
#include <string.h>

#ifndef DXIO_HAVE_IPSEC_MB

void dxio_imb_status(dxio_imb_status_t *out) {
  memset(out, 0, sizeof *out);
  out->reason = "the addon was built without intel-ipsec-mb (no intel-ipsec-mb.h at build time, or DXLAB_IPSEC_MB=0): install libipsec-mb-dev and run npm rebuild";
}
dxio_imb_key *dxio_imb_key_new(const uint8_t *key, size_t key_len) { return NULL; }
void dxio_imb_key_free(dxio_imb_key *k) {}
int dxio_imb_seal2(const dxio_imb_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2,
                   uint8_t *ct, uint8_t *tag) {
  return 0;
}
int dxio_imb_open(const dxio_imb_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag,
                  uint8_t *pt) {
  return -1;
}

#else

#include <dlfcn.h>
#include <intel-ipsec-mb.h>
#include <pthread.h>
#include <stdio.h>

#define IMB_IV_LEN 12
#define IMB_TAG_LEN 16
#define IMB_LIBRARY "libIPSec_MB.so.1"

/* The library's functions for one key size. */
typedef struct {
  aes_gcm_pre_t pre;
  aes_gcm_enc_dec_t enc, dec;
  aes_gcm_init_t init;
  aes_gcm_enc_dec_update_t enc_update;
  aes_gcm_enc_dec_finalize_t enc_finalize;
} imb_fns;

static struct {
  pthread_once_t once;
  int available, preferred;
  char version[32];
  const char *arch;
  char reason[256];
  imb_fns aes128, aes256;
} lib = {.once = PTHREAD_ONCE_INIT};

struct dxio_imb_key {
  struct gcm_key_data data; /* first: the allocation's 64-byte alignment is its own */
  const imb_fns *fns;
};

static const char *arch_name(IMB_ARCH a) {
  switch (a) {
  case IMB_ARCH_NOAESNI: return "no-aesni";
  case IMB_ARCH_SSE: return "sse";
  case IMB_ARCH_AVX: return "avx";
  case IMB_ARCH_AVX2: return "avx2";
  case IMB_ARCH_AVX512: return "avx512";
  default: return "unknown";
  }
}

static void load(void) {
  const char *name = getenv("DXLAB_IPSEC_MB_LIBRARY");
  if (!name || !*name) name = IMB_LIBRARY;
  /* RTLD_LOCAL: nothing of it is seen by other code; never closed, as the
   * keys and the manager live for the process. */
  void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(lib.reason, sizeof lib.reason, "intel-ipsec-mb not loaded: %s (install libipsec-mb-dev, or the package that ships %s)", e ? e : name, IMB_LIBRARY);
    return;
  }
  unsigned (*get_version)(void) = (unsigned (*)(void))dlsym(h, "imb_get_version");
  const char *(*get_version_str)(void) = (const char *(*)(void))dlsym(h, "imb_get_version_str");
  IMB_MGR *(*alloc_mgr)(uint64_t) = (IMB_MGR * (*)(uint64_t)) dlsym(h, "alloc_mb_mgr");
  void (*init_auto)(IMB_MGR *, IMB_ARCH *) = (void (*)(IMB_MGR *, IMB_ARCH *))dlsym(h, "init_mb_mgr_auto");
  int (*get_errno)(IMB_MGR *) = (int (*)(IMB_MGR *))dlsym(h, "imb_get_errno");
  if (!get_version || !get_version_str || !alloc_mgr || !init_auto || !get_errno) {
    snprintf(lib.reason, sizeof lib.reason, "%s lacks imb_get_version, alloc_mb_mgr or init_mb_mgr_auto (intel-ipsec-mb older than 1.0?)", name);
    return;
  }
  unsigned v = get_version();
  snprintf(lib.version, sizeof lib.version, "%s", get_version_str());
  if ((v >> 16) != (IMB_VERSION_NUM >> 16) || v < IMB_VERSION_NUM) {
    snprintf(lib.reason, sizeof lib.reason, "intel-ipsec-mb %s does not match the %s the addon was built with: rebuild the addon (npm rebuild)", lib.version,
             IMB_VERSION_STR);
    return;
  }
  IMB_MGR *m = alloc_mgr(0);
  if (!m) {
    snprintf(lib.reason, sizeof lib.reason, "intel-ipsec-mb: alloc_mb_mgr failed");
    return;
  }
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_auto(m, &arch);
  int err = get_errno(m);
  if (err || arch <= IMB_ARCH_NONE || arch >= IMB_ARCH_NUM) {
    snprintf(lib.reason, sizeof lib.reason, "intel-ipsec-mb %s: init_mb_mgr_auto found no code path for this CPU (error %d)", lib.version, err);
    return;
  }
  lib.arch = arch_name(arch);
  lib.aes128 = (imb_fns){m->gcm128_pre, m->gcm128_enc, m->gcm128_dec, m->gcm128_init, m->gcm128_enc_update, m->gcm128_enc_finalize};
  lib.aes256 = (imb_fns){m->gcm256_pre, m->gcm256_enc, m->gcm256_dec, m->gcm256_init, m->gcm256_enc_update, m->gcm256_enc_finalize};
  const imb_fns *f[2] = {&lib.aes128, &lib.aes256};
  for (int i = 0; i < 2; i++) {
    if (!f[i]->pre || !f[i]->enc || !f[i]->dec || !f[i]->init || !f[i]->enc_update || !f[i]->enc_finalize) {
      snprintf(lib.reason, sizeof lib.reason, "intel-ipsec-mb %s (%s) has no AES-GCM functions", lib.version, lib.arch);
      return;
    }
  }
  lib.available = 1;
  /* Without AES-NI the library runs AES in software (IMB_ARCH_NOAESNI), as
   * OpenSSL would: then `crypto: native` keeps OpenSSL. */
  lib.preferred = arch != IMB_ARCH_NOAESNI;
}

void dxio_imb_status(dxio_imb_status_t *out) {
  pthread_once(&lib.once, load);
  out->available = lib.available;
  out->preferred = lib.preferred;
  out->version = lib.version[0] ? lib.version : NULL;
  out->arch = lib.arch;
  out->reason = lib.available ? NULL : lib.reason;
}

dxio_imb_key *dxio_imb_key_new(const uint8_t *key, size_t key_len) {
  pthread_once(&lib.once, load);
  if (!lib.available || (key_len != 16 && key_len != 32)) return NULL;
  size_t size = (sizeof(dxio_imb_key) + 63) & ~(size_t)63;
  dxio_imb_key *k = aligned_alloc(64, size);
  if (!k) return NULL;
  memset(k, 0, size);
  k->fns = key_len == 16 ? &lib.aes128 : &lib.aes256;
  k->fns->pre(key, &k->data);
  return k;
}

void dxio_imb_key_free(dxio_imb_key *k) {
  if (!k) return;
  explicit_bzero(k, sizeof *k);
  free(k);
}

/* A pointer the library may take for an empty region (it checks none when
 * built with SAFE_PARAM, but takes no chance on NULL). */
static uint8_t empty[16];
#define NONNULL(p) ((p) ? (p) : empty)

int dxio_imb_seal2(const dxio_imb_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2,
                   uint8_t *ct, uint8_t *tag) {
  if (!k || dxio_partly_overlapping(ct, p1, l1) || dxio_partly_overlapping(ct + l1, p2, l2)) return 0;
  struct gcm_context_data ctx;
  const imb_fns *f = k->fns;
  if (!l1) {
    f->enc(&k->data, &ctx, NONNULL(ct), NONNULL(p2), l2, iv, NONNULL(aad), aad_len, tag, IMB_TAG_LEN);
  } else {
    /* GCM is a stream mode: two updates give the bytes of one over p1 ‖ p2
     * (the library carries a partial block between updates). */
    f->init(&k->data, &ctx, iv, NONNULL(aad), aad_len);
    f->enc_update(&k->data, &ctx, ct, p1, l1);
    if (l2) f->enc_update(&k->data, &ctx, ct + l1, p2, l2);
    f->enc_finalize(&k->data, &ctx, tag, IMB_TAG_LEN);
  }
  explicit_bzero(&ctx, sizeof ctx);
  return 1;
}

int dxio_imb_open(const dxio_imb_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag, uint8_t *pt) {
  if (!k || dxio_partly_overlapping(pt, ct, ct_len)) return -1;
  /* Copied first: the received ICV may lie in the region decrypted in place. */
  uint8_t want[IMB_TAG_LEN], got[IMB_TAG_LEN];
  memcpy(want, tag, IMB_TAG_LEN);
  struct gcm_context_data ctx;
  k->fns->dec(&k->data, &ctx, NONNULL(pt), NONNULL(ct), ct_len, iv, NONNULL(aad), aad_len, got, IMB_TAG_LEN);
  explicit_bzero(&ctx, sizeof ctx);
  /* Constant time: how many octets match must not show in the timing. Two
   * 64-bit words, no branch before the end (a byte loop through a volatile
   * was 1.3% of a node's cycles under TCP in a perf profile, most of
   * dxio_imb_open). */
  uint64_t w[2], g[2];
  memcpy(w, want, IMB_TAG_LEN);
  memcpy(g, got, IMB_TAG_LEN);
  uint64_t diff = (w[0] ^ g[0]) | (w[1] ^ g[1]);
  explicit_bzero(got, sizeof got);
  if (diff == 0) return 1;
  if (ct_len) explicit_bzero(pt, ct_len);
  return 0;
}

#endif
