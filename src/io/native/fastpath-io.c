/*
 * The SecY fast path (fastpath.c) fed from the frame I/O handles: a MACsec
 * port of a node attaches its wire and TAP handles (fpAttach); the frames
 * the fast path can decide are then protected or validated and written to
 * the other side within the poll callback (rxtx.c calls dxio_fp_run on
 * each batch read), and only the others cross into JavaScript. Apart from
 * fastpath.c, which decides about one frame in memory and knows no handle,
 * and from rxtx.c, which knows no fast path beyond this one call.
 *
 * Exports: fpAttach(fastPath, wire | null, taps).
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
static void fp_flush(handle *h, uint32_t q) {
  if (q == 0) return;
  fastpath *fp = h->fp;
  dxio_tx_frames(h->fp_tap >= 0 ? fp->wire : fp->taps[h->fp_qtap[0]], h->fp_qptr, h->fp_qlen, q);
}

/* Every handle the fast path writes to is attached and open. */
static int fp_ready(const fastpath *fp) {
  if (!fp->enabled || !fp->wire || ((handle *)fp->wire)->closed) return 0;
  for (int t = 0; t < fp->ntaps; t++)
    if (!fp->taps[t] || ((handle *)fp->taps[t])->closed) return 0;
  return 1;
}

int dxio_fp_run(handle *h, int n) {
  fastpath *fp = h->fp;
  if (!fp_ready(fp)) return n;
  if (!h->fp_out) {
    h->fp_out = malloc(FP_OUT_OCTETS);
    h->fp_qptr = calloc(TX_CHUNK, sizeof *h->fp_qptr);
    h->fp_qlen = calloc(TX_CHUNK, sizeof *h->fp_qlen);
    h->fp_qtap = calloc(TX_CHUNK, sizeof *h->fp_qtap);
    if (!h->fp_out || !h->fp_qptr || !h->fp_qlen || !h->fp_qtap) return n;
  }
  int kept = 0;
  uint32_t q = 0;
  size_t used = 0;
  for (int i = 0; i < n; i++) {
    uint8_t *f = h->rx_ptr[i];
    size_t len = h->rx_len[i], cap = len + FP_GROWTH, l = 0;
    uint8_t *start = NULL;
    int tap = h->fp_tap;
    if (cap <= FP_OUT_OCTETS) {
      if (used + cap > FP_OUT_OCTETS || q == TX_CHUNK) {
        fp_flush(h, q);
        q = 0;
        used = 0;
      }
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
    /* One TAP per queue: a run for one TAP is written before a frame for
     * another (the output already written stays where it is). */
    if (q && tap != h->fp_qtap[q - 1]) {
      fp_flush(h, q);
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
  fp_flush(h, q);
  return kept;
}

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

/* fpAttach(fp, wire, taps[]): the handles whose frames the fast path takes
 * (TAP i is tap index i of the configuration); fpAttach(fp, null, []) detaches. */
static napi_value fp_attach(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
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
    for (uint32_t i = 0; i < n; i++) {
      napi_value e;
      NAPI_OK(napi_get_element(env, argv[2], i, &e));
      if (!(taps[i] = dxio_get_handle(env, e, 1))) return NULL;
      if (taps[i]->kind != KIND_TAP) return throw_type(env, "taps must be TAP handles");
      if ((taps[i]->fp && taps[i]->fp != fp) || taps[i] == wire) return throw_type(env, "a TAP already feeds another fast path");
    }
    if (wire->fp && wire->fp != fp) return throw_type(env, "the wire already feeds another fast path");
  }
  dxio_fastpath_detach(fp);
  if (!wire) return NULL;
  fp->detach = dxio_fastpath_detach;
  fp->wire = wire;
  wire->fp = fp;
  wire->fp_tap = -1;
  for (uint32_t i = 0; i < n; i++) {
    fp->taps[i] = taps[i];
    taps[i]->fp = fp;
    taps[i]->fp_tap = (int)i;
  }
  return NULL;
}

napi_value dxio_fastpath_io_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports, EXPORT_FN("fpAttach", fp_attach));
}
