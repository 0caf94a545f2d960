/*
 * The frame I/O handle (an AF_PACKET socket or a TAP, dxio.c says what the
 * addon does with them) and what the files that work on it share:
 *   handle.c       a handle's life: open, buffers, poll box, close,
 *                  finalize; errors; the interface's control socket
 *   packet.c       AF_PACKET sockets: openPacket, recvmmsg/sendmmsg, rings
 *   tap.c          TAP devices: openTap, read/write, with offloads readv/writev
 *   vnet.c         the TAP offload logic on frames alone (vnet.h)
 *   rxtx.c         the readable-event loop, delivery to JavaScript, send
 *   fastpath-io.c  the SecY fast path fed from the handles (fastpath.c)
 *   info.c         stats, mtu, mac, info
 * Functions shared between these files carry the dxio_ prefix and are
 * declared here, each under the file that defines it. What runs per frame
 * stays inside one file (or static inline below), so that splitting the
 * addon by concern costs the receive and send loops no call per frame.
 */
#ifndef DXIO_H
#define DXIO_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before any include (recvmmsg, sendmmsg, setns)"
#endif
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "vnet.h"

/* sendmmsg takes at most UIO_MAXIOV (1024) messages per call. */
#define TX_CHUNK 1024
/* Room in front of each receive slot to put back an 802.1Q tag that the
 * kernel moved into the packet's metadata (PACKET_AUXDATA). */
#define VLAN_ROOM 4
#define CMSG_ROOM CMSG_SPACE(sizeof(struct tpacket_auxdata))
#define MAX_BATCH 1024

enum kind { KIND_PACKET = 1, KIND_TAP = 2 };
enum mode { DELIVER_BATCH = 0, DELIVER_PER_FRAME = 1 };
enum serve { SERVE_OWN = 0, SERVE_WIRE_FIRST = 1, SERVE_TAP_FIRST = 2 };

typedef struct link_stats {
  int valid;
  struct rtnl_link_stats64 s;
} link_stats;

typedef struct fastpath fastpath; /* fastpath.h */
struct handle;

/* ------------------------------------------------------------------------ */
/* stages.c: what each stage of the data path costs                          */

/*
 * Each handle adds up, per stage, the time spent (TSC cycles), the system
 * calls made and the frames that went through: the read and write system
 * calls, the TAP's segmentation (GSO cut and checksums) and coalescing, the
 * fast path's protect or validate (SecTAG, replay check, AES-GCM), the
 * crossing into JavaScript, and the whole readable-event callback (STAGE_LOOP:
 * calls are wakeups). A stage is timed once per batch or per system call,
 * never per octet: __rdtsc() costs about 12 ns here against 30 ns for
 * clock_gettime(CLOCK_MONOTONIC) through the vDSO (a C loop of 20 M calls
 * each, 2026-12-07), so the timing stays on (README, "The live link").
 */
enum stage_id { STAGE_READ, STAGE_SEGMENT, STAGE_CRYPTO, STAGE_COALESCE, STAGE_WRITE, STAGE_JS, STAGE_LOOP, STAGE_COUNT };
typedef struct stage {
  uint64_t cycles, calls, frames;
} stage;

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
/* The TSC: constant rate on this machine's kind (constant_tsc, nonstop_tsc). */
static inline uint64_t dxio_ticks(void) { return __rdtsc(); }
#else
#include <time.h>
static inline uint64_t dxio_ticks(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
#endif

static inline void stage_add(stage *s, uint64_t t0, uint64_t calls, uint64_t frames) {
  s->cycles += dxio_ticks() - t0;
  s->calls += calls;
  s->frames += frames;
}

/* The uv_poll_t lives apart from the handle: libuv releases it one loop turn
 * after uv_close, when the handle may already be garbage. It also carries the
 * async cleanup hook that keeps Node from unloading this addon (a worker
 * exiting, the process ending) before libuv has called on_box_closed, which
 * is code of this addon. */
typedef struct pollbox {
  uv_poll_t poll; /* first: a uv_handle_t* of it is the box */
  napi_async_cleanup_hook_handle hook;
  struct handle *h;
  int closing;
} pollbox;

/* First field of every handle: an external that is not a handle (a GCM key,
 * a fast path) is refused instead of being read as one. */
#define DXIO_HANDLE_MAGIC 0x6478696fu /* "dxio" */

typedef struct handle {
  uint32_t magic;
  napi_env env;
  enum kind kind;
  int fd;
  int ctl_fd;
  int ifindex;
  char ifname[IFNAMSIZ];
  int closed;
  int finalized;
  int in_callback;
  int ignore_outgoing; /* kernel filters our own frames; else we do */

  uv_poll_t *poll; /* &box->poll */
  pollbox *box;
  int polling;
  enum mode mode;
  napi_ref self_ref;  /* strong while polling: a reading handle is not garbage */
  napi_ref cb_ref;
  napi_ref lengths_ref; /* Uint32Array shared with JS */
  uint32_t *lengths;
  napi_async_context async_ctx;

  unsigned batch;
  size_t slot;       /* stride of one receive slot */
  size_t max_frame;
  uint8_t *arena;
  struct mmsghdr *rx_msgs;
  struct iovec *rx_iov;
  struct sockaddr_ll *rx_addr;
  uint8_t *rx_cmsg;
  uint8_t **rx_ptr;
  uint32_t *rx_len;

  struct mmsghdr *tx_msgs;
  struct iovec *tx_iov;

  uint64_t rx_packets, rx_bytes, rx_truncated, rx_errors, tp_drops;
  uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
  int last_rx_errno, last_tx_errno;
  link_stats base; /* kernel counters when the handle opened */
  uint32_t nl_seq;

  napi_ref err_cb_ref;

  stage stages[STAGE_COUNT]; /* stages.c */
  /* Experiments (README, "The data path"): spin on the handle (and the
   * other handles of its fast path) for up to busy_poll_us after the
   * queue ran dry; serve the fast path's wire and TAPs together on any one's
   * readable event, in this order (SERVE_OWN: each on its own event). */
  unsigned busy_poll_us;
  int serve;

  /* TAP offloads (IFF_VNET_HDR; see tap.c and vnet.c). */
  int offload;
  int coalesce;
  unsigned rx_cap;     /* frames per delivery: batch, or VNET_RX_FRAMES */
  size_t rx_out_cap;   /* octets of the arena (offload: one contiguous area) */
  uint8_t *rx_super;   /* one frame as read, before segmentation */
  size_t rx_super_cap;
  struct virtio_net_hdr rx_vh;
  size_t rx_super_len;
  int rx_pending;      /* rx_super holds a frame that did not fit the last batch */
  int rx_more;         /* the last batch stopped full: more may wait */
  struct iovec *tx_wiov;
  uint64_t rx_super_frames, rx_segments, rx_csum_done, rx_offload_errors;
  uint64_t tx_gso_frames, tx_gso_segments;

  /* PACKET_MMAP rings (packet sockets opened with ring 'v2' or 'v3'; see
   * packet.c): the mapping holds the receive ring, then the transmit ring. */
  int ring;            /* 0: recvmmsg/sendmmsg; TPACKET_V2 or TPACKET_V3 */
  uint8_t *ring_map;
  size_t ring_map_len;
  size_t rx_block_size, rx_frame_size;
  unsigned rx_blocks, rx_frames;
  unsigned rx_cur;     /* V3: current block; V2: current frame */
  uint8_t *rx_blk_pkt; /* V3: next packet of the current block, NULL before its first */
  unsigned rx_blk_left;
  unsigned *rx_release; /* slots (V2 frames, V3 blocks) to give back once delivered */
  unsigned rx_nrelease;
  uint8_t *tx_ring;
  size_t ring_mtu;     /* the interface's MTU when the rings were made */
  size_t tx_frame_size;
  unsigned tx_frames, tx_cur;

  /* The SecY fast path this handle feeds (fastpath-io.c), and where its
   * output waits until written: fp_tap is the TAP's index, -1 on the wire. */
  fastpath *fp;
  int fp_tap;
  uint8_t *fp_out;
  uint8_t **fp_qptr;
  uint32_t *fp_qlen;
  int *fp_qtap;
} handle;

/* ------------------------------------------------------------------------ */
/* handle.c                                                                  */

/* The error of a failed system call on ifname (NULL: none): code the errno's
 * name, message "syscall ifname: NAME (strerror)". */
napi_value dxio_make_error(napi_env env, int e, const char *syscall, const char *ifname);
/* Throws dxio_make_error; returns NULL. */
napi_value dxio_throw_errno(napi_env env, int e, const char *syscall, const char *ifname);

/* Copies at most IFNAMSIZ-1 characters and terminates. */
void dxio_copy_ifname(char *dst, const char *src);
/* An interface ioctl (SIOCGIFMTU...) on fd for ifname. */
int dxio_ifreq_ioctl(int fd, const char *ifname, unsigned long req, struct ifreq *ifr);
/* RTM_GETLINK for the handle's ifindex; fills IFLA_STATS64. Returns 0 or -errno. */
int dxio_read_link_stats(handle *h, link_stats *out);
/* A NETLINK_ROUTE socket (the handle's ctl_fd), or -1 with errno. */
int dxio_open_ctl(void);

/* Reads (ifname, options) shared by both opens; NULL when it threw. */
napi_value dxio_open_args(napi_env env, napi_callback_info info, char *ifname, napi_value *opts);
/* A handle not yet open (fds -1), or NULL. */
handle *dxio_new_handle(napi_env env, enum kind kind, const char *ifname, uint32_t batch, uint32_t max_frame);
/* Receive and send buffers for the handle's batch and kind; 0 or -ENOMEM. */
int dxio_alloc_buffers(handle *h);
/* The JavaScript external of an open handle, with its poll box; NULL when it threw. */
napi_value dxio_wrap_handle(napi_env env, handle *h);
/* Fails an open: leaves the namespace, releases what was made, frees h, throws. */
napi_value dxio_open_failed(napi_env env, handle *h, int e, const char *syscall, int saved_ns);

/* The handle behind an external (throws and returns NULL for anything else,
 * or for a closed handle when must_be_open). */
handle *dxio_get_handle(napi_env env, napi_value v, int must_be_open);
/* The handle passed as the only argument of stop, close, stats, mtu, mac and
 * info: NULL when it threw, or when the call had no argument at all. */
handle *dxio_handle_arg(napi_env env, napi_callback_info info, int must_be_open);
void dxio_stop_polling(handle *h);
void dxio_close_handle(handle *h);

/* ------------------------------------------------------------------------ */
/* packet.c, tap.c: one batch in, one batch out                              */

/* Each receive reads one batch into rx_ptr/rx_len and returns the frames
 * kept, 0 when nothing is waiting, -EAGAIN when frames were read but none
 * kept and more may wait, or -errno. */
int dxio_rx_packet(handle *h);
int dxio_rx_ring(handle *h);
/* Gives the ring slots of delivered frames back to the kernel. */
void dxio_rx_ring_release(handle *h);
int dxio_rx_tap(handle *h);
/* With offloads; up to max_reads reads (0: only the frame left waiting). */
int dxio_rx_tap_vnet(handle *h, unsigned max_reads);

/* Each send writes tx_iov[0..n) (n <= TX_CHUNK) and returns the frames the
 * kernel accepted; the others are counted (count_refused). */
uint32_t dxio_tx_packet(handle *h, uint32_t n);
uint32_t dxio_tx_ring(handle *h, uint32_t n);
uint32_t dxio_tx_tap(handle *h, uint32_t n);
uint32_t dxio_tx_tap_vnet(handle *h, uint32_t n);

/* Per-frame refusals: the next frame may go through. Anything else (queue
 * full, link down, device gone) refuses the rest of the batch too. */
static inline int per_frame_error(int e) { return e == EMSGSIZE || e == EINVAL || e == EFAULT; }
static inline int is_drop(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS; }

static inline void count_refused(handle *h, int e, uint64_t frames) {
  h->last_tx_errno = e;
  if (is_drop(e))
    h->tx_dropped += frames;
  else
    h->tx_errors += frames;
}

/* ------------------------------------------------------------------------ */
/* rxtx.c                                                                    */

/* Sends tx_iov[0..n) (n <= TX_CHUNK) the way the handle writes. */
uint32_t dxio_tx_send(handle *h, uint32_t n);
/* Writes frames to a handle in one batch (the send() path without JavaScript). */
uint32_t dxio_tx_frames(handle *h, uint8_t **ptr, const uint32_t *len, uint32_t n);

/* ------------------------------------------------------------------------ */
/* fastpath-io.c                                                             */

/* Runs the frames just read (rx_ptr/rx_len 0..n-1) through the handle's fast
 * path: what it protects or validates is written at once; the others stay,
 * in order, at the front of rx_ptr/rx_len for JavaScript. Returns how many. */
int dxio_fp_run(handle *h, int n);
/* Detaches the fast path from its handles (a handle closing, the fast path
 * freed). */
void dxio_fastpath_detach(fastpath *fp);
/* What rxtx.c's serve needs of a fast path: a LAG's or a LAG member's (served
 * handle by handle), its wire, its TAP t (0..FP_MAX_TAPS-1, NULL when none). */
int dxio_fp_is_lag_part(const fastpath *fp);
handle *dxio_fp_wire(const fastpath *fp);
handle *dxio_fp_tap(const fastpath *fp, int t);

/* ------------------------------------------------------------------------ */
/* info.c                                                                    */

/* TSC ticks (dxio_ticks) per microsecond, calibrated against CLOCK_MONOTONIC. */
uint64_t dxio_ticks_per_us(void);

/* ------------------------------------------------------------------------ */
/* handle.c: the experiments' options of both opens                          */

/* Reads busyPollUs (0..1000) and serve ('own', 'wire', 'tap') from an open's
 * options; 0, or -1 with a TypeError thrown. */
int dxio_tuning_opts(napi_env env, napi_value opts, unsigned *busy_poll_us, int *serve);

#endif
