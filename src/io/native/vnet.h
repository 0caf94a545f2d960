/*
 * The TAP offload logic (vnet.c): pure functions on frames and their
 * virtio-net headers, no file descriptor, no handle. tap.c calls them on
 * every frame of a TAP opened with offload; vnet.c also exports them alone
 * to JavaScript for test/unit/io/tap-offload.test.ts.
 */
#ifndef DXIO_VNET_H
#define DXIO_VNET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

/* Frames and octets per delivery once super-frames are segmented (a 64 KiB
 * super-frame at MSS 48, tcp_min_snd_mss, is 1366 segments), and TCP
 * segments coalesced into one GSO write at most. */
#define VNET_RX_FRAMES 2048
#define VNET_RX_OCTETS (256 * 1024)
#define VNET_TX_RUN 64
/* struct virtio_net_hdr, as TUNSETVNETHDRSZ sets it (tap.c says why). */
#define VNET_HDR_OCTETS 10
/* The largest header a coalesced write carries: Ethernet, IPv4 and TCP with
 * options (IPv6 with TCP options is shorter: 14 + 40 + 60). */
#define VNET_TX_HDR_MAX (14 + 60 + 60)

/* Where received frames go: back to back in buf, their starts and lengths in
 * ptr/len. */
typedef struct vnet_out {
  uint8_t *buf;
  size_t cap, used;
  uint8_t **ptr;
  uint32_t *len;
  unsigned max, n;
} vnet_out;

/* Turns one frame read from the TAP, with its virtio header, into ordinary
 * frames appended to o: a super-frame into its segments, a frame with a
 * partial checksum into one with the checksum completed, any other frame as
 * it is. Returns 0; -ENOSPC when the result does not fit what is left of o;
 * -EPROTO for a GSO type never offered (UDP); -EINVAL for headers that do not
 * add up. o is unchanged on error. */
int dxio_vnet_rx_frame(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len, vnet_out *o);

/* How many frames from f[i] one write carries, k >= 1, and its virtio header.
 * k == 1: the frame as it is, DATA_VALID. k > 1: one TCP super-frame whose
 * headers (*hdrs octets) are built in hdr (VNET_TX_HDR_MAX octets); each
 * frame contributes its payload (the octets past *hdrs). */
unsigned dxio_vnet_tx_run(const struct iovec *f, unsigned n, unsigned i, int coalesce, struct virtio_net_hdr *vh, uint8_t *hdr, size_t *hdrs_out);

#endif
