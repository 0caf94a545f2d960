/*
 * The TAP offload logic (vnet.h): virtio-net segmentation, checksums and
 * coalescing, as pure functions on frames in memory. Apart from tap.c,
 * which reads and writes the TAP around them, so that they can be read,
 * and tested (the exports below, test/unit/io/tap-offload.test.ts), without
 * a device.
 *
 * A TAP opened with IFF_VNET_HDR carries a struct virtio_net_hdr in front of
 * every frame, both ways (Documentation/networking/tuntap.rst; the header is
 * the virtio spec's, 5.1.6 "Device Operation", legacy layout in host byte
 * order: tun_is_little_endian is true on a little-endian host). TUNSETOFFLOAD
 * then lets the kernel hand over what a NIC with checksum and TCP
 * segmentation offload would get: frames whose TCP/UDP checksum is left to
 * the device (VIRTIO_NET_HDR_F_NEEDS_CSUM at csum_start/csum_offset, the
 * field holding the pseudo-header sum) and TCP super-frames of up to 64 KiB
 * (gso_type TCPV4/TCPV6, gso_size the MSS). The C prototype of DESIGN.md
 * measured what this is worth: 4.2-4.4 Gbit/s at MTU 1500 against 2.4-3.0
 * for every per-frame design, the kernel's per-frame work dominating.
 *
 * JavaScript keeps seeing ordinary Ethernet frames: on receive, super-frames
 * are cut into MSS-sized segments here, as the kernel's tcp_gso_segment and
 * inet_gso_segment would (headers copied, IPv4 total length, ID and header
 * checksum, IPv6 payload length, TCP sequence number; FIN and PSH on the last
 * segment only, CWR on the first only), and every checksum the header marks
 * as needed is completed, so that protected frames and decrypted captures
 * carry correct checksums.
 *
 * On send, each frame gets a header too. A single frame is written with
 * VIRTIO_NET_HDR_F_DATA_VALID (CHECKSUM_UNNECESSARY): a frame written into
 * the TAP has passed the MACsec ICV check, and its inner checksums were
 * computed by the sender (or by the segmentation above). Consecutive TCP
 * segments of one flow in one send are coalesced into one GSO frame, as GRO
 * would (tcp_gro_receive: same addresses, ports, ACK, window and options,
 * flags equal but for PSH, contiguous sequence numbers, every segment but the
 * last of the first one's size; IPv4 without fragments, IPv6 without
 * extension headers): written with NEEDS_CSUM, gso_type TCPV4 or TCPV6,
 * gso_size the first segment's payload, csum_start 14 + IP header,
 * csum_offset 16 and the folded pseudo-header sum in the TCP checksum field,
 * the settings DESIGN.md records; the kernel delivers it to the socket as one
 * skb, or segments it again if it forwards it.
 *
 * Exports, for tests only: vnetSegment(header, frame) and
 * vnetCoalesce(frames), the receive and send logic on given frames.
 */
#define _GNU_SOURCE
#include "dxio.h" /* the test exports: TX_CHUNK, dxio_throw_errno */
#include "exports.h"
#include "napi-util.h"
#include "vnet.h"

#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_ECE 0x40
#define TCP_CWR 0x80

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void wr16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* The Internet checksum's one's complement sum (RFC 1071) of n octets, added
 * to s. The sum does not depend on byte order (RFC 1071 §2(B)): words are
 * loaded in host order, 8 octets at a time with end-around carry, and the
 * folded result is stored back in host order. A chain of calls must start
 * each piece at an even offset of the checksummed data. */
static uint64_t csum_add(uint64_t s, const uint8_t *p, size_t n) {
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    s += v;
    s += s < v;
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    uint32_t v;
    memcpy(&v, p, 4);
    s += v;
    s += s < v;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t v;
    memcpy(&v, p, 2);
    s += v;
    s += s < v;
    p += 2;
    n -= 2;
  }
  if (n) {
    uint8_t last[2] = {p[0], 0}; /* an odd last octet is padded with zero */
    uint16_t v;
    memcpy(&v, last, 2);
    s += v;
    s += s < v;
  }
  return s;
}

/* Folds to 16 bits, host order. */
static uint16_t csum_fold(uint64_t s) {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}

static inline void csum_put(uint8_t *field, uint16_t host_order) { memcpy(field, &host_order, 2); }

/* TCP pseudo-header (RFC 793 §3.1; RFC 8200 §8.1) for a TCP segment of
 * l4len octets behind the IPv4 or IPv6 header at ip. */
static uint64_t tcp_pseudo_sum(const uint8_t *ip, int v6, uint32_t l4len) {
  uint8_t tail[8] = {0};
  if (v6) {
    wr32(tail, l4len);
    tail[7] = 6;
    return csum_add(csum_add(0, ip + 8, 32), tail, 8);
  }
  tail[1] = 6;
  wr16(tail + 2, (uint16_t)l4len);
  return csum_add(csum_add(0, ip + 12, 8), tail, 4);
}

/* Where the network header starts, past up to two 802.1Q/802.1ad tags, and
 * its EtherType; -1 when the frame is too short. */
static int l3_offset(const uint8_t *f, size_t len, uint16_t *type) {
  size_t o = 12;
  for (int tags = 0;; tags++) {
    if (o + 2 > len) return -1;
    uint16_t t = rd16(f + o);
    if ((t == 0x8100 || t == 0x88a8) && tags < 2) {
      o += 4;
      continue;
    }
    *type = t;
    return (int)(o + 2);
  }
}

static inline void out_push(vnet_out *o, uint8_t *d, size_t len) {
  o->ptr[o->n] = d;
  o->len[o->n] = (uint32_t)len;
  o->n++;
  o->used += len;
}

/* Receive: one frame read from the TAP into ordinary frames (vnet.h). */
int dxio_vnet_rx_frame(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len, vnet_out *o) {
  uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
  if (gso == VIRTIO_NET_HDR_GSO_NONE) {
    if (o->n >= o->max || len > o->cap - o->used) return -ENOSPC;
    size_t start = vh->csum_start, off = vh->csum_offset;
    int partial = vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
    if (partial && start + off + 2 > len) return -EINVAL;
    uint8_t *d = o->buf + o->used;
    memcpy(d, f, len);
    if (partial) {
      /* The field holds the pseudo-header sum: summing from csum_start to the
       * end covers it (skb_checksum_help). */
      uint16_t c = (uint16_t)~csum_fold(csum_add(0, d + start, len - start));
      if (c == 0 && off == 6) c = 0xffff; /* UDP: 0 would mean "no checksum" (RFC 768) */
      csum_put(d + start + off, c);
    }
    out_push(o, d, len);
    return 0;
  }
  if (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6) return -EPROTO;
  int v6 = gso == VIRTIO_NET_HDR_GSO_TCPV6;
  uint16_t type;
  int l3i = l3_offset(f, len, &type);
  if (l3i < 0) return -EINVAL;
  size_t l3 = (size_t)l3i, l4;
  if (!v6) {
    if (type != ETH_P_IP || l3 + 20 > len || (f[l3] >> 4) != 4 || f[l3 + 9] != 6) return -EINVAL;
    size_t ihl = (size_t)(f[l3] & 15) * 4;
    if (ihl < 20) return -EINVAL;
    l4 = l3 + ihl;
  } else {
    if (type != ETH_P_IPV6 || l3 + 40 > len || (f[l3] >> 4) != 6) return -EINVAL;
    l4 = l3 + 40;
    if (f[l3 + 6] != 6) {
      /* Extension headers: csum_start points past them (the transport
       * header, as tcp_v6 set it). */
      if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || vh->csum_start < l4) return -EINVAL;
      l4 = vh->csum_start;
    }
  }
  if (l4 + 20 > len) return -EINVAL;
  size_t thl = (size_t)(f[l4 + 12] >> 4) * 4;
  size_t hdrs = l4 + thl;
  if (thl < 20 || hdrs > len) return -EINVAL;
  size_t payload = len - hdrs, mss = vh->gso_size;
  if (mss == 0) return -EINVAL;
  size_t nseg = payload ? (payload + mss - 1) / mss : 1;
  if (nseg > o->max - o->n || payload + nseg * hdrs > o->cap - o->used) return -ENOSPC;
  uint32_t seq0 = rd32(f + l4 + 4);
  uint16_t id0 = v6 ? 0 : rd16(f + l3 + 4);
  uint8_t flags0 = f[l4 + 13];
  for (size_t i = 0; i < nseg; i++) {
    size_t sl = i + 1 < nseg ? mss : payload - i * mss;
    uint8_t *d = o->buf + o->used;
    memcpy(d, f, hdrs);
    memcpy(d + hdrs, f + hdrs + i * mss, sl);
    uint8_t *ip = d + l3, *th = d + l4;
    if (!v6) {
      /* inet_gso_segment: the ID counts up from the super-frame's. */
      wr16(ip + 2, (uint16_t)(hdrs - l3 + sl));
      wr16(ip + 4, (uint16_t)(id0 + i));
      ip[10] = ip[11] = 0;
      csum_put(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, l4 - l3)));
    } else {
      wr16(ip + 4, (uint16_t)(hdrs - l3 - 40 + sl));
    }
    wr32(th + 4, seq0 + (uint32_t)(i * mss));
    uint8_t fl = flags0;
    if (i > 0) fl &= (uint8_t)~TCP_CWR;
    if (i + 1 < nseg) fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
    th[13] = fl;
    th[16] = th[17] = 0;
    csum_put(th + 16, (uint16_t)~csum_fold(csum_add(tcp_pseudo_sum(ip, v6, (uint32_t)(thl + sl)), th, thl + sl)));
    out_push(o, d, hdrs + sl);
  }
  return 0;
}

/* A frame that may join a coalesced write: untagged Ethernet, IPv4 (not a
 * fragment, total length = frame length - 14, so no padding) carrying TCP
 * with data and flags ACK, optionally PSH and ECE. Returns the octets of its
 * headers, or 0. */
static size_t tcp4_data_headers(const uint8_t *f, size_t len) {
  if (len < 14 + 20 + 20 || rd16(f + 12) != ETH_P_IP) return 0;
  const uint8_t *ip = f + 14;
  size_t ihl = (size_t)(ip[0] & 15) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6 || (rd16(ip + 6) & 0x3fff) || rd16(ip + 2) != len - 14) return 0;
  if (14 + ihl + 20 > len) return 0;
  const uint8_t *th = ip + ihl;
  size_t thl = (size_t)(th[12] >> 4) * 4;
  size_t hdrs = 14 + ihl + thl;
  if (thl < 20 || hdrs >= len) return 0;
  if ((th[13] & (uint8_t)~(TCP_PSH | TCP_ECE)) != TCP_ACK) return 0;
  return hdrs;
}

/* The same for IPv6: no extension headers (next header TCP), payload length
 * = frame length - 54. */
static size_t tcp6_data_headers(const uint8_t *f, size_t len) {
  if (len < 14 + 40 + 20 || rd16(f + 12) != ETH_P_IPV6) return 0;
  const uint8_t *ip = f + 14;
  if ((ip[0] >> 4) != 6 || ip[6] != 6 || rd16(ip + 4) != len - 54) return 0;
  const uint8_t *th = ip + 40;
  size_t thl = (size_t)(th[12] >> 4) * 4;
  size_t hdrs = 54 + thl;
  if (thl < 20 || hdrs >= len) return 0;
  if ((th[13] & (uint8_t)~(TCP_PSH | TCP_ECE)) != TCP_ACK) return 0;
  return hdrs;
}

/* Same flow and the same headers but for what segmentation changes (IPv4
 * total length, ID, checksum; IPv6 payload length; TCP sequence number, PSH,
 * checksum). Both frames passed tcp4_data_headers (tcp6_data_headers when v6)
 * with the same header length. */
static int same_headers(const uint8_t *a, const uint8_t *b, size_t hdrs, int v6) {
  size_t l4 = v6 ? 54 : 14 + (size_t)(a[14] & 15) * 4;
  int ip_same = v6 ? !memcmp(a, b, 18)                           /* Ethernet, version, traffic class, flow label */
                         && !memcmp(a + 20, b + 20, 34)          /* next header, hop limit, addresses */
                   : !memcmp(a, b, 16)                           /* Ethernet, IP version/IHL/TOS */
                         && !memcmp(a + 20, b + 20, 4)           /* flags/fragment, TTL, protocol */
                         && !memcmp(a + 26, b + 26, l4 - 26);    /* addresses, options */
  return ip_same && !memcmp(a + l4, b + l4, 4)                   /* ports */
         && !memcmp(a + l4 + 8, b + l4 + 8, 5)                  /* ACK number, data offset */
         && !((a[l4 + 13] ^ b[l4 + 13]) & (uint8_t)~TCP_PSH)    /* flags but PSH */
         && !memcmp(a + l4 + 14, b + l4 + 14, 2)                /* window */
         && !memcmp(a + l4 + 18, b + l4 + 18, hdrs - l4 - 18);  /* urgent pointer, options */
}

/* Send: the frames one write carries and its virtio header (vnet.h). */
unsigned dxio_vnet_tx_run(const struct iovec *f, unsigned n, unsigned i, int coalesce, struct virtio_net_hdr *vh, uint8_t *hdr, size_t *hdrs_out) {
  memset(vh, 0, sizeof *vh);
  vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
  *hdrs_out = 0;
  const uint8_t *a = f[i].iov_base;
  int v6 = 0;
  size_t hdrs = 0;
  if (coalesce && i + 1 < n) {
    hdrs = tcp4_data_headers(a, f[i].iov_len);
    if (!hdrs && (hdrs = tcp6_data_headers(a, f[i].iov_len))) v6 = 1;
  }
  if (!hdrs) return 1;
  size_t l4 = v6 ? 54 : 14 + (size_t)(a[14] & 15) * 4;
  size_t mss = f[i].iov_len - hdrs, total = f[i].iov_len;
  uint32_t next = rd32(a + l4 + 4) + (uint32_t)mss;
  const uint8_t *last = a;
  unsigned k = 1;
  while (i + k < n && k < VNET_TX_RUN) {
    /* A segment shorter than the first, or with PSH, ends the run (GRO
     * flushes on both). */
    if ((last[l4 + 13] & TCP_PSH) || f[i + k - 1].iov_len - hdrs != mss) break;
    const uint8_t *b = f[i + k].iov_base;
    size_t blen = f[i + k].iov_len;
    if ((v6 ? tcp6_data_headers(b, blen) : tcp4_data_headers(b, blen)) != hdrs || !same_headers(a, b, hdrs, v6)) break;
    size_t pl = blen - hdrs;
    if (pl > mss || rd32(b + l4 + 4) != next || total + pl > 14 + 65535) break;
    next += (uint32_t)pl;
    total += pl;
    last = b;
    k++;
  }
  if (k == 1) return 1;
  memcpy(hdr, a, hdrs);
  uint8_t *ip = hdr + 14, *th = hdr + l4;
  if (v6) {
    wr16(ip + 4, (uint16_t)(total - 54));
  } else {
    wr16(ip + 2, (uint16_t)(total - 14));
    ip[10] = ip[11] = 0;
    csum_put(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, l4 - 14)));
  }
  th[13] |= last[l4 + 13] & TCP_PSH;
  /* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, not inverted,
   * for whoever completes it (skb_checksum_help, or each segment's own after
   * tcp_gso_segment). */
  csum_put(th + 16, csum_fold(tcp_pseudo_sum(ip, v6, (uint32_t)(total - l4))));
  vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  vh->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
  vh->hdr_len = (uint16_t)hdrs;
  vh->gso_size = (uint16_t)mss;
  vh->csum_start = (uint16_t)l4;
  vh->csum_offset = 16;
  *hdrs_out = hdrs;
  return k;
}

/* ------------------------------------------------------------------------ */
/* The offload logic alone, for test/unit/io/tap-offload.test.ts             */


/* vnetSegment(header: 10 octets, frame) -> Buffer[]: what the receive path
 * hands JavaScript for this frame read from a TAP. Throws EINVAL, EPROTO or
 * ENOSPC (more than VNET_RX_FRAMES segments) as the receive path would drop. */
static napi_value vnet_segment_fn(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bytes hb, fb;
  if (argc < 2 || !u8_view(env, argv[0], &hb) || hb.len != VNET_HDR_OCTETS || !u8_view(env, argv[1], &fb))
    return throw_type(env, "expected (header: Uint8Array of 10 octets, frame: Uint8Array)");
  struct virtio_net_hdr vh;
  memcpy(&vh, hb.data, VNET_HDR_OCTETS);
  vnet_out o = {.cap = VNET_RX_OCTETS, .max = VNET_RX_FRAMES};
  o.buf = malloc(o.cap);
  o.ptr = calloc(o.max, sizeof *o.ptr);
  o.len = calloc(o.max, sizeof *o.len);
  napi_value out = NULL;
  int e = !o.buf || !o.ptr || !o.len ? -ENOMEM : dxio_vnet_rx_frame(&vh, fb.data, fb.len, &o);
  if (e < 0) {
    dxio_throw_errno(env, -e, "vnetSegment", NULL);
  } else if (napi_create_array_with_length(env, o.n, &out) == napi_ok) {
    for (unsigned i = 0; i < o.n; i++) {
      napi_value b;
      void *d;
      napi_create_buffer_copy(env, o.len[i], o.ptr[i], &d, &b);
      napi_set_element(env, out, i, b);
    }
  }
  free(o.buf);
  free(o.ptr);
  free(o.len);
  return out;
}

/* vnetCoalesce(frames) -> { frames, data }[]: each write the send path would
 * make (data = 10-octet virtio header + frame) and how many frames it carries. */
static napi_value vnet_coalesce_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_array = false;
  if (argc >= 1) napi_is_array(env, argv[0], &is_array);
  if (!is_array) return throw_type(env, "frames must be an array of Uint8Array");
  uint32_t n;
  NAPI_OK(napi_get_array_length(env, argv[0], &n));
  if (n > TX_CHUNK) return throw_type(env, "at most 1024 frames");
  struct iovec iov[TX_CHUNK];
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    NAPI_OK(napi_get_element(env, argv[0], i, &v));
    bytes b;
    if (!u8_view(env, v, &b)) return throw_type(env, "frames must be an array of Uint8Array");
    iov[i].iov_base = b.data;
    iov[i].iov_len = b.len;
  }
  napi_value out;
  NAPI_OK(napi_create_array(env, &out));
  uint32_t writes = 0;
  for (uint32_t i = 0; i < n;) {
    struct virtio_net_hdr vh;
    uint8_t hdr[VNET_TX_HDR_MAX];
    size_t hdrs;
    unsigned k = dxio_vnet_tx_run(iov, n, i, 1, &vh, hdr, &hdrs);
    size_t total = VNET_HDR_OCTETS + (k == 1 ? iov[i].iov_len : hdrs);
    if (k > 1)
      for (unsigned j = 0; j < k; j++) total += iov[i + j].iov_len - hdrs;
    napi_value b, o, c;
    uint8_t *d;
    NAPI_OK(napi_create_buffer(env, total, (void **)&d, &b));
    memcpy(d, &vh, VNET_HDR_OCTETS);
    size_t off = VNET_HDR_OCTETS;
    if (k == 1) {
      memcpy(d + off, iov[i].iov_base, iov[i].iov_len);
    } else {
      memcpy(d + off, hdr, hdrs);
      off += hdrs;
      for (unsigned j = 0; j < k; j++) {
        memcpy(d + off, (uint8_t *)iov[i + j].iov_base + hdrs, iov[i + j].iov_len - hdrs);
        off += iov[i + j].iov_len - hdrs;
      }
    }
    napi_create_object(env, &o);
    napi_create_uint32(env, k, &c);
    napi_set_named_property(env, o, "frames", c);
    napi_set_named_property(env, o, "data", b);
    napi_set_element(env, out, writes++, o);
    i += k;
  }
  return out;
}

napi_value dxio_vnet_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("vnetSegment", vnet_segment_fn),
                      EXPORT_FN("vnetCoalesce", vnet_coalesce_fn));
}
