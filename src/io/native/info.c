/*
 * What JavaScript reads about a handle: its counters and the interface's
 * (stats), the interface's MTU and MAC address, and how the handle was
 * opened (info). Apart from the data path: nothing here runs per frame.
 *
 * Exports: stats(handle), mtu(handle), carrier(handle), mac(handle), info(handle).
 */
#define _GNU_SOURCE
#include "dxio.h"
#include "exports.h"
#include "napi-util.h"
#include "sys.h"

#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

/* The handle's frame counters, as stats() names them. */
static const dxio_counter FRAME_COUNTERS[] = {
    DXIO_COUNTER("rxPackets", handle, rx_packets), DXIO_COUNTER("rxBytes", handle, rx_bytes),     DXIO_COUNTER("rxTruncated", handle, rx_truncated),
    DXIO_COUNTER("rxErrors", handle, rx_errors),   DXIO_COUNTER("txPackets", handle, tx_packets), DXIO_COUNTER("txBytes", handle, tx_bytes),
    DXIO_COUNTER("txDropped", handle, tx_dropped), DXIO_COUNTER("txErrors", handle, tx_errors),
};

/* A TAP's offload counters (vnet.c), stats().offload. */
static const dxio_counter OFFLOAD_COUNTERS[] = {
    DXIO_COUNTER("rxSuperFrames", handle, rx_super_frames), DXIO_COUNTER("rxSegments", handle, rx_segments),
    DXIO_COUNTER("rxChecksums", handle, rx_csum_done),      DXIO_COUNTER("rxErrors", handle, rx_offload_errors),
    DXIO_COUNTER("txGsoFrames", handle, tx_gso_frames),     DXIO_COUNTER("txGsoSegments", handle, tx_gso_segments),
};

/* ------------------------------------------------------------------------ */
/* stage times (dxio.h, "stages")                                            */

/* The TSC's rate, from the ticks and the CLOCK_MONOTONIC nanoseconds that
 * passed since the addon loaded (at least 20 ms: waited for when asked
 * earlier). The kernel's own calibration (dmesg "tsc: Detected") is not
 * readable without privileges on every system; this one is, and a longer
 * baseline only makes it more exact. */
static uint64_t base_ticks, base_ns;

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double ticks_per_ns(void) {
  uint64_t ns = mono_ns();
  while (ns - base_ns < 20000000u) ns = mono_ns();
  return (double)(dxio_ticks() - base_ticks) / (double)(ns - base_ns);
}

uint64_t dxio_ticks_per_us(void) {
  static uint64_t per_us;
  if (!per_us) per_us = (uint64_t)(ticks_per_ns() * 1000.0 + 0.5);
  return per_us ? per_us : 1;
}

static const char *const STAGE_NAMES[STAGE_COUNT] = {"read", "segment", "crypto", "coalesce", "write", "js", "loop"};

/* stats().stages: per stage { cycles, ns, calls, frames } and the TSC's rate (tscHz). */
static napi_value stage_times(napi_env env, const handle *h) {
  napi_value o;
  napi_create_object(env, &o);
  double per_ns = ticks_per_ns();
  set_num(env, o, "tscHz", per_ns * 1e9);
  for (int i = 0; i < STAGE_COUNT; i++) {
    const stage *st = &h->stages[i];
    if (!st->calls && !st->frames && !st->cycles) continue;
    napi_value v;
    napi_create_object(env, &v);
    set_num(env, v, "cycles", (double)st->cycles);
    set_num(env, v, "ns", (double)st->cycles / per_ns);
    set_num(env, v, "calls", (double)st->calls);
    set_num(env, v, "frames", (double)st->frames);
    napi_set_named_property(env, o, STAGE_NAMES[i], v);
  }
  return o;
}

static napi_value stats(napi_env env, napi_callback_info info) {
  handle *h = dxio_handle_arg(env, info, 0);
  if (!h) return NULL;
  if (!h->closed && h->kind == KIND_PACKET) {
    /* PACKET_STATISTICS returns and clears the counts since the last call
     * (packet_getsockopt): accumulate. */
    struct tpacket_stats st;
    socklen_t sl = sizeof st;
    if (getsockopt(h->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0) h->tp_drops += st.tp_drops;
  }
  napi_value o;
  napi_create_object(env, &o);
  set_counters(env, o, h, FRAME_COUNTERS, sizeof FRAME_COUNTERS / sizeof FRAME_COUNTERS[0]);
  if (h->kind == KIND_PACKET) set_num(env, o, "socketDrops", (double)h->tp_drops);
  if (h->offload) {
    napi_value v;
    napi_create_object(env, &v);
    set_counters(env, v, h, OFFLOAD_COUNTERS, sizeof OFFLOAD_COUNTERS / sizeof OFFLOAD_COUNTERS[0]);
    napi_set_named_property(env, o, "offload", v);
  }
  napi_set_named_property(env, o, "stages", stage_times(env, h));
  napi_value v;
  char name[DXIO_ERRNO_NAME_MAX];
  if (h->last_rx_errno) {
    napi_create_string_utf8(env, dxio_errno_name(h->last_rx_errno, name), NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "lastRxError", v);
  }
  if (h->last_tx_errno) {
    napi_create_string_utf8(env, dxio_errno_name(h->last_tx_errno, name), NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "lastTxError", v);
  }
  link_stats ls;
  if (!h->closed && dxio_read_link_stats(h, &ls) == 0) {
    /* The interface's own counters (ip -s link), since this handle opened. */
    napi_value l;
    napi_create_object(env, &l);
    const struct rtnl_link_stats64 *a = &ls.s, *b = &h->base.s;
    int base = h->base.valid;
#define DELTA(f) ((double)(a->f - (base ? b->f : 0)))
    set_num(env, l, "rxPackets", DELTA(rx_packets));
    set_num(env, l, "rxBytes", DELTA(rx_bytes));
    set_num(env, l, "rxDropped", DELTA(rx_dropped));
    set_num(env, l, "rxErrors", DELTA(rx_errors));
    set_num(env, l, "txPackets", DELTA(tx_packets));
    set_num(env, l, "txBytes", DELTA(tx_bytes));
    set_num(env, l, "txDropped", DELTA(tx_dropped));
    set_num(env, l, "txErrors", DELTA(tx_errors));
#undef DELTA
    napi_set_named_property(env, o, "link", l);
  }
  return o;
}

/* The interface request `req` (named `what` in the error) on the handle's interface into *ifr; 0, or -1 with a JavaScript error thrown. */
static int handle_ifreq(napi_env env, napi_callback_info info, unsigned long req, const char *what, struct ifreq *ifr) {
  handle *h = dxio_handle_arg(env, info, 1);
  if (!h) return -1;
  memset(ifr, 0, sizeof *ifr);
  if (dxio_ifreq_ioctl(h->ctl_fd, h->ifname, req, ifr) != 0) {
    dxio_throw_errno(env, errno, what, h->ifname);
    return -1;
  }
  return 0;
}

static napi_value mtu(napi_env env, napi_callback_info info) {
  struct ifreq ifr;
  if (handle_ifreq(env, info, SIOCGIFMTU, "SIOCGIFMTU", &ifr) != 0) return NULL;
  napi_value out;
  napi_create_uint32(env, (uint32_t)ifr.ifr_mtu, &out);
  return out;
}

/* carrier(handle): the interface up with carrier (IFF_UP and IFF_RUNNING,
 * which the kernel sets from netif_oper_up: a veth whose peer is down has
 * none). False when the flags cannot be read (the interface is gone). */
static napi_value carrier(napi_env env, napi_callback_info info) {
  handle *h = dxio_handle_arg(env, info, 1);
  if (!h) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  int up = dxio_ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
  napi_value out;
  napi_get_boolean(env, up, &out);
  return out;
}

static napi_value mac(napi_env env, napi_callback_info info) {
  struct ifreq ifr;
  if (handle_ifreq(env, info, SIOCGIFHWADDR, "SIOCGIFHWADDR", &ifr) != 0) return NULL;
  napi_value out;
  void *data;
  napi_create_buffer_copy(env, 6, ifr.ifr_hwaddr.sa_data, &data, &out);
  return out;
}

static napi_value info_fn(napi_env env, napi_callback_info info) {
  handle *h = dxio_handle_arg(env, info, 0);
  if (!h) return NULL;
  napi_value o;
  napi_create_object(env, &o);
  set_str(env, o, "name", h->ifname);
  set_num(env, o, "ifindex", h->ifindex);
  set_num(env, o, "batch", h->batch);
  set_bool(env, o, "closed", h->closed);
  set_bool(env, o, "started", h->polling);
  set_bool(env, o, "kernelIgnoresOutgoing", h->ignore_outgoing);
  set_num(env, o, "deliveryFrames", h->rx_cap);
  set_bool(env, o, "offload", h->offload);
  set_bool(env, o, "coalesce", h->offload && h->coalesce);
  set_str(env, o, "ring", h->ring == TPACKET_V3 ? "v3" : h->ring == TPACKET_V2 ? "v2" : "off");
  /* Queue depths as the kernel has them now (it doubles SO_RCVBUF/SO_SNDBUF
   * for its bookkeeping, socket(7)). */
  if (!h->closed && h->kind == KIND_PACKET) {
    int b = 0;
    socklen_t bl = sizeof b;
    if (getsockopt(h->fd, SOL_SOCKET, SO_RCVBUF, &b, &bl) == 0) set_num(env, o, "rcvbufOctets", b);
    bl = sizeof b;
    if (getsockopt(h->fd, SOL_SOCKET, SO_SNDBUF, &b, &bl) == 0) set_num(env, o, "sndbufOctets", b);
    if (h->ring) {
      set_num(env, o, "ringRxOctets", (double)(h->tx_ring - h->ring_map));
      set_num(env, o, "ringTxSlots", h->tx_frames);
    }
  }
  if (!h->closed && h->kind == KIND_TAP) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (dxio_ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFTXQLEN, &ifr) == 0) set_num(env, o, "txqueuelen", ifr.ifr_qlen);
  }
  return o;
}

napi_value dxio_info_init(napi_env env, napi_value exports) {
  if (!base_ns) {
    base_ticks = dxio_ticks();
    base_ns = mono_ns();
  }
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("stats", stats),
                      EXPORT_FN("mtu", mtu),
                      EXPORT_FN("carrier", carrier),
                      EXPORT_FN("mac", mac),
                      EXPORT_FN("info", info_fn));
}
