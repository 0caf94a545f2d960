/*
 * gcm: the fast AES-GCM path of dxlab's data plane (part of the dxio addon).
 *
 * node:crypto creates one cipher object per frame: createCipheriv expands the
 * key, allocates an EVP_CIPHER_CTX and wraps it in JavaScript objects, 2-3 us
 * before the first octet is encrypted (shared/DESIGN.md). Here one SA key is
 * one native object holding two EVP_CIPHER_CTX, one initialised for
 * encryption and one for decryption, each given the key exactly once
 * (EVP_EncryptInit_ex / EVP_DecryptInit_ex with EVP_aes_128_gcm or
 * EVP_aes_256_gcm). Per frame only the IV is set (the same call with NULL
 * cipher and key: OpenSSL keeps the expanded key, EVP_EncryptInit(3)), then
 * AAD, update, final and the tag get/set; the ciphertext or plaintext goes
 * straight into a caller-provided buffer, so a frame allocates nothing.
 *
 * GCM parameters are those of 802.1AE-2018 14.5/14.7: a 12-octet IV (SCI ‖ PN,
 * or for XPN (SSCI ‖ PN64) ⊕ salt, built by the SecY) and a 16-octet ICV
 * (NIST SP 800-38D, t = 128). The caller builds IV and AAD; this file only
 * runs the cipher, so the TypeScript SecY stays the reference for every
 * protocol decision.
 *
 * OpenSSL: the addon links against the libcrypto that the node binary
 * exports (Node bundles OpenSSL statically and exports its symbols; its
 * headers ship under include/node/openssl, first on node-gyp's include path).
 * Nothing is added to the link line, so the addon always uses the very
 * OpenSSL that node:crypto uses, and `gcmInfo().openssl` says which.
 *
 * Keys: OpenSSL keeps the expanded key inside each context;
 * EVP_CIPHER_CTX_free clears it (the provider's freectx uses
 * OPENSSL_clear_free). Contexts are freed by gcmDestroy and, for a key the
 * caller forgot, by the finalizer of its external.
 *
 * A second engine, intel-ipsec-mb (gcm-ipsecmb.c), runs the same calls on
 * keys created with engine "ipsec-mb": a key is one engine's for its life,
 * and every function here (and the fast path, through dxio_gcm_seal2 and
 * dxio_gcm_open) dispatches on it, so the argument checks below serve both.
 *
 * Exports (registered by dxio_gcm_init, called from dxio.c's module init):
 *   gcmCreate(key: Uint8Array(16|32), engine?: "openssl" | "ipsec-mb") -> external
 *   gcmSeal(k, iv(12), aad, plaintext, out, outOffset) -> undefined
 *       writes ciphertext, then the 16-octet ICV, at out[outOffset..]
 *   gcmOpen(k, iv(12), aad, ciphertext, icv(16), out, outOffset) -> boolean
 *       writes the plaintext at out[outOffset..]; false (plaintext zeroed)
 *       when the ICV does not verify
 *   gcmSealBatch(k, src, dst, count, desc: Uint32Array, ivs) -> undefined
 *   gcmOpenBatch(k, src, dst, count, desc: Uint32Array, ivs, ok: Uint8Array) -> verified count
 *       desc holds GCM_BATCH_FIELDS (6) u32 per frame: aadOffset, aadLength,
 *       dataOffset, dataLength (all in src), tagOffset (seal: in dst; open:
 *       in src), outOffset (in dst); ivs holds 12 octets per frame.
 *   gcmDestroy(k) -> undefined (idempotent)
 *   gcmInfo() -> { openssl, batchFields, liveKeys,
 *                  ipsecMb: { available, preferred, version?, arch?, reason? } }
 *
 * Buffers: output may be the very input region (in place) or disjoint from
 * it; a partial overlap is refused here, before either engine runs (OpenSSL
 * 3.0's GCM takes it without a word and neither engine defines the result),
 * and thrown as an error.
 * Arguments are checked on every call (bounds in 64-bit arithmetic): this is
 * C, so a wrong offset from JavaScript must never become a stray write.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "exports.h"
#include "napi-util.h"
#include "gcm-ipsecmb.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/params.h>
#endif

#define GCM_IV_LEN 12
#define GCM_TAG_LEN 16
#define GCM_BATCH_FIELDS 6
/* What one key costs in native memory (two contexts with their provider
 * state, measured order of magnitude), reported to V8 so that keys nobody
 * destroys still make the garbage collector run. */
#define GCM_KEY_EXTERNAL_BYTES 2048

/* First field of every key: an external that is not a GCM key (a dxio
 * socket handle, say) is refused instead of being read as one. */
#define GCM_KEY_MAGIC 0x67636d31u /* "gcm1" */

typedef struct {
  uint32_t magic;
  /* OpenSSL's key: both contexts; intel-ipsec-mb's: imb. One of the two. */
  EVP_CIPHER_CTX *enc;
  EVP_CIPHER_CTX *dec;
  dxio_imb_key *imb;
  int key_len;
  int accounted; /* external memory still reported to V8 */
} gcm_key;

/* Keys whose contexts are allocated, over every environment (workers load
 * the addon too): what gcmInfo().liveKeys reports, so that tests can see a
 * finalizer free a key nobody destroyed. */
static int64_t live_keys;

/* ------------------------------------------------------------------------ */
/* errors                                                                    */

/* An OpenSSL call failed where it cannot for valid input: report it with
 * OpenSSL's reason and leave its error queue empty, so that no stale error
 * surfaces in a later node:crypto call on this thread. */
static napi_value throw_openssl(napi_env env, const char *what) {
  char reason[160] = "no OpenSSL error queued";
  unsigned long e = ERR_get_error();
  if (e) ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  char msg[256];
  snprintf(msg, sizeof msg, "%s failed: %s", what, reason);
  return throw_code(env, "ERR_OPENSSL", msg);
}

/* A seal or open refused: OpenSSL's reason, or for intel-ipsec-mb the one
 * case gcm-ipsecmb.c refuses (its functions fail on nothing else). */
static napi_value throw_engine(napi_env env, const gcm_key *k, const char *what) {
  if (!k->imb) return throw_openssl(env, what);
  char msg[160];
  snprintf(msg, sizeof msg, "%s failed: output partly overlaps input (intel-ipsec-mb)", what);
  return throw_code(env, "ERR_IPSEC_MB", msg);
}

/* ------------------------------------------------------------------------ */
/* arguments                                                                 */

/* Not yet destroyed. */
static int key_live(const gcm_key *k) { return k->enc != NULL || k->imb != NULL; }

/* The open key behind an external. */
static gcm_key *get_key(napi_env env, napi_value v) {
  void *data = external_data(env, v);
  if (!data) {
    throw_type(env, "expected a GCM key from gcmCreate");
    return NULL;
  }
  gcm_key *k = data;
  if (k->magic != GCM_KEY_MAGIC) {
    throw_type(env, "expected a GCM key from gcmCreate");
    return NULL;
  }
  if (!key_live(k)) {
    throw_code(env, "ECLOSED", "the GCM key was destroyed");
    return NULL;
  }
  return k;
}

/* [offset, offset + len) lies within a buffer of `size` octets. */
static int in_bounds(uint64_t offset, uint64_t len, size_t size) {
  return offset <= size && len <= size - offset;
}

/* ------------------------------------------------------------------------ */
/* one frame                                                                 */

/* The tag get/set. In OpenSSL 3, EVP_CIPHER_CTX_ctrl(EVP_CTRL_AEAD_GET_TAG)
 * only translates itself into an OSSL_PARAM for the provider; building that
 * parameter here and calling get/set_params directly skips the translation
 * (measured on this machine, AES-256-GCM, 1486 octets: 572 against 535 ns per
 * frame; 50 octets: 311 against 220 ns). shared/DESIGN.md: the tag get/set is
 * about 15% of the per-frame crypto time. */
static int get_tag(EVP_CIPHER_CTX *c, uint8_t *tag) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  OSSL_PARAM p[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, GCM_TAG_LEN), OSSL_PARAM_construct_end()};
  return EVP_CIPHER_CTX_get_params(c, p) == 1;
#else
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, GCM_TAG_LEN, tag) == 1;
#endif
}

static int set_tag(EVP_CIPHER_CTX *c, const uint8_t *tag) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  OSSL_PARAM p[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, GCM_TAG_LEN), OSSL_PARAM_construct_end()};
  return EVP_CIPHER_CTX_set_params(c, p) == 1;
#else
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, GCM_TAG_LEN, (void *)tag) == 1;
#endif
}

/* GCM-encrypts the plaintext p1 ‖ p2 with aad under iv: ciphertext to ct,
 * the ICV to tag. Two parts because the fast path seals an 802.1Q tag the
 * node inserts and then the frame from its EtherType on; GCM is a stream
 * mode, so two updates give the bytes of one over the concatenation.
 * Lengths are below INT_MAX (checked by the callers). */
static int seal_parts(gcm_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2, uint8_t *ct,
                      uint8_t *tag) {
  if (k->imb) return dxio_imb_seal2(k->imb, iv, aad, aad_len, p1, l1, p2, l2, ct, tag);
  EVP_CIPHER_CTX *c = k->enc;
  int n;
  if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1) return 0;
  if (aad_len && EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1) return 0;
  if (l1 && EVP_EncryptUpdate(c, ct, &n, p1, (int)l1) != 1) return 0;
  if (l2 && EVP_EncryptUpdate(c, ct + l1, &n, p2, (int)l2) != 1) return 0;
  /* Final writes nothing: it completes the tag. */
  if (EVP_EncryptFinal_ex(c, ct + l1 + l2, &n) != 1) return 0;
  return get_tag(c, tag);
}

static int seal_one(gcm_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct, uint8_t *tag) {
  return seal_parts(k, iv, aad, aad_len, NULL, 0, pt, pt_len, ct, tag);
}

/* 1: verified, plaintext in pt; 0: the ICV does not verify, pt zeroed;
 * -1: OpenSSL failed otherwise. */
static int open_one(gcm_key *k, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag, uint8_t *pt) {
  if (k->imb) return dxio_imb_open(k->imb, iv, aad, aad_len, ct, ct_len, tag, pt);
  EVP_CIPHER_CTX *c = k->dec;
  int n;
  if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1) return -1;
  /* Set before any update: OpenSSL copies the tag and compares it in final,
   * so `tag` may lie in the region that is then decrypted in place. */
  if (!set_tag(c, tag)) return -1;
  if (aad_len && EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1) return -1;
  if (ct_len && EVP_DecryptUpdate(c, pt, &n, ct, (int)ct_len) != 1) return -1;
  if (EVP_DecryptFinal_ex(c, pt + ct_len, &n) == 1) return 1;
  /* No plaintext of an unauthenticated frame may leave (NIST SP 800-38D 7.2:
   * FAIL returns nothing). A failed final may have queued an error. */
  if (ct_len) OPENSSL_cleanse(pt, ct_len);
  ERR_clear_error();
  return 0;
}

/* ------------------------------------------------------------------------ */
/* key objects                                                               */

static void free_contexts(napi_env env, gcm_key *k) {
  if (k->enc || k->dec || k->imb) __atomic_sub_fetch(&live_keys, 1, __ATOMIC_RELAXED);
  EVP_CIPHER_CTX_free(k->enc);
  EVP_CIPHER_CTX_free(k->dec);
  /* Zeroises the expanded key (gcm-ipsecmb.c), as OpenSSL's free does its own. */
  dxio_imb_key_free(k->imb);
  k->enc = k->dec = NULL;
  k->imb = NULL;
  if (k->accounted) {
    int64_t ignored;
    napi_adjust_external_memory(env, -GCM_KEY_EXTERNAL_BYTES, &ignored);
    k->accounted = 0;
  }
}

static void finalize_key(napi_env env, void *data, void *hint) {
  (void)hint;
  gcm_key *k = data;
  free_contexts(env, k);
  k->magic = 0;
  free(k);
}

/* A key of intel-ipsec-mb (gcm-ipsecmb.c): k->imb set, or an exception. */
static int create_imb(napi_env env, gcm_key *k, const bytes *key) {
  dxio_imb_status_t st;
  dxio_imb_status(&st);
  if (!st.available) {
    throw_code(env, "ENOENGINE", st.reason);
    return 0;
  }
  k->imb = dxio_imb_key_new(key->data, key->len);
  if (!k->imb) {
    throw_code(env, "ENOMEM", "out of memory for a GCM key");
    return 0;
  }
  __atomic_add_fetch(&live_keys, 1, __ATOMIC_RELAXED);
  return 1;
}

static napi_value gcm_create(napi_env env, napi_callback_info info) {
  CB_ARGS(2);
  bytes key;
  if (argc < 1 || !arg_bytes(env, argv[0], "key", &key)) return NULL;
  const EVP_CIPHER *cipher = key.len == 16 ? EVP_aes_128_gcm() : key.len == 32 ? EVP_aes_256_gcm() : NULL;
  if (!cipher) return throw_range(env, "key must be 16 or 32 octets");
  int imb = 0;
  napi_valuetype t = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &t);
  if (t != napi_undefined) {
    char name[16];
    size_t n = 0;
    if (t != napi_string || napi_get_value_string_utf8(env, argv[1], name, sizeof name, &n) != napi_ok) return throw_type(env, "engine must be \"openssl\" or \"ipsec-mb\"");
    if (strcmp(name, "ipsec-mb") == 0)
      imb = 1;
    else if (strcmp(name, "openssl") != 0)
      return throw_range(env, "engine must be \"openssl\" or \"ipsec-mb\"");
  }
  gcm_key *k = calloc(1, sizeof *k);
  if (!k) return throw_code(env, "ENOMEM", "out of memory for a GCM key");
  k->magic = GCM_KEY_MAGIC;
  k->key_len = (int)key.len;
  if (imb) {
    if (!create_imb(env, k, &key)) {
      free(k);
      return NULL;
    }
    goto wrap;
  }
  k->enc = EVP_CIPHER_CTX_new();
  k->dec = EVP_CIPHER_CTX_new();
  if (k->enc || k->dec) __atomic_add_fetch(&live_keys, 1, __ATOMIC_RELAXED);
  /* The IV length is GCM's default, 12 octets; the IV itself comes per frame. */
  if (!k->enc || !k->dec || EVP_EncryptInit_ex(k->enc, cipher, NULL, key.data, NULL) != 1 ||
      EVP_DecryptInit_ex(k->dec, cipher, NULL, key.data, NULL) != 1) {
    free_contexts(env, k);
    free(k);
    return throw_openssl(env, "EVP_CipherInit (AES-GCM key)");
  }
wrap:;
  napi_value ext;
  if (napi_create_external(env, k, finalize_key, NULL, &ext) != napi_ok) {
    free_contexts(env, k);
    free(k);
    return NULL;
  }
  int64_t ignored;
  napi_adjust_external_memory(env, GCM_KEY_EXTERNAL_BYTES, &ignored);
  k->accounted = 1;
  return ext;
}

static napi_value gcm_destroy(napi_env env, napi_callback_info info) {
  CB_ARGS(1);
  gcm_key *data = argc >= 1 ? external_data(env, argv[0]) : NULL;
  if (!data || data->magic != GCM_KEY_MAGIC) return throw_type(env, "expected a GCM key from gcmCreate");
  /* The struct stays until the finalizer: the external still points at it. */
  free_contexts(env, data);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* per frame                                                                 */

static napi_value gcm_seal(napi_env env, napi_callback_info info) {
  CB_ARGS(6);
  if (argc < 6) return throw_type(env, "gcmSeal(key, iv, aad, plaintext, out, outOffset)");
  gcm_key *k = get_key(env, argv[0]);
  bytes iv, aad, pt, out;
  uint32_t off;
  if (!k || !arg_bytes(env, argv[1], "iv", &iv) || !arg_bytes(env, argv[2], "aad", &aad) || !arg_bytes(env, argv[3], "plaintext", &pt) ||
      !arg_bytes(env, argv[4], "out", &out) || !arg_u32(env, argv[5], "outOffset", &off)) {
    return NULL;
  }
  if (iv.len != GCM_IV_LEN) return throw_range(env, "iv must be 12 octets");
  if (aad.len > INT_MAX || pt.len > INT_MAX - GCM_TAG_LEN) return throw_range(env, "aad or plaintext too long");
  if (!in_bounds(off, (uint64_t)pt.len + GCM_TAG_LEN, out.len)) return throw_range(env, "out has no room for plaintext.length + 16 octets at outOffset");
  uint8_t *ct = out.data + off;
  if (dxio_partly_overlapping(ct, pt.data, pt.len)) return throw_range(env, "out partly overlaps plaintext (in place or apart only)");
  if (!seal_one(k, iv.data, aad.data, aad.len, pt.data, pt.len, ct, ct + pt.len)) return throw_engine(env, k, "AES-GCM seal");
  return NULL;
}

static napi_value gcm_open(napi_env env, napi_callback_info info) {
  CB_ARGS(7);
  if (argc < 7) return throw_type(env, "gcmOpen(key, iv, aad, ciphertext, icv, out, outOffset)");
  gcm_key *k = get_key(env, argv[0]);
  bytes iv, aad, ct, icv, out;
  uint32_t off;
  if (!k || !arg_bytes(env, argv[1], "iv", &iv) || !arg_bytes(env, argv[2], "aad", &aad) || !arg_bytes(env, argv[3], "ciphertext", &ct) ||
      !arg_bytes(env, argv[4], "icv", &icv) || !arg_bytes(env, argv[5], "out", &out) || !arg_u32(env, argv[6], "outOffset", &off)) {
    return NULL;
  }
  if (iv.len != GCM_IV_LEN) return throw_range(env, "iv must be 12 octets");
  if (icv.len != GCM_TAG_LEN) return throw_range(env, "icv must be 16 octets");
  if (aad.len > INT_MAX || ct.len > INT_MAX - GCM_TAG_LEN) return throw_range(env, "aad or ciphertext too long");
  if (!in_bounds(off, ct.len, out.len)) return throw_range(env, "out has no room for ciphertext.length octets at outOffset");
  if (dxio_partly_overlapping(out.data + off, ct.data, ct.len)) return throw_range(env, "out partly overlaps ciphertext (in place or apart only)");
  int r = open_one(k, iv.data, aad.data, aad.len, ct.data, ct.len, icv.data, out.data + off);
  if (r < 0) return throw_engine(env, k, "AES-GCM open");
  napi_value v;
  napi_get_boolean(env, r == 1, &v);
  return v;
}

/* ------------------------------------------------------------------------ */
/* batches                                                                   */

typedef struct {
  gcm_key *k;
  bytes src, dst, ivs;
  uint32_t count;
  const uint32_t *desc;
} batch;

/* Parses (key, src, dst, count, desc, ivs) and checks every frame's regions
 * before any frame is touched, so a bad entry changes nothing. */
static int get_batch(napi_env env, napi_value *argv, batch *b, int open) {
  b->k = get_key(env, argv[0]);
  if (!b->k || !arg_bytes(env, argv[1], "src", &b->src) || !arg_bytes(env, argv[2], "dst", &b->dst) || !arg_u32(env, argv[3], "count", &b->count)) return 0;
  napi_typedarray_type type;
  size_t n;
  void *data;
  if (napi_get_typedarray_info(env, argv[4], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_uint32_array) {
    throw_type(env, "desc must be a Uint32Array");
    return 0;
  }
  if (!arg_bytes(env, argv[5], "ivs", &b->ivs)) return 0;
  if ((uint64_t)b->count * GCM_BATCH_FIELDS > n) {
    throw_range(env, "desc holds fewer than count * 6 entries");
    return 0;
  }
  if ((uint64_t)b->count * GCM_IV_LEN > b->ivs.len) {
    throw_range(env, "ivs holds fewer than count * 12 octets");
    return 0;
  }
  b->desc = data;
  for (uint32_t i = 0; i < b->count; i++) {
    const uint32_t *d = b->desc + (size_t)i * GCM_BATCH_FIELDS;
    int ok = d[1] <= INT_MAX && d[3] <= INT_MAX - GCM_TAG_LEN && in_bounds(d[0], d[1], b->src.len) && in_bounds(d[2], d[3], b->src.len) &&
             in_bounds(d[4], GCM_TAG_LEN, open ? b->src.len : b->dst.len) && in_bounds(d[5], d[3], b->dst.len);
    if (ok && dxio_partly_overlapping(b->dst.data + d[5], b->src.data + d[2], d[3])) {
      char msg[128];
      snprintf(msg, sizeof msg, "frame %u of the batch: its output partly overlaps its data (in place or apart only)", i);
      throw_range(env, msg);
      return 0;
    }
    if (!ok) {
      char msg[128];
      snprintf(msg, sizeof msg, "frame %u of the batch: a region lies outside src or dst", i);
      throw_range(env, msg);
      return 0;
    }
  }
  return 1;
}

static napi_value gcm_seal_batch(napi_env env, napi_callback_info info) {
  CB_ARGS(6);
  if (argc < 6) return throw_type(env, "gcmSealBatch(key, src, dst, count, desc, ivs)");
  batch b;
  if (!get_batch(env, argv, &b, 0)) return NULL;
  for (uint32_t i = 0; i < b.count; i++) {
    const uint32_t *d = b.desc + (size_t)i * GCM_BATCH_FIELDS;
    if (!seal_one(b.k, b.ivs.data + (size_t)i * GCM_IV_LEN, b.src.data + d[0], d[1], b.src.data + d[2], d[3], b.dst.data + d[5], b.dst.data + d[4])) {
      return throw_engine(env, b.k, "AES-GCM seal (batch)");
    }
  }
  return NULL;
}

static napi_value gcm_open_batch(napi_env env, napi_callback_info info) {
  CB_ARGS(7);
  if (argc < 7) return throw_type(env, "gcmOpenBatch(key, src, dst, count, desc, ivs, ok)");
  batch b;
  bytes ok;
  if (!get_batch(env, argv, &b, 1) || !arg_bytes(env, argv[6], "ok", &ok)) return NULL;
  if (ok.len < b.count) return throw_range(env, "ok holds fewer than count octets");
  uint32_t verified = 0;
  for (uint32_t i = 0; i < b.count; i++) {
    const uint32_t *d = b.desc + (size_t)i * GCM_BATCH_FIELDS;
    int r = open_one(b.k, b.ivs.data + (size_t)i * GCM_IV_LEN, b.src.data + d[0], d[1], b.src.data + d[2], d[3], b.src.data + d[4], b.dst.data + d[5]);
    if (r < 0) return throw_engine(env, b.k, "AES-GCM open (batch)");
    ok.data[i] = (uint8_t)r;
    verified += (uint32_t)r;
  }
  napi_value v;
  napi_create_uint32(env, verified, &v);
  return v;
}

/* ------------------------------------------------------------------------ */
/* for the fast path (fastpath.c, through fastpath.h)                        */

void *dxio_gcm_key_of(napi_env env, napi_value v) {
  void *data = external_data(env, v);
  if (!data) return NULL;
  gcm_key *k = data;
  return k->magic == GCM_KEY_MAGIC && key_live(k) ? k : NULL;
}

int dxio_gcm_live(const void *key) { return key_live((const gcm_key *)key); }

int dxio_gcm_seal2(void *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2, uint8_t *ct,
                   uint8_t *tag) {
  gcm_key *k = key;
  if (!key_live(k) || aad_len > INT_MAX || l1 > INT_MAX || l2 > INT_MAX - l1) return 0;
  return seal_parts(k, iv, aad, aad_len, p1, l1, p2, l2, ct, tag);
}

int dxio_gcm_open(void *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag, uint8_t *pt) {
  gcm_key *k = key;
  if (!key_live(k) || aad_len > INT_MAX || ct_len > INT_MAX) return -1;
  return open_one(k, iv, aad, aad_len, ct, ct_len, tag, pt);
}

/* ------------------------------------------------------------------------ */

static napi_value gcm_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "openssl", v);
  napi_create_uint32(env, GCM_BATCH_FIELDS, &v);
  napi_set_named_property(env, o, "batchFields", v);
  napi_create_int64(env, __atomic_load_n(&live_keys, __ATOMIC_RELAXED), &v);
  napi_set_named_property(env, o, "liveKeys", v);
  dxio_imb_status_t st;
  dxio_imb_status(&st);
  napi_value m;
  napi_create_object(env, &m);
  napi_get_boolean(env, st.available, &v);
  napi_set_named_property(env, m, "available", v);
  napi_get_boolean(env, st.preferred, &v);
  napi_set_named_property(env, m, "preferred", v);
  const char *fields[3][2] = {{"version", st.version}, {"arch", st.arch}, {"reason", st.reason}};
  for (int i = 0; i < 3; i++) {
    if (!fields[i][1]) continue;
    napi_create_string_utf8(env, fields[i][1], NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, m, fields[i][0], v);
  }
  napi_set_named_property(env, o, "ipsecMb", m);
  return o;
}

/* Called from dxio.c's module init. */
napi_value dxio_gcm_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("gcmCreate", gcm_create),
                      EXPORT_FN("gcmSeal", gcm_seal),
                      EXPORT_FN("gcmOpen", gcm_open),
                      EXPORT_FN("gcmSealBatch", gcm_seal_batch),
                      EXPORT_FN("gcmOpenBatch", gcm_open_batch),
                      EXPORT_FN("gcmDestroy", gcm_destroy),
                      EXPORT_FN("gcmInfo", gcm_info));
}
