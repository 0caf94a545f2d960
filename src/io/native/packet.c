/*
 * AF_PACKET sockets (packet(7)), the wire side of a port: openPacket, and
 * one batch read or written per call, through recvmmsg/sendmmsg or through
 * PACKET_MMAP rings. Apart from tap.c because nothing of it applies to a
 * TAP: the socket options, the 802.1Q tag put back from the packet's
 * metadata, the rings.
 *
 * The socket is a SOCK_RAW socket bound to one interface and one EtherType:
 * promiscuous through PACKET_ADD_MEMBERSHIP/PACKET_MR_PROMISC, its own
 * transmissions hidden by PACKET_IGNORE_OUTGOING (Linux 4.20), large buffers
 * through SO_RCVBUFFORCE/SO_SNDBUFFORCE.
 *
 * Exports: openPacket(ifname, { netns, etherType, rcvbuf, sndbuf, promisc,
 * batch, maxFrameSize, ring }).
 */
#define _GNU_SOURCE
#include "dxio.h"
#include "exports.h"
#include "napi-util.h"
#include "sys.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/if_ether.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* ------------------------------------------------------------------------ */
/* rings                                                                     */

/*
 * PACKET_MMAP (Documentation/networking/packet_mmap.rst): instead of one
 * recvmmsg/sendmmsg message per frame, the kernel copies received frames into
 * a ring mapped into this process, and sends frames placed in a second ring
 * with one send(fd, NULL, 0) per batch. What this saves is the per-message
 * work of the socket calls (msghdr and iovec copies, the address written
 * back), not the copy of the frame itself.
 *
 *   - TPACKET_V3 receive: frames packed into blocks; a block reaches this
 *     process when it is full or when tp_retire_blk_tov expires. The timer
 *     counts in jiffies, so at CONFIG_HZ=250 the shortest wait is 4 ms: under
 *     light load a frame can wait that long (a ping's round trip grows by up
 *     to 8 ms across two nodes), under heavy load blocks fill first.
 *   - TPACKET_V2 receive: one frame per slot, each handed over at once.
 *   - Transmit (either version): fixed slots; a slot is free again once the
 *     kernel freed the frame's skb, which on a veth is after the peer took it.
 *
 * Sizes: receive slots or blocks fit the interface's MTU; each ring holds
 * about RING_OCTETS, resident once the kernel has cycled through it.
 */
#define RING_OCTETS (8u << 20)
#define RING_V3_BLOCK (256u << 10)
/* Frame slots (V2 receive, transmit) whatever their size: a burst of this
 * many frames fits while the process is busy elsewhere. Only the pages that
 * frames touch become resident. */
#define RING_SLOTS 2048u
/* Frame data in a transmit slot starts after the frame header
 * (tp_hdrlen - sizeof(struct sockaddr_ll), packet_mmap.rst "Transmission"). */
#define TX_DATA_V2 TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
#define TX_DATA_V3 TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

static size_t pow2_at_least(size_t n) {
  size_t p = 4096;
  while (p < n) p <<= 1;
  return p;
}

static int setup_rings(handle *h, int version, size_t mtu) {
  int v = version;
  if (setsockopt(h->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) != 0) return -errno;
  /* Room in front of every received frame to put back an 802.1Q tag. */
  unsigned reserve = VLAN_ROOM;
  if (setsockopt(h->fd, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof reserve) != 0) return -errno;
  /* A frame the device refuses is skipped, not left blocking the ring. */
  int one = 1;
  if (setsockopt(h->fd, SOL_PACKET, PACKET_LOSS, &one, sizeof one) != 0) return -errno;
  size_t frame = mtu + 14 + 2 * VLAN_ROOM;
  size_t slot = pow2_at_least(frame + 128); /* header, sockaddr_ll, reserve, alignment */
  if (slot < 2048) slot = 2048;
  struct tpacket_req3 rx, tx;
  memset(&rx, 0, sizeof rx);
  memset(&tx, 0, sizeof tx);
  if (version == TPACKET_V3) {
    rx.tp_block_size = RING_V3_BLOCK > slot ? RING_V3_BLOCK : (unsigned)slot;
    rx.tp_block_nr = RING_OCTETS / rx.tp_block_size;
    if (rx.tp_block_nr < 4) rx.tp_block_nr = 4;
    rx.tp_frame_size = (unsigned)slot;
    rx.tp_frame_nr = rx.tp_block_size / (unsigned)slot * rx.tp_block_nr;
    rx.tp_retire_blk_tov = 1; /* ms: the shortest (one jiffy) */
  } else {
    rx.tp_block_size = (unsigned)(slot > 65536 ? slot : 65536);
    rx.tp_frame_size = (unsigned)slot;
    rx.tp_block_nr = RING_OCTETS / rx.tp_block_size;
    if (rx.tp_block_nr * (rx.tp_block_size / slot) < RING_SLOTS) rx.tp_block_nr = (unsigned)(RING_SLOTS / (rx.tp_block_size / slot));
    rx.tp_frame_nr = rx.tp_block_size / (unsigned)slot * rx.tp_block_nr;
  }
  /* Transmit slots stay taken while the peer holds the frame. */
  tx.tp_block_size = (unsigned)(slot > 65536 ? slot : 65536);
  tx.tp_frame_size = (unsigned)slot;
  tx.tp_block_nr = RING_OCTETS / tx.tp_block_size;
  if (tx.tp_block_nr * (tx.tp_block_size / slot) < RING_SLOTS) tx.tp_block_nr = (unsigned)(RING_SLOTS / (tx.tp_block_size / slot));
  tx.tp_frame_nr = tx.tp_block_size / (unsigned)slot * tx.tp_block_nr;
  socklen_t rl = version == TPACKET_V3 ? sizeof rx : sizeof(struct tpacket_req);
  if (setsockopt(h->fd, SOL_PACKET, PACKET_RX_RING, &rx, rl) != 0) return -errno;
  if (setsockopt(h->fd, SOL_PACKET, PACKET_TX_RING, &tx, rl) != 0) return -errno;
  size_t rx_len = (size_t)rx.tp_block_size * rx.tp_block_nr, tx_len = (size_t)tx.tp_block_size * tx.tp_block_nr;
  void *m = mmap(NULL, rx_len + tx_len, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
  if (m == MAP_FAILED) return -errno;
  h->ring = version;
  h->ring_mtu = mtu;
  h->ring_map = m;
  h->ring_map_len = rx_len + tx_len;
  h->rx_block_size = rx.tp_block_size;
  h->rx_blocks = rx.tp_block_nr;
  h->rx_frame_size = slot;
  h->rx_frames = rx.tp_frame_nr;
  h->tx_ring = h->ring_map + rx_len;
  h->tx_frame_size = slot;
  h->tx_frames = tx.tp_frame_nr;
  h->rx_release = calloc(version == TPACKET_V3 ? rx.tp_block_nr : rx.tp_frame_nr, sizeof *h->rx_release);
  if (!h->rx_release) return -ENOMEM;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* openPacket(ifname, { netns, etherType, rcvbuf, sndbuf, promisc, batch, maxFrameSize, ring,
 * busyPollUs, serve, soBusyPoll }) */

static void set_buf(int fd, int force_opt, int opt, uint32_t octets) {
  int v = (int)(octets > INT32_MAX / 2 ? INT32_MAX / 2 : octets);
  if (v <= 0) return;
  /* The FORCE variants (CAP_NET_ADMIN) pass net.core.rmem_max/wmem_max. */
  if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) != 0) setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v);
}

static napi_value open_packet(napi_env env, napi_callback_info info) {
  char ifname[IFNAMSIZ + 1];
  napi_value opts;
  if (!dxio_open_args(env, info, ifname, &opts)) return NULL;
  char netns[4096];
  uint32_t ether_type, rcvbuf, sndbuf, batch, max_frame;
  bool promisc;
  char ring[8];
  if (opt_str(env, opts, "netns", netns, sizeof netns) || opt_str(env, opts, "ring", ring, sizeof ring) || opt_u32(env, opts, "etherType", ETH_P_ALL, &ether_type) ||
      opt_u32(env, opts, "rcvbuf", 32u << 20, &rcvbuf) || opt_u32(env, opts, "sndbuf", 8u << 20, &sndbuf) ||
      opt_bool(env, opts, "promisc", true, &promisc) || opt_u32(env, opts, "batch", 64, &batch) ||
      opt_u32(env, opts, "maxFrameSize", 65535, &max_frame))
    return throw_type(env, "invalid option type");
  if (batch < 1 || batch > MAX_BATCH) return throw_type(env, "batch must be 1..1024");
  if (max_frame < 64 || max_frame > 262144) return throw_type(env, "maxFrameSize must be 64..262144");
  if (ether_type > 0xffff) return throw_type(env, "etherType must be 0..65535");
  /* No ring option (opt_str leaves ""): recvmmsg/sendmmsg, as 'off'. */
  int ring_version = !ring[0] || !strcmp(ring, "off") ? 0 : !strcmp(ring, "v2") ? TPACKET_V2 : !strcmp(ring, "v3") ? TPACKET_V3 : -1;
  if (ring_version < 0) return throw_type(env, "ring must be 'off', 'v2' or 'v3'");
  unsigned busy_poll_us;
  int serve;
  uint32_t so_busy_poll;
  if (dxio_tuning_opts(env, opts, &busy_poll_us, &serve)) return NULL;
  if (opt_u32(env, opts, "soBusyPoll", 0, &so_busy_poll)) return throw_type(env, "invalid option type");
  if (so_busy_poll > 1000) return throw_type(env, "soBusyPoll must be 0..1000");

  handle *h = dxio_new_handle(env, KIND_PACKET, ifname, batch, max_frame);
  if (!h) return dxio_throw_errno(env, ENOMEM, "open", ifname);
  h->busy_poll_us = busy_poll_us;
  h->serve = serve;
  int saved_ns;
  if (dxio_netns_enter(netns, &saved_ns) != 0) return dxio_open_failed(env, h, errno, "setns", -1);

  /* Protocol 0 at socket(): the socket receives nothing until bind() names
   * both interface and protocol, so no frame of another interface slips in. */
  h->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (h->fd < 0) return dxio_open_failed(env, h, errno, "socket(AF_PACKET)", saved_ns);
  h->ctl_fd = dxio_open_ctl();
  if (h->ctl_fd < 0) return dxio_open_failed(env, h, errno, "socket(AF_NETLINK)", saved_ns);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (dxio_ifreq_ioctl(h->ctl_fd, ifname, SIOCGIFINDEX, &ifr) != 0) return dxio_open_failed(env, h, errno, "SIOCGIFINDEX", saved_ns);
  h->ifindex = ifr.ifr_ifindex;
  dxio_netns_leave(saved_ns);
  saved_ns = -1;

  int one = 1;
  if (setsockopt(h->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == 0)
    h->ignore_outgoing = 1;
  else if (errno != ENOPROTOOPT)
    return dxio_open_failed(env, h, errno, "setsockopt(PACKET_IGNORE_OUTGOING)", -1);
  if (setsockopt(h->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0) return dxio_open_failed(env, h, errno, "setsockopt(PACKET_AUXDATA)", -1);
  set_buf(h->fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
  set_buf(h->fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
  /* SO_BUSY_POLL (socket(7)): a blocking read with nothing queued polls
   * the NAPI context the socket last received from for up to this many
   * microseconds; above net.core.busy_read it needs CAP_NET_ADMIN. The
   * kernel busy-polls only a socket that recorded a NAPI id
   * (include/net/busy_poll.h, sk_can_busy_loop): a veth without XDP or GRO
   * has no NAPI context, and SO_INCOMING_NAPI_ID reads 0 on the lab's wire
   * sockets, so here it changes nothing (README, "The live link"). Kept as
   * an experiment for wires that have one. */
  if (so_busy_poll && setsockopt(h->fd, SOL_SOCKET, SO_BUSY_POLL, &so_busy_poll, sizeof so_busy_poll) != 0)
    return dxio_open_failed(env, h, errno, "setsockopt(SO_BUSY_POLL)", -1);
  if (ring_version) {
    /* Rings before bind: frames go to the ring from the first one on. */
    memset(&ifr, 0, sizeof ifr);
    int mtu = dxio_ifreq_ioctl(h->ctl_fd, ifname, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : 1500;
    int re = setup_rings(h, ring_version, (size_t)mtu);
    if (re) return dxio_open_failed(env, h, -re, "PACKET_RX_RING/PACKET_TX_RING", -1);
  }

  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons((uint16_t)ether_type);
  sll.sll_ifindex = h->ifindex;
  if (bind(h->fd, (struct sockaddr *)&sll, sizeof sll) != 0) return dxio_open_failed(env, h, errno, "bind(AF_PACKET)", -1);
  if (promisc) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = h->ifindex;
    mr.mr_type = PACKET_MR_PROMISC;
    /* Membership ends with the socket: the kernel drops the promiscuity count
     * when it is closed (packet_flush_mclist). */
    if (setsockopt(h->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
      return dxio_open_failed(env, h, errno, "setsockopt(PACKET_ADD_MEMBERSHIP)", -1);
  }
  int e = dxio_alloc_buffers(h);
  if (e) return dxio_open_failed(env, h, -e, "malloc", -1);
  dxio_read_link_stats(h, &h->base);
  return dxio_wrap_handle(env, h);
}

/* ------------------------------------------------------------------------ */
/* receive                                                                   */

/* Puts back an 802.1Q tag that the receive path moved into the skb
 * (skb_vlan_untag, __netif_receive_skb_core) and the kernel reports beside
 * the frame (PACKET_AUXDATA, or a ring slot's header), so that the frame is
 * the one on the wire. The tag goes into the VLAN_ROOM octets in front. */
static inline uint8_t *put_vlan(uint8_t *frame, size_t *len, uint32_t status, uint16_t tci, uint16_t tpid) {
  if (!(status & TP_STATUS_VLAN_VALID) || *len < 12) return frame;
  uint16_t t = (status & TP_STATUS_VLAN_TPID_VALID) ? tpid : ETH_P_8021Q;
  memmove(frame - VLAN_ROOM, frame, 12);
  frame -= VLAN_ROOM;
  frame[12] = (uint8_t)(t >> 8);
  frame[13] = (uint8_t)t;
  frame[14] = (uint8_t)(tci >> 8);
  frame[15] = (uint8_t)tci;
  *len += VLAN_ROOM;
  return frame;
}

/* Reads one batch into the arena. Returns frames kept (rx_ptr/rx_len), 0 when
 * nothing is waiting, or -errno. */
int dxio_rx_packet(handle *h) {
  unsigned b = h->batch;
  for (unsigned i = 0; i < b; i++) {
    h->rx_iov[i].iov_base = h->arena + i * h->slot + VLAN_ROOM;
    h->rx_iov[i].iov_len = h->slot - VLAN_ROOM;
    struct msghdr *m = &h->rx_msgs[i].msg_hdr;
    m->msg_name = &h->rx_addr[i];
    m->msg_namelen = sizeof h->rx_addr[i];
    m->msg_iov = &h->rx_iov[i];
    m->msg_iovlen = 1;
    m->msg_control = h->rx_cmsg + i * CMSG_ROOM;
    m->msg_controllen = CMSG_ROOM;
    m->msg_flags = 0;
  }
  uint64_t t0 = dxio_ticks();
  int n = recvmmsg(h->fd, h->rx_msgs, b, MSG_DONTWAIT, NULL);
  stage_add(&h->stages[STAGE_READ], t0, 1, n > 0 ? (uint64_t)n : 0);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
  int kept = 0;
  for (int i = 0; i < n; i++) {
    struct msghdr *m = &h->rx_msgs[i].msg_hdr;
    uint8_t *frame = h->rx_iov[i].iov_base;
    size_t len = h->rx_msgs[i].msg_len;
    if (!h->ignore_outgoing && h->rx_addr[i].sll_pkttype == PACKET_OUTGOING) continue;
    if (m->msg_flags & MSG_TRUNC) {
      h->rx_truncated++;
      continue;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
      if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
      struct tpacket_auxdata aux;
      memcpy(&aux, CMSG_DATA(c), sizeof aux);
      frame = put_vlan(frame, &len, aux.tp_status, aux.tp_vlan_tci, aux.tp_vlan_tpid);
    }
    h->rx_ptr[kept] = frame;
    h->rx_len[kept] = (uint32_t)len;
    kept++;
  }
  /* All read frames were our own or truncated: report "more may wait". */
  if (kept == 0 && n > 0) return n == (int)b ? -EAGAIN : 0;
  return kept;
}

/* A frame read from a ring: kept in rx_ptr/rx_len (pointing into the ring
 * until dxio_rx_ring_release), or counted as truncated. */
static int ring_keep(handle *h, int kept, uint8_t *frame, size_t len, size_t wire_len, const struct sockaddr_ll *sll) {
  if (!h->ignore_outgoing && sll->sll_pkttype == PACKET_OUTGOING) return kept;
  if (wire_len > len) {
    h->rx_truncated++;
    return kept;
  }
  h->rx_ptr[kept] = frame;
  h->rx_len[kept] = (uint32_t)len;
  return kept + 1;
}

/* Reads up to one batch from the receive ring. Slots stay the process's
 * until dxio_rx_ring_release, after the frames were delivered. */
static int rx_ring(handle *h) {
  int kept = 0;
  if (h->ring == TPACKET_V2) {
    while (kept < (int)h->batch) {
      struct tpacket2_hdr *ph = (void *)(h->ring_map + (size_t)h->rx_cur * h->rx_frame_size);
      uint32_t st = __atomic_load_n(&ph->tp_status, __ATOMIC_ACQUIRE);
      if (!(st & TP_STATUS_USER)) break;
      size_t len = ph->tp_snaplen;
      uint8_t *frame = put_vlan((uint8_t *)ph + ph->tp_mac, &len, st, ph->tp_vlan_tci, ph->tp_vlan_tpid);
      const struct sockaddr_ll *sll = (void *)((uint8_t *)ph + TPACKET_ALIGN(sizeof *ph));
      kept = ring_keep(h, kept, frame, len, ph->tp_len + (len - ph->tp_snaplen), sll);
      h->rx_release[h->rx_nrelease++] = h->rx_cur;
      h->rx_cur = (h->rx_cur + 1) % h->rx_frames;
    }
    return kept;
  }
  while (kept < (int)h->batch) {
    struct tpacket_block_desc *bd = (void *)(h->ring_map + (size_t)h->rx_cur * h->rx_block_size);
    if (!h->rx_blk_pkt) {
      /* Every block is ours, waiting for release: the next one is the first
       * of them again, already read. */
      if (h->rx_nrelease == h->rx_blocks) break;
      if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
      h->rx_blk_pkt = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
      h->rx_blk_left = bd->hdr.bh1.num_pkts;
    }
    while (h->rx_blk_left && kept < (int)h->batch) {
      struct tpacket3_hdr *ph = (void *)h->rx_blk_pkt;
      size_t len = ph->tp_snaplen;
      uint8_t *frame = put_vlan((uint8_t *)ph + ph->tp_mac, &len, ph->tp_status, ph->hv1.tp_vlan_tci, ph->hv1.tp_vlan_tpid);
      const struct sockaddr_ll *sll = (void *)((uint8_t *)ph + TPACKET_ALIGN(sizeof *ph));
      kept = ring_keep(h, kept, frame, len, ph->tp_len + (len - ph->tp_snaplen), sll);
      h->rx_blk_pkt += ph->tp_next_offset;
      h->rx_blk_left--;
    }
    if (h->rx_blk_left) break; /* the batch is full; the block's rest comes next */
    h->rx_release[h->rx_nrelease++] = h->rx_cur;
    h->rx_cur = (h->rx_cur + 1) % h->rx_blocks;
    h->rx_blk_pkt = NULL;
  }
  return kept;
}

int dxio_rx_ring(handle *h) {
  uint64_t t0 = dxio_ticks();
  int kept = rx_ring(h);
  /* No system call: the ring is read in memory. */
  stage_add(&h->stages[STAGE_READ], t0, 0, (uint64_t)kept);
  return kept;
}

/* Gives the slots of delivered frames back to the kernel. */
void dxio_rx_ring_release(handle *h) {
  /* The delivery callback may have closed the handle (its microtasks run
   * before napi_make_callback returns): the ring is gone then. */
  if (!h->ring_map || h->closed) {
    h->rx_nrelease = 0;
    return;
  }
  for (unsigned i = 0; i < h->rx_nrelease; i++) {
    unsigned k = h->rx_release[i];
    if (h->ring == TPACKET_V2)
      __atomic_store_n(&((struct tpacket2_hdr *)(h->ring_map + (size_t)k * h->rx_frame_size))->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    else
      __atomic_store_n(&((struct tpacket_block_desc *)(h->ring_map + (size_t)k * h->rx_block_size))->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  }
  h->rx_nrelease = 0;
}

/* ------------------------------------------------------------------------ */
/* send                                                                      */

/* Sends tx_iov[0..n) with sendmmsg, one message per frame. */
uint32_t dxio_tx_packet(handle *h, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    struct msghdr *m = &h->tx_msgs[i].msg_hdr;
    memset(m, 0, sizeof *m);
    m->msg_iov = &h->tx_iov[i];
    m->msg_iovlen = 1;
  }
  uint32_t done = 0, accepted = 0;
  while (done < n) {
    uint64_t t0 = dxio_ticks();
    int r = sendmmsg(h->fd, h->tx_msgs + done, n - done, MSG_DONTWAIT);
    stage_add(&h->stages[STAGE_WRITE], t0, 1, r > 0 ? (uint32_t)r : 0);
    if (r > 0) {
      for (int i = 0; i < r; i++) {
        h->tx_packets++;
        h->tx_bytes += h->tx_iov[done + i].iov_len;
      }
      done += (uint32_t)r;
      accepted += (uint32_t)r;
      continue;
    }
    int e = r < 0 ? errno : EIO;
    if (e == EINTR) continue;
    if (per_frame_error(e)) {
      count_refused(h, e, 1);
      done++;
      continue;
    }
    count_refused(h, e, n - done);
    break;
  }
  return accepted;
}

/* Has the kernel send the `queued` slots marked SEND_REQUEST; counts them.
 * Returns -1 when it refused (link down or gone): the kernel took the slots
 * back (PACKET_LOSS), so they count as refused. */
static int ring_flush(handle *h, uint32_t queued, uint64_t octets) {
  for (;;) {
    uint64_t t0 = dxio_ticks();
    ssize_t r = send(h->fd, NULL, 0, MSG_DONTWAIT);
    /* The copies into the slots before are not timed: a memcpy per frame. */
    stage_add(&h->stages[STAGE_WRITE], t0, 1, r >= 0 ? queued : 0);
    if (r >= 0 || errno == EAGAIN || errno == ENOBUFS) break;
    if (errno == EINTR) continue;
    count_refused(h, errno, queued);
    return -1;
  }
  h->tx_packets += queued;
  h->tx_bytes += octets;
  return 0;
}

/* dxio_tx_packet through the transmit ring: frames copied into free slots, then
 * one send() has the kernel send every slot marked SEND_REQUEST. A full ring
 * refuses the rest of the batch, counted as dropped (as EAGAIN would be). */
uint32_t dxio_tx_ring(handle *h, uint32_t n) {
  uint32_t queued = 0, accepted = 0;
  uint64_t octets = 0;
  size_t data = h->ring == TPACKET_V2 ? TX_DATA_V2 : TX_DATA_V3;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *slot = h->tx_ring + (size_t)h->tx_cur * h->tx_frame_size;
    uint32_t *status = h->ring == TPACKET_V2 ? &((struct tpacket2_hdr *)slot)->tp_status : &((struct tpacket3_hdr *)slot)->tp_status;
    if (__atomic_load_n(status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE && queued) {
      /* Full: send what is queued; the slots of frames the peer has taken
       * meanwhile come free. */
      if (ring_flush(h, queued, octets) < 0) return 0;
      accepted += queued;
      queued = 0;
      octets = 0;
    }
    if (__atomic_load_n(status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) {
      count_refused(h, EAGAIN, n - i);
      break;
    }
    size_t len = h->tx_iov[i].iov_len;
    const uint8_t *f = h->tx_iov[i].iov_base;
    /* The kernel drops a frame longer than MTU + 14 (+ 4 with an 802.1Q tag)
     * without a word when PACKET_LOSS is set (tpacket_snd): refuse it here as
     * sendmmsg would, with EMSGSIZE. */
    size_t most = h->ring_mtu + 14 + (len >= 14 && f[12] == 0x81 && f[13] == 0x00 ? 4 : 0);
    if (len > h->tx_frame_size - data || len > most) {
      count_refused(h, EMSGSIZE, 1);
      continue;
    }
    memcpy(slot + data, h->tx_iov[i].iov_base, len);
    if (h->ring == TPACKET_V2)
      ((struct tpacket2_hdr *)slot)->tp_len = (uint32_t)len;
    else
      ((struct tpacket3_hdr *)slot)->tp_len = (uint32_t)len;
    __atomic_store_n(status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
    h->tx_cur = (h->tx_cur + 1) % h->tx_frames;
    queued++;
    octets += len;
  }
  if (queued && ring_flush(h, queued, octets) < 0) return accepted;
  return accepted + queued;
}

napi_value dxio_packet_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports, EXPORT_FN("openPacket", open_packet));
}
