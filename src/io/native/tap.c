/*
 * TAP devices, the clear side of a port: openTap, and one batch read or
 * written per call. Apart from packet.c because a tun fd has its own calls:
 * opened by name (/dev/net/tun, TUNSETIFF with IFF_TAP|IFF_NO_PI;
 * Documentation/networking/tuntap.rst), read and written one frame per
 * syscall since it has no batched call.
 *
 * With offloads (IFF_VNET_HDR, TUNSETOFFLOAD) one syscall moves a TCP
 * super-frame of up to 64 KiB: a virtio-net header goes in front of every
 * frame both ways, super-frames are cut into segments on receive and
 * segments coalesced on send by vnet.c, so that JavaScript still sees
 * ordinary frames; this file does the reads and writes around it.
 *
 * Exports: openTap(ifname, { netns, txqueuelen, batch, maxFrameSize,
 * offload, coalesce }).
 */
#define _GNU_SOURCE
#include "dxio.h"
#include "exports.h"
#include "napi-util.h"
#include "sys.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

/* ------------------------------------------------------------------------ */
/* openTap(ifname, { netns, txqueuelen, batch, maxFrameSize, offload, coalesce, busyPollUs, serve }) */

static napi_value open_tap(napi_env env, napi_callback_info info) {
  char ifname[IFNAMSIZ + 1];
  napi_value opts;
  if (!dxio_open_args(env, info, ifname, &opts)) return NULL;
  char netns[4096];
  uint32_t txqueuelen, batch, max_frame;
  bool offload, coalesce;
  if (opt_str(env, opts, "netns", netns, sizeof netns) || opt_u32(env, opts, "txqueuelen", 10000, &txqueuelen) ||
      opt_u32(env, opts, "batch", 64, &batch) || opt_u32(env, opts, "maxFrameSize", 65535, &max_frame) ||
      opt_bool(env, opts, "offload", false, &offload) || opt_bool(env, opts, "coalesce", true, &coalesce))
    return throw_type(env, "invalid option type");
  if (batch < 1 || batch > MAX_BATCH) return throw_type(env, "batch must be 1..1024");
  if (max_frame < 64 || max_frame > 262144) return throw_type(env, "maxFrameSize must be 64..262144");
  unsigned busy_poll_us;
  int serve;
  if (dxio_tuning_opts(env, opts, &busy_poll_us, &serve)) return NULL;

  handle *h = dxio_new_handle(env, KIND_TAP, ifname, batch, max_frame);
  if (!h) return dxio_throw_errno(env, ENOMEM, "open", ifname);
  h->busy_poll_us = busy_poll_us;
  h->serve = serve;
  h->offload = offload;
  h->coalesce = coalesce;
  int saved_ns;
  if (dxio_netns_enter(netns, &saved_ns) != 0) return dxio_open_failed(env, h, errno, "setns", -1);
  h->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (h->fd < 0) return dxio_open_failed(env, h, errno, "open(/dev/net/tun)", saved_ns);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
  dxio_copy_ifname(ifr.ifr_name, ifname);
  /* Attaches to a persistent TAP of that name (ip tuntap add mode tap) or
   * creates one that disappears with this fd. */
  if (ioctl(h->fd, TUNSETIFF, &ifr) != 0) return dxio_open_failed(env, h, errno, "TUNSETIFF", saved_ns);
  dxio_copy_ifname(h->ifname, ifr.ifr_name);
  if (offload) {
    /* 10 octets, struct virtio_net_hdr: the kernel's default, set anyway
     * because the size belongs to the device and a persistent TAP keeps what
     * its last user set. The 12-octet virtio_net_hdr_mrg_rxbuf only adds
     * num_buffers, which means something to virtio-net's mergeable receive
     * buffers and nothing to a tun fd (tun_put_user leaves it 0, tun_get_user
     * skips it); the frame's alignment is ours to choose anyway, since the
     * header is read and written through its own iovec. */
    int sz = VNET_HDR_OCTETS;
    if (ioctl(h->fd, TUNSETVNETHDRSZ, &sz) != 0) return dxio_open_failed(env, h, errno, "TUNSETVNETHDRSZ", saved_ns);
  }
  /* What the kernel may hand us: partial checksums, TCP super-frames of
   * IPv4 and IPv6 (TSO_ECN: the first segment may carry CWR, which the
   * segmentation keeps on the first segment only). Without offload, 0: a
   * persistent TAP keeps the features its last user asked for
   * (tun_set_offload sets the device's wanted_features), and a reader without
   * a virtio header must never get a super-frame. */
  unsigned features = offload ? (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) : 0;
  if (ioctl(h->fd, TUNSETOFFLOAD, features) != 0) return dxio_open_failed(env, h, errno, "TUNSETOFFLOAD", saved_ns);
  h->ctl_fd = dxio_open_ctl();
  if (h->ctl_fd < 0) return dxio_open_failed(env, h, errno, "socket(AF_NETLINK)", saved_ns);
  dxio_netns_leave(saved_ns);
  memset(&ifr, 0, sizeof ifr);
  if (dxio_ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFINDEX, &ifr) != 0) return dxio_open_failed(env, h, errno, "SIOCGIFINDEX", -1);
  h->ifindex = ifr.ifr_ifindex;
  if (txqueuelen > 0) {
    /* The kernel queues at most txqueuelen frames for the reader and drops the
     * rest (tun_net_xmit, counted as the TAP's tx_dropped); the default 1000
     * drops exactly as many frames as TCP retransmits (DESIGN.md). */
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_qlen = (int)txqueuelen;
    if (dxio_ifreq_ioctl(h->ctl_fd, h->ifname, SIOCSIFTXQLEN, &ifr) != 0) return dxio_open_failed(env, h, errno, "SIOCSIFTXQLEN", -1);
  }
  int e = dxio_alloc_buffers(h);
  if (e) return dxio_open_failed(env, h, -e, "malloc", -1);
  dxio_read_link_stats(h, &h->base);
  return dxio_wrap_handle(env, h);
}

/* ------------------------------------------------------------------------ */
/* receive                                                                   */

int dxio_rx_tap(handle *h) {
  int kept = 0;
  for (unsigned i = 0; i < h->batch; i++) {
    uint8_t *slot = h->arena + i * h->slot;
    uint64_t t0 = dxio_ticks();
    ssize_t r = read(h->fd, slot, h->slot);
    stage_add(&h->stages[STAGE_READ], t0, 1, r > 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      if (kept) break; /* deliver what we have; the error comes back next time */
      return -errno;
    }
    if ((size_t)r > h->max_frame) {
      h->rx_truncated++;
      continue;
    }
    h->rx_ptr[kept] = slot;
    h->rx_len[kept] = (uint32_t)r;
    kept++;
  }
  return kept;
}

/* Segments (or completes) the frame waiting in rx_super into o. Returns 0, or
 * -ENOSPC when it must wait for the next batch. */
static int rx_vnet_take(handle *h, vnet_out *o) {
  const struct virtio_net_hdr *vh = &h->rx_vh;
  size_t len = h->rx_super_len;
  if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE && len > h->max_frame) {
    h->rx_truncated++;
    return 0;
  }
  unsigned before = o->n;
  uint64_t t0 = dxio_ticks();
  int e = dxio_vnet_rx_frame(vh, h->rx_super, len, o);
  stage_add(&h->stages[STAGE_SEGMENT], t0, 0, e < 0 ? 0 : o->n - before);
  if (e == -ENOSPC && o->n > 0) return -ENOSPC;
  if (e < 0) {
    /* Malformed, of a GSO type never offered, or too many segments for an
     * empty batch: dropped and counted. */
    h->rx_offload_errors++;
    h->rx_errors++;
    return 0;
  }
  if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
    h->rx_super_frames++;
    h->rx_segments += o->n - before;
  } else if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
    h->rx_csum_done++;
  }
  return 0;
}

/* dxio_rx_tap with offloads: up to max_reads frames read, each turned into
 * ordinary frames back to back in the arena. A frame whose segments do not
 * fit waits in rx_super for the next batch (rx_pending). Sets rx_more when
 * the batch stopped before the TAP ran dry. */
int dxio_rx_tap_vnet(handle *h, unsigned max_reads) {
  vnet_out o = {.buf = h->arena, .cap = h->rx_out_cap, .ptr = h->rx_ptr, .len = h->rx_len, .max = h->rx_cap};
  h->rx_more = 0;
  if (h->rx_pending) {
    h->rx_pending = 0;
    rx_vnet_take(h, &o); /* an empty batch: fits, or is dropped */
  }
  unsigned i;
  for (i = 0; i < max_reads; i++) {
    struct iovec iov[2] = {{.iov_base = &h->rx_vh, .iov_len = VNET_HDR_OCTETS}, {.iov_base = h->rx_super, .iov_len = h->rx_super_cap}};
    uint64_t t0 = dxio_ticks();
    ssize_t r = readv(h->fd, iov, 2);
    stage_add(&h->stages[STAGE_READ], t0, 1, r > 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      if (o.n) break; /* deliver what we have; the error comes back next time */
      return -errno;
    }
    if (r < VNET_HDR_OCTETS) {
      h->rx_offload_errors++;
      h->rx_errors++;
      continue;
    }
    h->rx_super_len = (size_t)r - VNET_HDR_OCTETS;
    if (rx_vnet_take(h, &o) == -ENOSPC) {
      h->rx_pending = 1;
      h->rx_more = 1;
      break;
    }
  }
  if (i == max_reads && max_reads > 0) h->rx_more = 1;
  if (o.n == 0 && h->rx_more) return -EAGAIN;
  return (int)o.n;
}

/* ------------------------------------------------------------------------ */
/* send                                                                      */

uint32_t dxio_tx_tap(handle *h, uint32_t n) {
  uint32_t accepted = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t t0 = dxio_ticks();
    ssize_t r = write(h->fd, h->tx_iov[i].iov_base, h->tx_iov[i].iov_len);
    stage_add(&h->stages[STAGE_WRITE], t0, 1, r >= 0);
    if (r >= 0) {
      h->tx_packets++;
      h->tx_bytes += h->tx_iov[i].iov_len;
      accepted++;
      continue;
    }
    int e = errno;
    if (e == EINTR) {
      i--;
      continue;
    }
    if (per_frame_error(e)) {
      count_refused(h, e, 1);
      continue;
    }
    count_refused(h, e, n - i);
    break;
  }
  return accepted;
}

/* dxio_tx_tap with offloads: a virtio header in front of every write, runs of TCP
 * segments coalesced into one GSO frame (dxio_vnet_tx_run). Counts stay per frame
 * given. A coalesced write the kernel refuses as malformed is retried frame
 * by frame. */
uint32_t dxio_tx_tap_vnet(handle *h, uint32_t n) {
  uint32_t accepted = 0, single_until = 0;
  uint8_t hdr[VNET_TX_HDR_MAX];
  /* STAGE_COALESCE: this function's time but for the writev calls. */
  uint64_t start = dxio_ticks(), in_writes = 0;
  for (uint32_t i = 0; i < n;) {
    struct virtio_net_hdr vh;
    size_t hdrs;
    unsigned k = dxio_vnet_tx_run(h->tx_iov, n, i, h->coalesce && i >= single_until, &vh, hdr, &hdrs);
    struct iovec *w = h->tx_wiov;
    w[0].iov_base = &vh;
    w[0].iov_len = VNET_HDR_OCTETS;
    int cnt = 2;
    uint64_t octets = 0;
    if (k == 1) {
      w[1] = h->tx_iov[i];
      octets = h->tx_iov[i].iov_len;
    } else {
      w[1].iov_base = hdr;
      w[1].iov_len = hdrs;
      for (unsigned j = 0; j < k; j++) {
        w[cnt].iov_base = (uint8_t *)h->tx_iov[i + j].iov_base + hdrs;
        w[cnt].iov_len = h->tx_iov[i + j].iov_len - hdrs;
        octets += h->tx_iov[i + j].iov_len;
        cnt++;
      }
    }
    uint64_t t0 = dxio_ticks();
    ssize_t r = writev(h->fd, w, cnt);
    uint64_t t1 = dxio_ticks();
    in_writes += t1 - t0;
    h->stages[STAGE_WRITE].cycles += t1 - t0;
    h->stages[STAGE_WRITE].calls++;
    if (r >= 0) {
      h->stages[STAGE_WRITE].frames += k;
      h->tx_packets += k;
      h->tx_bytes += octets;
      if (k > 1) {
        h->tx_gso_frames++;
        h->tx_gso_segments += k;
      }
      accepted += k;
      i += k;
      continue;
    }
    int e = errno;
    if (e == EINTR) continue;
    if (per_frame_error(e)) {
      if (k > 1) {
        single_until = i + k;
        continue;
      }
      count_refused(h, e, 1);
      i++;
      continue;
    }
    count_refused(h, e, n - i);
    break;
  }
  stage *c = &h->stages[STAGE_COALESCE];
  c->cycles += dxio_ticks() - start - in_writes;
  c->frames += n;
  return accepted;
}

napi_value dxio_tap_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports, EXPORT_FN("openTap", open_tap));
}
