/*
 * fastpath: the common case of a MACsec port's data path, in C.
 *
 * The TypeScript SecY (src/macsec/secy.ts) is the reference for every byte,
 * verdict and counter. This file repeats exactly one outcome of it per
 * direction, and only where nothing else can happen:
 *   - transmit: a frame from a TAP that is not clear text, on a port that is
 *     not blocked, either sent as is (protectFrames false: outPktsUntagged)
 *     or encrypted with the encoding SA (E = C = 1) while its PN stays below
 *     the exhaustion threshold and the frame fits the wire;
 *   - receive: an untagged frame where validateFrames is not Strict
 *     (inPktsUntagged), or a frame whose SecTAG passes the 802.1AE-2018 9.12
 *     checks, with E = C = 1, for an SA in use, at a PN not below the lowest
 *     acceptable one, whose ICV verifies (inPktsOK), for a TAP of its VLAN.
 * Any other frame goes to JavaScript untouched, and nothing was changed
 * for it: the reference SecY then gives it its verdict from the very state
 * it would have had. Decisions that change state (the PN, the receive
 * window, counters) are made only once the outcome is certain.
 *
 * State is shared, not copied: each SA's nextPN, lowest PN and the packets
 * and octets the fast path counted live in a BigUint64Array the TypeScript
 * SecY owns (FP_STATE_WORDS words; the SecY folds the counts into its
 * counters whenever they are read). test/unit/io/fastpath.test.ts runs the
 * same frames through both and compares bytes, verdicts, counters and PNs.
 *
 * Exports (registered by dxio_fastpath_init, from dxio.c's module init):
 *   fpCreate() -> external
 *   fpConfigure(fp, config) -> undefined (see src/io/fastpath.ts)
 *   fpProcess(fp, 'tx' | 'rx', frames: Uint8Array[], tap) ->
 *       { out: [{ index, tap, frame, member? }], left: [index] }   (tests, no I/O;
 *       tap -1: a LAG member's collector dropped it; member: for a LAG's 'tx')
 *   fpStats(fp) -> { txFrames, rxFrames, txToJs, rxToJs }
 */
#include "exports.h"
#include "fastpath.h"
#include "napi-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FP_MAGIC 0x66707468u /* "fpth" */
#define MAC_HDR 12
#define SECTAG 8
#define SECTAG_SCI 16
#define ICV 16
#define SL_LIMIT 48
#define ETH_MIN_FRAME 60
#define TCI_V 0x80
#define TCI_ES 0x40
#define TCI_SC 0x20
#define TCI_SCB 0x10
#define TCI_E 0x08
#define TCI_C 0x04
#define MAX_PN_32 0xffffffffull

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int is_clear(const fastpath *fp, int et) {
  for (int i = 0; i < fp->nclear; i++)
    if (fp->clear[i] == et) return 1;
  return 0;
}

/* The IV of one frame: 802.1AE-2018 14.5 (SCI ‖ PN) or 14.7 ((SSCI ‖ PN64) ⊕ salt). */
static void iv_for(const fp_sa *sa, uint64_t pn, uint8_t iv[12]) {
  memcpy(iv, sa->iv, 12);
  if (sa->xpn) {
    for (int i = 0; i < 8; i++) iv[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
  } else {
    iv[8] = (uint8_t)(pn >> 24);
    iv[9] = (uint8_t)(pn >> 16);
    iv[10] = (uint8_t)(pn >> 8);
    iv[11] = (uint8_t)pn;
  }
}

/* secy.ts recoverXpn: the 64-bit PN nearest nextPN whose low half is on the wire. */
static uint64_t recover_xpn(uint64_t next_pn, uint32_t wire) {
  uint64_t upper = next_pn >> 32;
  uint32_t lower = (uint32_t)next_pn;
  int different_half = ((wire ^ lower) & 0x80000000u) != 0;
  if (different_half && wire < lower) return ((upper + 1) << 32) | wire;
  if (different_half && wire > lower && upper > 0) return ((upper - 1) << 32) | wire;
  return (upper << 32) | wire;
}

/* Where the TAPs are: a LAG member's are its LAG's (the VIFs sit on the
 * logical port), its own table unused. */
static inline const fastpath *tap_table(const fastpath *fp) { return fp->lag ? fp->lag : fp; }

size_t fp_tx(fastpath *fp, int tap, const uint8_t *f, size_t len, uint8_t *out, size_t cap) {
  const fastpath *tt = tap_table(fp);
  if (!fp->enabled || tap < 0 || tap >= tt->ntaps || len < MAC_HDR + 2) return 0;
  int vlan = tt->tap_vlan[tap];
  size_t tagged = len + (vlan >= 0 ? 4 : 0);
  int et = vlan >= 0 ? 0x8100 : be16(f + MAC_HDR);
  if (is_clear(fp, et) || fp->blocked) return 0;
  uint8_t vtag[4] = {0x81, 0x00, (uint8_t)((vlan >> 8) & 0x0f), (uint8_t)vlan};
  if (!fp->protect_frames) {
    if (tagged > cap) return 0;
    memcpy(out, f, MAC_HDR);
    size_t o = MAC_HDR;
    if (vlan >= 0) {
      memcpy(out + o, vtag, 4);
      o += 4;
    }
    memcpy(out + o, f + MAC_HDR, len - MAC_HDR);
    fp->secy_counters[FP_OUT_UNTAGGED] += 1;
    fp->tx_frames++;
    return tagged;
  }
  if (!fp->has_tx || !fp->confidentiality || !dxio_gcm_live(fp->tx.key)) return 0;
  size_t tag_len = fp->include_sci ? SECTAG_SCI : SECTAG;
  size_t secure = tagged - MAC_HDR;
  size_t out_len = MAC_HDR + tag_len + secure + ICV;
  if (out_len > fp->max_frame || out_len > cap) return 0;
  uint64_t *st = fp->tx.st;
  uint64_t pn = st[FP_NEXT_PN];
  if (pn >= fp->tx_limit) return 0;
  memcpy(out, f, MAC_HDR);
  out[12] = 0x88;
  out[13] = 0xe5;
  uint8_t tci = (uint8_t)(fp->tx.an | TCI_E | TCI_C);
  if (fp->include_sci)
    tci |= TCI_SC;
  else
    tci |= (fp->es ? TCI_ES : 0) | (fp->scb ? TCI_SCB : 0);
  out[14] = tci;
  out[15] = secure < SL_LIMIT ? (uint8_t)secure : 0;
  out[16] = (uint8_t)(pn >> 24);
  out[17] = (uint8_t)(pn >> 16);
  out[18] = (uint8_t)(pn >> 8);
  out[19] = (uint8_t)pn;
  if (fp->include_sci) memcpy(out + 20, fp->tx_sci, 8);
  size_t data = MAC_HDR + tag_len;
  uint8_t iv[12];
  iv_for(&fp->tx, pn, iv);
  const uint8_t *p1 = vlan >= 0 ? vtag : NULL;
  size_t l1 = vlan >= 0 ? 4 : 0;
  if (!dxio_gcm_seal2(fp->tx.key, iv, out, data, p1, l1, f + MAC_HDR, len - MAC_HDR, out + data, out + data + secure)) return 0;
  st[FP_NEXT_PN] = pn + 1;
  st[FP_PKTS] += 1;
  st[FP_OCTETS] += secure;
  fp->tx_frames++;
  return out_len;
}

/* The TAP a delivered frame goes to, its tag removed (port.ts deliver). */
static int route(const fastpath *fp, uint8_t **start, size_t *len) {
  fp = tap_table(fp);
  if (fp->ntaps == 1 && fp->tap_vlan[0] < 0) return 0;
  uint8_t *f = *start;
  int vid = (*len >= 18 && f[12] == 0x81 && f[13] == 0x00) ? (be16(f + 14) & 0x0fff) : -1;
  for (int t = 0; t < fp->ntaps; t++) {
    if (fp->tap_vlan[t] != vid) continue;
    if (vid >= 0) {
      memmove(f + 4, f, MAC_HDR);
      *start = f + 4;
      *len -= 4;
    }
    return t;
  }
  return -1;
}

/* The Frame Collector of a LAG member (802.1AX-2014 6.2.3), once the frame
 * passed the SecY: 1 when it goes up to the TAP, 0 when the member's
 * collector is disabled (dropped and counted, as lag-port.ts fromMember). */
static int collect(fastpath *fp, int *tap) {
  fastpath *lag = fp->lag;
  if (!lag) return 1;
  if (!(lag->collecting & (1u << fp->lag_index))) {
    lag->rx_not_collecting++;
    *tap = -1;
    return 0;
  }
  lag->rx_by_member[fp->lag_index]++;
  return 1;
}

size_t fp_rx(fastpath *fp, uint8_t *f, size_t len, uint8_t *out, size_t cap, uint8_t **start, int *tap) {
  if (!fp->enabled || len < MAC_HDR + 2 || len > cap) return 0;
  if (fp->lag && !fp->lag->enabled) return 0;
  int et = be16(f + MAC_HDR);
  if (et == fp->eapol || is_clear(fp, et)) return 0;
  /* LACPDUs and Marker PDUs are LACP's, in JavaScript (lag-port.ts). */
  if (fp->lag && et == FP_SLOW_PROTOCOLS) return 0;
  if (et != 0x88e5) {
    if (fp->validate == 2 || fp->blocked) return 0;
    /* Delivered where it lies (route only changes it once a TAP is found). */
    *start = f;
    size_t l = len;
    int t = route(fp, start, &l);
    if (t < 0) return 0;
    fp->secy_counters[FP_IN_UNTAGGED] += 1;
    *tap = t;
    fp->rx_frames++;
    collect(fp, tap);
    return l;
  }
  /* The SecTAG checks of 802.1AE-2018 9.12, as sectag.ts parseSecTag. */
  if (len < MAC_HDR + SECTAG || fp->blocked) return 0;
  uint8_t tci = f[14], sl_octet = f[15];
  int sc = (tci & TCI_SC) != 0;
  if (tci & TCI_V) return 0;
  if (sc && (tci & (TCI_ES | TCI_SCB))) return 0;
  if (sl_octet & 0xc0) return 0;
  size_t data = MAC_HDR + (sc ? SECTAG_SCI : SECTAG);
  if (len < data + ICV) return 0;
  uint32_t wire_pn = be32(f + 16);
  size_t secure = len - data - ICV;
  size_t sl = sl_octet & 0x3f, icv_off;
  if (sl != 0) {
    if (sl >= SL_LIMIT || secure < sl) return 0;
    if (secure > sl && len > ETH_MIN_FRAME) return 0;
    icv_off = data + sl;
  } else {
    if (secure < SL_LIMIT) return 0;
    icv_off = len - ICV;
  }
  if ((tci & (TCI_E | TCI_C)) != (TCI_E | TCI_C)) return 0;
  uint8_t sci[8];
  if (sc) {
    memcpy(sci, f + 20, 8);
  } else {
    memcpy(sci, f + 6, 6);
    sci[6] = 0;
    sci[7] = 1;
  }
  int an = tci & 3;
  fp_sa *sa = NULL;
  for (int i = 0; i < fp->nrx; i++) {
    if (fp->rx[i].an == an && memcmp(fp->rx[i].sci, sci, 8) == 0) {
      sa = &fp->rx[i];
      break;
    }
  }
  if (!sa || !dxio_gcm_live(sa->key)) return 0;
  if (!sa->xpn && wire_pn == 0) return 0;
  uint64_t *st = sa->st;
  uint64_t next = st[FP_NEXT_PN];
  uint64_t pn = sa->xpn ? recover_xpn(next, wire_pn) : wire_pn;
  uint64_t w = fp->replay_window;
  uint64_t lowest = next > w ? next - w : 0;
  if (st[FP_LOWEST_PN] > lowest) lowest = st[FP_LOWEST_PN];
  if (pn < lowest) return 0; /* Late or Delayed: the reference says which */
  size_t plain = icv_off - data;
  uint8_t iv[12];
  iv_for(sa, pn, iv);
  if (dxio_gcm_open(sa->key, iv, f, data, f + data, plain, f + icv_off, out + MAC_HDR) != 1) return 0;
  /* A protected LACPDU (a member's controlled port carries LACP) is LACP's. */
  if (fp->lag && plain >= 2 && be16(out + MAC_HDR) == FP_SLOW_PROTOCOLS) return 0;
  memcpy(out, f, MAC_HDR);
  *start = out;
  size_t l = MAC_HDR + plain;
  int t = route(fp, start, &l);
  if (t < 0) return 0;
  /* inPktsOK: advance the SA's view of the PN space (10.6.5). */
  if (pn >= next) {
    st[FP_NEXT_PN] = pn + 1;
    if (pn + 1 > w && pn + 1 - w > st[FP_LOWEST_PN]) st[FP_LOWEST_PN] = pn + 1 - w;
  }
  st[FP_PKTS] += 1;
  st[FP_OCTETS] += plain;
  *tap = t;
  fp->rx_frames++;
  collect(fp, tap);
  return l;
}

/* ------------------------------------------------------------------------ */
/* configuration                                                             */

static void release_refs(napi_env env, fastpath *fp) {
  for (int i = 0; i < fp->nrefs; i++) napi_delete_reference(env, fp->refs[i]);
  fp->nrefs = 0;
}

static void finalize_fp(napi_env env, void *data, void *hint) {
  (void)hint;
  fastpath *fp = data;
  /* A LAG and its members forget each other, whichever is freed first. */
  if (fp->lag && fp->lag->members[fp->lag_index] == fp) fp->lag->members[fp->lag_index] = NULL;
  for (int i = 0; i < fp->nmembers; i++)
    if (fp->members[i] && fp->members[i]->lag == fp) fp->members[i]->lag = NULL;
  if (fp->detach) fp->detach(fp);
  release_refs(env, fp);
  fp->magic = 0;
  free(fp);
}

fastpath *dxio_fastpath_of(napi_env env, napi_value v) {
  void *data = external_data(env, v);
  if (!data) return NULL;
  fastpath *fp = data;
  return fp->magic == FP_MAGIC ? fp : NULL;
}

fastpath *dxio_fastpath_new(napi_env env, napi_value *ext) {
  fastpath *fp = calloc(1, sizeof *fp);
  if (!fp) {
    napi_throw_error(env, "ENOMEM", "out of memory for a fast path");
    return NULL;
  }
  fp->magic = FP_MAGIC;
  fp->eapol = 0x888e;
  if (napi_create_external(env, fp, finalize_fp, NULL, ext) != napi_ok) {
    free(fp);
    return NULL;
  }
  return fp;
}

static napi_value fp_create(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ext;
  return dxio_fastpath_new(env, &ext) ? ext : NULL;
}

typedef struct {
  napi_env env;
  napi_value obj;
  const char *err;
} reader;

static napi_value prop(reader *r, const char *name) {
  napi_value v;
  if (napi_get_named_property(r->env, r->obj, name, &v) != napi_ok) return NULL;
  return v;
}

static int rd_bool(reader *r, const char *name, int *out) {
  bool b;
  napi_value v = prop(r, name);
  if (!v || napi_get_value_bool(r->env, v, &b) != napi_ok) return r->err = name, 0;
  *out = b;
  return 1;
}

static int rd_num(reader *r, const char *name, double lo, double hi, double *out) {
  napi_value v = prop(r, name);
  if (!v || napi_get_value_double(r->env, v, out) != napi_ok || !(*out >= lo && *out <= hi)) return r->err = name, 0;
  return 1;
}

static int rd_bytes(napi_env env, napi_value v, size_t want, uint8_t *out) {
  bytes b;
  if (!u8_view(env, v, &b) || b.len != want) return 0;
  memcpy(out, b.data, want);
  return 1;
}

/* A state block (BigUint64Array of FP_STATE_WORDS), kept alive by a reference. */
static int rd_state(napi_env env, napi_value v, fastpath *fp, uint64_t **out) {
  napi_typedarray_type t;
  size_t n;
  void *d;
  if (napi_get_typedarray_info(env, v, &t, &n, &d, NULL, NULL) != napi_ok || t != napi_biguint64_array || n < FP_STATE_WORDS) return 0;
  if (napi_create_reference(env, v, 1, &fp->refs[fp->nrefs]) != napi_ok) return 0;
  fp->nrefs++;
  *out = d;
  return 1;
}

static int rd_sa(napi_env env, napi_value o, fastpath *fp, fp_sa *sa, int want_sci) {
  reader r = {env, o, NULL};
  double an;
  napi_value v;
  if (!rd_num(&r, "an", 0, 3, &an) || !rd_bool(&r, "xpn", &sa->xpn)) return 0;
  sa->an = (int)an;
  if (!(v = prop(&r, "iv")) || !rd_bytes(env, v, 12, sa->iv)) return 0;
  if (want_sci && (!(v = prop(&r, "sci")) || !rd_bytes(env, v, 8, sa->sci))) return 0;
  if (!(v = prop(&r, "key")) || !(sa->key = dxio_gcm_key_of(env, v))) return 0;
  if (napi_create_reference(env, v, 1, &fp->refs[fp->nrefs]) != napi_ok) return 0;
  fp->nrefs++;
  if (!(v = prop(&r, "state")) || !rd_state(env, v, fp, &sa->st)) return 0;
  return 1;
}

/* fpConfigure(fp, config): replaces the whole configuration, or throws and
 * leaves the old one in place. */
static napi_value fp_configure(napi_env env, napi_callback_info info) {
  CB_ARGS(2);
  fastpath *fp = argc >= 1 ? dxio_fastpath_of(env, argv[0]) : NULL;
  if (!fp || argc < 2) return throw_type(env, "fpConfigure(fastPath, config)");
  if (fp->is_lag) return throw_type(env, "fpConfigure: a LAG's fast path is configured by fpLagConfigure");
  fastpath *n = calloc(1, sizeof *n);
  if (!n) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  reader r = {env, argv[1], NULL};
  double d;
  napi_value v, e;
  uint32_t len;
  int ok = rd_bool(&r, "enabled", &n->enabled) && rd_bool(&r, "blocked", &n->blocked) && rd_bool(&r, "protectFrames", &n->protect_frames) &&
           rd_bool(&r, "confidentiality", &n->confidentiality) && rd_bool(&r, "includeSci", &n->include_sci) && rd_bool(&r, "es", &n->es) &&
           rd_bool(&r, "scb", &n->scb) && rd_bool(&r, "replayProtect", &n->replay_protect);
  if (ok && (ok = rd_num(&r, "eapolEtherType", 0, 0xffff, &d))) n->eapol = (int)d;
  if (ok && (ok = rd_num(&r, "validateFrames", 0, 2, &d))) n->validate = (int)d;
  if (ok && (ok = rd_num(&r, "replayWindow", 0, 4294967295.0, &d))) n->replay_window = (uint64_t)d;
  if (ok && (ok = rd_num(&r, "maxFrameLength", 0, 1.0 / 0.0, &d))) n->max_frame = d > 1e18 ? UINT64_MAX : (uint64_t)d;
  if (ok) ok = (v = prop(&r, "txSci")) && rd_bytes(env, v, 8, n->tx_sci);
  if (ok) {
    ok = (v = prop(&r, "taps")) && napi_get_array_length(env, v, &len) == napi_ok && len >= 1 && len <= FP_MAX_TAPS;
    for (uint32_t i = 0; ok && i < len; i++) {
      int32_t vid;
      ok = napi_get_element(env, v, i, &e) == napi_ok && napi_get_value_int32(env, e, &vid) == napi_ok && vid >= -1 && vid <= 4094;
      n->tap_vlan[i] = vid;
    }
    n->ntaps = (int)len;
    if (!ok) r.err = "taps";
  }
  if (ok) {
    ok = (v = prop(&r, "clearText")) && napi_get_array_length(env, v, &len) == napi_ok && len <= FP_MAX_CLEAR;
    for (uint32_t i = 0; ok && i < len; i++) {
      int32_t et;
      ok = napi_get_element(env, v, i, &e) == napi_ok && napi_get_value_int32(env, e, &et) == napi_ok;
      n->clear[i] = et;
    }
    n->nclear = (int)len;
    if (!ok) r.err = "clearText";
  }
  if (ok) {
    napi_typedarray_type t;
    size_t cnt;
    void *data;
    ok = (v = prop(&r, "secyCounters")) && napi_get_typedarray_info(env, v, &t, &cnt, &data, NULL, NULL) == napi_ok && t == napi_float64_array && cnt >= 2 &&
         napi_create_reference(env, v, 1, &n->refs[n->nrefs]) == napi_ok;
    if (ok) {
      n->nrefs++;
      n->secy_counters = data;
    } else {
      r.err = "secyCounters";
    }
  }
  if (ok) {
    napi_valuetype vt;
    ok = (v = prop(&r, "tx")) && napi_typeof(env, v, &vt) == napi_ok;
    if (ok && vt == napi_object) {
      bool lossless;
      napi_value lim;
      n->has_tx = 1;
      ok = rd_sa(env, v, n, &n->tx, 0) && napi_get_named_property(env, v, "limit", &lim) == napi_ok &&
           napi_get_value_bigint_uint64(env, lim, &n->tx_limit, &lossless) == napi_ok && lossless;
    } else if (ok) {
      ok = vt == napi_undefined || vt == napi_null;
    }
    if (!ok) r.err = "tx";
  }
  if (ok) {
    ok = (v = prop(&r, "rx")) && napi_get_array_length(env, v, &len) == napi_ok && len <= FP_MAX_RX_SAS;
    for (uint32_t i = 0; ok && i < len; i++) ok = napi_get_element(env, v, i, &e) == napi_ok && rd_sa(env, e, n, &n->rx[i], 1);
    n->nrx = (int)len;
    if (!ok) r.err = "rx";
  }
  if (!ok) {
    release_refs(env, n);
    free(n);
    bool pending;
    napi_is_exception_pending(env, &pending);
    if (pending) return NULL;
    char msg[96];
    snprintf(msg, sizeof msg, "fpConfigure: bad or missing %s", r.err ? r.err : "field");
    return throw_type(env, msg);
  }
  /* Swap the tables in; what the fast path did and where it is attached stay. */
  release_refs(env, fp);
  n->magic = fp->magic;
  n->tx_frames = fp->tx_frames;
  n->rx_frames = fp->rx_frames;
  n->tx_to_js = fp->tx_to_js;
  n->rx_to_js = fp->rx_to_js;
  n->wire = fp->wire;
  memcpy(n->taps, fp->taps, sizeof n->taps);
  n->detach = fp->detach;
  n->lag = fp->lag;
  n->lag_index = fp->lag_index;
  *fp = *n;
  free(n);
  return NULL;
}

/* fpProcess(fp, 'tx' | 'rx', frames, tap): the per-frame decisions without
 * I/O, for tests. */
static napi_value fp_process(napi_env env, napi_callback_info info) {
  CB_ARGS(4);
  fastpath *fp = argc >= 4 ? dxio_fastpath_of(env, argv[0]) : NULL;
  char dir[4] = {0};
  size_t dl;
  uint32_t count;
  int32_t tap_in;
  if (!fp || napi_get_value_string_utf8(env, argv[1], dir, sizeof dir, &dl) != napi_ok || napi_get_array_length(env, argv[2], &count) != napi_ok ||
      napi_get_value_int32(env, argv[3], &tap_in) != napi_ok)
    return throw_type(env, "fpProcess(fastPath, 'tx' | 'rx', frames, tap)");
  int tx = strcmp(dir, "tx") == 0;
  napi_value res, outs, left;
  napi_create_object(env, &res);
  napi_create_array(env, &outs);
  napi_create_array(env, &left);
  uint32_t no = 0, nl = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value e;
    bytes b;
    if (napi_get_element(env, argv[2], i, &e) != napi_ok || !u8_view(env, e, &b)) return throw_type(env, "frames must be Uint8Arrays");
    size_t len = b.len;
    const uint8_t *d = b.data;
    /* The frame is copied first: fp_rx may deliver (and untag) it in place. */
    size_t cap = len + 64;
    uint8_t *buf = malloc(len + cap);
    if (!buf) return NULL;
    uint8_t *in = buf, *out = buf + len, *start = out;
    if (len) memcpy(in, d, len); /* an empty frame may have no data pointer */
    int tap = tap_in, member = -1;
    size_t l = tx ? (fp->is_lag ? fp_lag_tx(fp, tap_in, in, len, out, cap, &member, NULL) : fp_tx(fp, tap_in, in, len, out, cap)) : fp->is_lag ? 0 : fp_rx(fp, in, len, out, cap, &start, &tap);
    napi_value idx;
    napi_create_uint32(env, i, &idx);
    if (l == 0) {
      napi_set_element(env, left, nl++, idx);
    } else {
      napi_value o, b;
      napi_create_object(env, &o);
      napi_create_buffer_copy(env, l, start, NULL, &b);
      napi_set_named_property(env, o, "frame", b);
      napi_set_named_property(env, o, "index", idx);
      set_num(env, o, "tap", tap);
      if (fp->is_lag) set_num(env, o, "member", member);
      napi_set_element(env, outs, no++, o);
    }
    free(buf);
  }
  napi_set_named_property(env, res, "out", outs);
  napi_set_named_property(env, res, "left", left);
  return res;
}

static napi_value fp_stats(napi_env env, napi_callback_info info) {
  CB_ARGS(1);
  fastpath *fp = argc >= 1 ? dxio_fastpath_of(env, argv[0]) : NULL;
  if (!fp) return throw_type(env, "fpStats(fastPath)");
  napi_value o;
  napi_create_object(env, &o);
  static const dxio_counter counters[] = {
      DXIO_COUNTER("txFrames", fastpath, tx_frames), DXIO_COUNTER("rxFrames", fastpath, rx_frames),
      DXIO_COUNTER("txToJs", fastpath, tx_to_js),    DXIO_COUNTER("rxToJs", fastpath, rx_to_js),
  };
  set_counters(env, o, fp, counters, sizeof counters / sizeof counters[0]);
  return o;
}

napi_value dxio_fastpath_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("fpCreate", fp_create),
                      EXPORT_FN("fpConfigure", fp_configure),
                      EXPORT_FN("fpProcess", fp_process),
                      EXPORT_FN("fpStats", fp_stats));
}
