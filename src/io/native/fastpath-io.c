/*
 * The SecY fast path (fastpath.c) fed from the frame I/O handles: a MACsec
 * port of a node attaches its wire and TAP handles (fpAttach); the frames
 * the fast path can decide are then protected or validated and written to
 * the other side within the poll callback (rxtx.c calls dxio_fp_run on
 * each batch read), and only the others cross into JavaScript. Apart from
 * fastpath.c, which decides about one frame in memory and knows no handle,
 * and from rxtx.c, which knows no fast path beyond this one call.
 *
 * A LAG's fast path (lag.c) is attached to the LAG's TAPs (fpLagAttach) and
 * sends each frame on the wire of the member it picks; a member's fast
 * path is attached to its wire only and delivers to its LAG's TAPs.
 *
 * Exports: fpAttach(fastPath, wire | null, taps), fpLagAttach(lagFastPath, taps).
 */
#define _GNU_SOURCE
#include "dxio.h"
#include "exports.h"
#include "fastpath.h"
#include "napi-util.h"

#include <stdlib.h>

/* Octets of fast-path output gathered before they are written. */
#define FP_OUT_OCTETS (512 * 1024)
/* Room a frame may grow by: SecTAG with SCI, ICV, an 802.1Q tag. */
#define FP_GROWTH 64

/* Writes the queued output: to the wire, or to the TAP of the queued run
 * (a queue holds frames for one TAP only: dxio_fp_run flushes when it changes). */
/* Returns the TSC ticks spent writing (counted on the handle written to), which
 * the caller takes out of its STAGE_CRYPTO time. */
static uint64_t fp_flush(handle *h, uint32_t q) {
  if (q == 0) return 0;
  fastpath *fp = h->fp;
  /* A LAG member delivers to its LAG's TAPs. */
  void *const *taps = fp->lag ? fp->lag->taps : fp->taps;
  uint64_t t0 = dxio_ticks();
  dxio_tx_frames(h->fp_tap >= 0 ? fp->wire : taps[h->fp_qtap[0]], h->fp_qptr, h->fp_qlen, q);
  return dxio_ticks() - t0;
}

/* The TAPs of fast path fp (a LAG's, or a port's) are attached and open. */
static int taps_ready(const fastpath *fp) {
  for (int t = 0; t < fp->ntaps; t++)
    if (!fp->taps[t] || ((handle *)fp->taps[t])->closed) return 0;
  return 1;
}

/* A member's (or a port's) wire is attached and open: frames may go out on it. */
static int wire_ready(const fastpath *fp) { return fp->enabled && fp->wire && !((handle *)fp->wire)->closed; }

/* Every handle the fast path writes to is attached and open. */
static int fp_ready(const fastpath *fp) {
  if (fp->is_lag) return fp->enabled && taps_ready(fp);
  if (!wire_ready(fp)) return 0;
  return fp->lag ? fp->lag->enabled && taps_ready(fp->lag) : taps_ready(fp);
}

static int fp_buffers(handle *h) {
  if (!h->fp_out) {
    h->fp_out = malloc(FP_OUT_OCTETS);
    h->fp_qptr = calloc(TX_CHUNK, sizeof *h->fp_qptr);
    h->fp_qlen = calloc(TX_CHUNK, sizeof *h->fp_qlen);
    h->fp_qtap = calloc(TX_CHUNK, sizeof *h->fp_qtap);
  }
  return h->fp_out && h->fp_qptr && h->fp_qlen && h->fp_qtap;
}

/* Writes a LAG's queued output, member by member (fp_qtap holds the
 * member of each frame): each member's frames in their order (a flow is on
 * one member, 802.1AX-2014 6.2.4), as one batch on its wire. */
static uint64_t lag_flush(handle *h, uint32_t q) {
  if (q == 0) return 0;
  uint64_t t0 = dxio_ticks();
  fastpath *lag = h->fp;
  uint8_t *ptr[TX_CHUNK];
  uint32_t len[TX_CHUNK];
  for (int m = 0; m < lag->nmembers; m++) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < q; i++) {
      if (h->fp_qtap[i] != m) continue;
      ptr[k] = h->fp_qptr[i];
      len[k++] = h->fp_qlen[i];
    }
    fastpath *mf = lag->members[m];
    if (k && mf && mf->wire) dxio_tx_frames(mf->wire, ptr, len, k);
  }
  return dxio_ticks() - t0;
}

/* Room in fp_out for a frame's output of up to cap octets and in the
 * queue for one more frame: what is queued goes out first when either is
 * full. */
static inline void make_room(handle *h, size_t cap, uint32_t *q, size_t *used, uint64_t *in_writes, uint64_t (*flush)(handle *, uint32_t)) {
  if (*used + cap > FP_OUT_OCTETS || *q == TX_CHUNK) {
    *in_writes += flush(h, *q);
    *q = 0;
    *used = 0;
  }
}

/* Frames read from a LAG's TAP: each through the member its flow hashes to. */
static int lag_run(handle *h, int n) {
  fastpath *lag = h->fp;
  if (!fp_ready(lag) || !fp_buffers(h)) return n;
  int kept = 0;
  uint32_t q = 0;
  size_t used = 0;
  uint64_t t0 = dxio_ticks(), in_writes = 0;
  for (int i = 0; i < n; i++) {
    uint8_t *f = h->rx_ptr[i];
    size_t len = h->rx_len[i], cap = len + FP_GROWTH, l = 0;
    int m = -1;
    if (cap <= FP_OUT_OCTETS) {
      make_room(h, cap, &q, &used, &in_writes, lag_flush);
      l = fp_lag_tx(lag, h->fp_tap, f, len, h->fp_out + used, cap, &m, wire_ready);
    } else {
      lag->tx_to_js++;
    }
    if (l == 0) {
      h->rx_ptr[kept] = f;
      h->rx_len[kept] = (uint32_t)len;
      kept++;
      continue;
    }
    h->fp_qptr[q] = h->fp_out + used;
    h->fp_qlen[q] = (uint32_t)l;
    h->fp_qtap[q] = m;
    q++;
    used = (used + l + 15) & ~(size_t)15;
    h->rx_packets++;
    h->rx_bytes += len;
  }
  in_writes += lag_flush(h, q);
  stage_add(&h->stages[STAGE_CRYPTO], t0 + in_writes, 0, (uint64_t)(n - kept));
  return kept;
}

int dxio_fp_run(handle *h, int n) {
  fastpath *fp = h->fp;
  if (fp->is_lag) return lag_run(h, n);
  if (!fp_ready(fp) || !fp_buffers(h)) return n;
  int kept = 0;
  uint32_t q = 0;
  size_t used = 0;
  /* STAGE_CRYPTO: protect or validate, this function's time but for the writes. */
  uint64_t t0 = dxio_ticks(), in_writes = 0;
  for (int i = 0; i < n; i++) {
    uint8_t *f = h->rx_ptr[i];
    size_t len = h->rx_len[i], cap = len + FP_GROWTH, l = 0;
    uint8_t *start = NULL;
    int tap = h->fp_tap;
    if (cap <= FP_OUT_OCTETS) {
      make_room(h, cap, &q, &used, &in_writes, fp_flush);
      uint8_t *o = h->fp_out + used;
      start = o;
      l = h->fp_tap >= 0 ? fp_tx(fp, h->fp_tap, f, len, o, cap) : fp_rx(fp, f, len, o, cap, &start, &tap);
    }
    if (l == 0) {
      if (h->fp_tap >= 0)
        fp->tx_to_js++;
      else
        fp->rx_to_js++;
      h->rx_ptr[kept] = f;
      h->rx_len[kept] = (uint32_t)len;
      kept++;
      continue;
    }
    if (tap < 0) {
      /* Validated, then dropped by its LAG's collector (counted there). */
      h->rx_packets++;
      h->rx_bytes += len;
      continue;
    }
    /* One TAP per queue: a run for one TAP is written before a frame for
     * another (the output already written stays where it is). */
    if (q && tap != h->fp_qtap[q - 1]) {
      in_writes += fp_flush(h, q);
      q = 0;
    }
    h->fp_qptr[q] = start;
    h->fp_qlen[q] = (uint32_t)l;
    h->fp_qtap[q] = tap;
    q++;
    /* Output in fp_out moves the mark; a frame delivered where it was read does not. */
    if (start >= h->fp_out && start < h->fp_out + FP_OUT_OCTETS) used = ((size_t)(start - h->fp_out) + l + 15) & ~(size_t)15;
    h->rx_packets++;
    h->rx_bytes += len;
  }
  in_writes += fp_flush(h, q);
  stage_add(&h->stages[STAGE_CRYPTO], t0 + in_writes, 0, (uint64_t)(n - kept));
  return kept;
}

int dxio_fp_is_lag_part(const fastpath *fp) { return fp->is_lag || fp->lag; }
handle *dxio_fp_wire(const fastpath *fp) { return fp->wire; }
handle *dxio_fp_tap(const fastpath *fp, int t) { return fp->taps[t]; }

void dxio_fastpath_detach(fastpath *fp) {
  handle *w = fp->wire;
  if (w && w->fp == fp) w->fp = NULL;
  fp->wire = NULL;
  for (int t = 0; t < FP_MAX_TAPS; t++) {
    handle *x = fp->taps[t];
    if (x && x->fp == fp) x->fp = NULL;
    fp->taps[t] = NULL;
  }
}

/* Element i of an attach call's TAP array: a TAP feeding no fast path but fp
 * (and not the wire); NULL with a JavaScript exception pending when not. */
static handle *tap_at(napi_env env, napi_value arr, uint32_t i, fastpath *fp, handle *wire) {
  napi_value e;
  NAPI_OK(napi_get_element(env, arr, i, &e));
  handle *t = dxio_get_handle(env, e, 1);
  if (!t) return NULL;
  if (t->kind != KIND_TAP) {
    throw_type(env, "taps must be TAP handles");
    return NULL;
  }
  if ((t->fp && t->fp != fp) || t == wire) {
    throw_type(env, "a TAP already feeds another fast path");
    return NULL;
  }
  return t;
}

/* TAP i of fp is taps[i]: its frames go to fp as tap index i. */
static void attach_taps(fastpath *fp, handle **taps, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    fp->taps[i] = taps[i];
    taps[i]->fp = fp;
    taps[i]->fp_tap = (int)i;
  }
}

/* fpAttach(fp, wire, taps[]): the handles whose frames the fast path takes
 * (TAP i is tap index i of the configuration); fpAttach(fp, null, []) detaches. */
static napi_value fp_attach(napi_env env, napi_callback_info info) {
  CB_ARGS(3);
  fastpath *fp = argc >= 3 ? dxio_fastpath_of(env, argv[0]) : NULL;
  if (!fp) return throw_type(env, "fpAttach(fastPath, wire | null, taps)");
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  uint32_t n = 0;
  if (napi_get_array_length(env, argv[2], &n) != napi_ok || n > FP_MAX_TAPS) return throw_type(env, "taps must be an array of at most 16 TAP handles");
  handle *wire = NULL, *taps[FP_MAX_TAPS] = {0};
  if (t != napi_null && t != napi_undefined) {
    if (!(wire = dxio_get_handle(env, argv[1], 1))) return NULL;
    if (wire->kind != KIND_PACKET) return throw_type(env, "wire must be a packet socket");
    for (uint32_t i = 0; i < n; i++)
      if (!(taps[i] = tap_at(env, argv[2], i, fp, wire))) return NULL;
    if (wire->fp && wire->fp != fp) return throw_type(env, "the wire already feeds another fast path");
  }
  dxio_fastpath_detach(fp);
  if (!wire) return NULL;
  fp->detach = dxio_fastpath_detach;
  fp->wire = wire;
  wire->fp = fp;
  wire->fp_tap = -1;
  attach_taps(fp, taps, n);
  return NULL;
}

/* fpLagAttach(lag, taps[]): the LAG's TAPs, whose frames it distributes
 * (TAP i is tap index i of its configuration); fpLagAttach(lag, []) detaches. */
static napi_value fp_lag_attach(napi_env env, napi_callback_info info) {
  CB_ARGS(2);
  fastpath *lag = argc >= 2 ? dxio_fastpath_of(env, argv[0]) : NULL;
  if (!lag || !lag->is_lag) return throw_type(env, "fpLagAttach(lagFastPath, taps)");
  uint32_t n = 0;
  if (napi_get_array_length(env, argv[1], &n) != napi_ok || n > FP_MAX_TAPS) return throw_type(env, "taps must be an array of at most 16 TAP handles");
  handle *taps[FP_MAX_TAPS] = {0};
  for (uint32_t i = 0; i < n; i++)
    if (!(taps[i] = tap_at(env, argv[1], i, lag, NULL))) return NULL;
  dxio_fastpath_detach(lag);
  if (n == 0) return NULL;
  lag->detach = dxio_fastpath_detach;
  attach_taps(lag, taps, n);
  return NULL;
}

napi_value dxio_fastpath_io_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("fpAttach", fp_attach),
                      EXPORT_FN("fpLagAttach", fp_lag_attach));
}
