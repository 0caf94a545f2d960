/*
 * dxio: the frame I/O addon of dxlab (Linux only; Node-API in C, nothing but
 * node_api.h, libuv as Node exports it, and the kernel's headers).
 *
 * Two kinds of handle, one shape:
 *   - an AF_PACKET SOCK_RAW socket bound to one interface (packet(7)):
 *     promiscuous through PACKET_ADD_MEMBERSHIP/PACKET_MR_PROMISC, its own
 *     transmissions hidden by PACKET_IGNORE_OUTGOING (Linux 4.20), large
 *     buffers through SO_RCVBUFFORCE/SO_SNDBUFFORCE, frames read with
 *     recvmmsg and written with sendmmsg;
 *   - a TAP device opened by name (/dev/net/tun, TUNSETIFF with
 *     IFF_TAP|IFF_NO_PI; Documentation/networking/tuntap.rst), read and
 *     written one frame per syscall since a tun fd has no batched call;
 *     with offloads (IFF_VNET_HDR, TUNSETOFFLOAD) one syscall moves a TCP
 *     super-frame of up to 64 KiB, segmented here on receive and coalesced
 *     here on send ("TAP offloads" below), so JavaScript still sees
 *     ordinary frames.
 *
 * Both are non-blocking and watched by a uv_poll on Node's own loop. On each
 * readable event the addon reads up to RX_ROUNDS batches and hands each batch
 * to JavaScript in ONE call: a fresh Buffer holding the frames back to back
 * plus their lengths in a Uint32Array shared with JS. bench/io.ts measured
 * this against one Buffer per frame (napi_create_buffer_copy each): the
 * receiving process spent 1.25 against 1.64 us of CPU per 64-octet frame, and
 * 1.42 against 1.94 us per 1500-octet frame.
 *
 * A MACsec port of a node attaches its wire and TAP handles to a fast path
 * (fastpath.c, fpAttach): the frames it can decide are then protected or
 * validated and written to the other side within this poll callback, and
 * only the others cross into JavaScript ("the SecY fast path" below).
 *
 * A packet socket may read and write through PACKET_MMAP rings instead of
 * recvmmsg/sendmmsg ("rings" below).
 *
 * Every handle keeps a NETLINK_ROUTE socket opened in the interface's network
 * namespace: interface ioctls (MTU, MAC, txqueuelen) go through it (a netlink
 * socket passes unknown ioctls on to dev_ioctl, net/socket.c sock_do_ioctl),
 * and RTM_GETLINK on it reads the kernel's counters (rtnl_link_stats64)
 * wherever the process itself runs.
 *
 * Network namespaces: an open may name a namespace file (/run/netns/NAME).
 * The calling thread enters it with setns(2), creates the socket or TAP and
 * returns to its own namespace before the call ends; sockets and TAPs stay in
 * the namespace they were created in (net/socket.c: sock_net is fixed at
 * creation; a TAP is registered in current->nsproxy->net_ns). setns affects
 * only the calling thread, which is Node's main (or worker) thread here;
 * libuv's thread pool is not involved.
 *
 * Errors thrown to JavaScript carry code (the errno name), errno, syscall and
 * interface.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "fastpath.h"
#include "napi-util.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* Batches delivered per readable event before yielding to the loop, so that a
 * flooded interface cannot starve timers and other handles. uv_poll is level
 * triggered: what is left is read on the next loop iteration. */
#define RX_ROUNDS 8
/* sendmmsg takes at most UIO_MAXIOV (1024) messages per call. */
#define TX_CHUNK 1024
/* Room in front of each receive slot to put back an 802.1Q tag that the
 * kernel moved into the packet's metadata (PACKET_AUXDATA). */
#define VLAN_ROOM 4
#define CMSG_ROOM CMSG_SPACE(sizeof(struct tpacket_auxdata))
#define MAX_BATCH 1024
/* TAP offloads: frames and octets per delivery once super-frames are
 * segmented (a 64 KiB super-frame at MSS 48, tcp_min_snd_mss, is 1366
 * segments), and TCP segments coalesced into one GSO write at most. */
#define VNET_RX_FRAMES 2048
#define VNET_RX_OCTETS (256 * 1024)
#define VNET_TX_RUN 64
#define VNET_HDR_OCTETS 10

enum kind { KIND_PACKET = 1, KIND_TAP = 2 };
enum mode { DELIVER_BATCH = 0, DELIVER_PER_FRAME = 1 };

typedef struct link_stats {
  int valid;
  struct rtnl_link_stats64 s;
} link_stats;

struct handle;

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

typedef struct handle {
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

  /* TAP offloads (IFF_VNET_HDR; see "TAP offloads" below). */
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
   * "rings" below): the mapping holds the receive ring, then the transmit ring. */
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

  /* The SecY fast path this handle feeds (fastpath.c), and where its
   * output waits until written: fp_tap is the TAP's index, -1 on the wire. */
  fastpath *fp;
  int fp_tap;
  uint8_t *fp_out;
  uint8_t **fp_qptr;
  uint32_t *fp_qlen;
  int *fp_qtap;
} handle;

/* ------------------------------------------------------------------------ */
/* errors                                                                    */

static const char *errno_name(int e) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *n = strerrorname_np(e);
  if (n) return n;
#endif
  const char *u = uv_err_name(-e);
  return u ? u : "EUNKNOWN";
}

static napi_value make_error(napi_env env, int e, const char *syscall, const char *ifname) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s %s: %s (%s)", syscall, ifname && *ifname ? ifname : "-", errno_name(e), strerror(e));
  napi_value m, code, err, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, m, &err);
  napi_create_int32(env, e, &v);
  napi_set_named_property(env, err, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "syscall", v);
  if (ifname) {
    napi_create_string_utf8(env, ifname, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, err, "interface", v);
  }
  return err;
}

static napi_value throw_errno(napi_env env, int e, const char *syscall, const char *ifname) {
  napi_throw(env, make_error(env, e, syscall, ifname));
  return NULL;
}

#define NAPI_OK(call)                                                   \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      const napi_extended_error_info *info_;                            \
      napi_get_last_error_info(env, &info_);                            \
      bool pending_;                                                    \
      napi_is_exception_pending(env, &pending_);                        \
      if (!pending_)                                                    \
        napi_throw_error(env, "ERR_NAPI", info_->error_message ? info_->error_message : #call); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* ------------------------------------------------------------------------ */
/* namespaces                                                                */

/* Enters the namespace at `path` (when given) and returns an fd of the
 * thread's previous one, or -1 with errno set. */
static int netns_enter(const char *path, int *saved) {
  *saved = -1;
  if (!path || !*path) return 0;
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) return -1;
  int target = open(path, O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    int e = errno;
    close(self);
    errno = e;
    return -1;
  }
  if (setns(target, CLONE_NEWNET) != 0) {
    int e = errno;
    close(target);
    close(self);
    errno = e;
    return -1;
  }
  close(target);
  *saved = self;
  return 0;
}

static void netns_leave(int saved) {
  if (saved < 0) return;
  /* A thread left in a lab namespace would open every later socket there:
   * better to stop the process than to go on in the wrong namespace. */
  if (setns(saved, CLONE_NEWNET) != 0) napi_fatal_error("dxio", NAPI_AUTO_LENGTH, "setns back to the original network namespace failed", NAPI_AUTO_LENGTH);
  close(saved);
}

/* ------------------------------------------------------------------------ */
/* interface helpers (through the handle's control socket)                  */

/* Copies at most IFNAMSIZ-1 characters and terminates. */
static void copy_ifname(char *dst, const char *src) {
  size_t n = strnlen(src, IFNAMSIZ - 1);
  memcpy(dst, src, n);
  dst[n] = 0;
}

static int ifreq_ioctl(int fd, const char *ifname, unsigned long req, struct ifreq *ifr) {
  copy_ifname(ifr->ifr_name, ifname);
  return ioctl(fd, req, ifr);
}

/* RTM_GETLINK for one ifindex; fills IFLA_STATS64. Returns 0 or -errno. */
static int read_link_stats(handle *h, link_stats *out) {
  out->valid = 0;
  if (h->ctl_fd < 0) return -EBADF;
  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST;
  uint32_t seq = ++h->nl_seq;
  req.nh.nlmsg_seq = seq;
  req.ifi.ifi_family = AF_UNSPEC;
  req.ifi.ifi_index = h->ifindex;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(h->ctl_fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -errno;
  uint8_t buf[32768];
  for (;;) {
    ssize_t n = recv(h->ctl_fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
      if (nh->nlmsg_seq != seq) continue; /* a late answer to a timed-out request */
      if (nh->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(nh);
        return e->error ? e->error : -ENODATA;
      }
      if (nh->nlmsg_type != RTM_NEWLINK) continue;
      struct ifinfomsg *ifi = NLMSG_DATA(nh);
      int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
      for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof(struct rtnl_link_stats64)) {
          memcpy(&out->s, RTA_DATA(a), sizeof out->s);
          out->valid = 1;
        }
      }
      return out->valid ? 0 : -ENODATA;
    }
  }
}

static int open_ctl(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/* ------------------------------------------------------------------------ */
/* handle lifetime                                                           */

static void free_buffers(handle *h) {
  free(h->arena);
  free(h->rx_msgs);
  free(h->rx_iov);
  free(h->rx_addr);
  free(h->rx_cmsg);
  free(h->rx_ptr);
  free(h->rx_len);
  free(h->tx_msgs);
  free(h->tx_iov);
  free(h->rx_super);
  free(h->tx_wiov);
  if (h->ring_map) munmap(h->ring_map, h->ring_map_len);
  h->ring_map = NULL;
  h->tx_ring = NULL;
  free(h->rx_release);
  h->rx_release = NULL;
  h->rx_nrelease = 0;
  free(h->fp_out);
  free(h->fp_qptr);
  free(h->fp_qlen);
  free(h->fp_qtap);
  h->fp_out = NULL;
  h->fp_qptr = NULL;
  h->fp_qlen = NULL;
  h->fp_qtap = NULL;
  h->rx_super = NULL;
  h->tx_wiov = NULL;
  h->arena = NULL;
  h->rx_msgs = NULL;
  h->rx_iov = NULL;
  h->rx_addr = NULL;
  h->rx_cmsg = NULL;
  h->rx_ptr = NULL;
  h->rx_len = NULL;
  h->tx_msgs = NULL;
  h->tx_iov = NULL;
}

static int alloc_buffers(handle *h) {
  h->slot = (h->max_frame + VLAN_ROOM + 63) & ~(size_t)63;
  h->rx_cap = h->batch;
  h->rx_out_cap = h->slot * h->batch;
  if (h->offload) {
    /* Segments go back to back into one area (see rx_tap_vnet); one frame as
     * read, a TSO super-frame of up to 64 KiB, waits in rx_super. */
    h->rx_cap = VNET_RX_FRAMES;
    h->rx_out_cap = VNET_RX_OCTETS;
    h->rx_super_cap = (h->max_frame > 65536 ? h->max_frame : 65536) + 64;
    h->rx_super = malloc(h->rx_super_cap);
    h->tx_wiov = calloc(VNET_TX_RUN + 2, sizeof *h->tx_wiov);
    if (!h->rx_super || !h->tx_wiov) {
      free_buffers(h);
      return -ENOMEM;
    }
  }
  /* malloc of a large arena is mmap'ed: only the pages frames touch become
   * resident. */
  h->arena = malloc(h->rx_out_cap);
  h->rx_msgs = calloc(h->batch, sizeof *h->rx_msgs);
  h->rx_iov = calloc(h->batch, sizeof *h->rx_iov);
  h->rx_addr = calloc(h->batch, sizeof *h->rx_addr);
  h->rx_cmsg = calloc(h->batch, CMSG_ROOM);
  h->rx_ptr = calloc(h->rx_cap, sizeof *h->rx_ptr);
  h->rx_len = calloc(h->rx_cap, sizeof *h->rx_len);
  h->tx_msgs = calloc(TX_CHUNK, sizeof *h->tx_msgs);
  h->tx_iov = calloc(TX_CHUNK, sizeof *h->tx_iov);
  if (!h->arena || !h->rx_msgs || !h->rx_iov || !h->rx_addr || !h->rx_cmsg || !h->rx_ptr || !h->rx_len || !h->tx_msgs || !h->tx_iov) {
    free_buffers(h);
    return -ENOMEM;
  }
  return 0;
}

static void on_box_closed(uv_handle_t *p) {
  pollbox *box = (pollbox *)p;
  if (box->hook) napi_remove_async_cleanup_hook(box->hook);
  free(box);
}

static void stop_polling(handle *h) {
  if (!h->polling) return;
  h->polling = 0;
  uv_poll_stop(h->poll);
  napi_env env = h->env;
  if (h->cb_ref) napi_delete_reference(env, h->cb_ref);
  if (h->err_cb_ref) napi_delete_reference(env, h->err_cb_ref);
  if (h->lengths_ref) napi_delete_reference(env, h->lengths_ref);
  if (h->async_ctx) napi_async_destroy(env, h->async_ctx);
  h->cb_ref = h->err_cb_ref = h->lengths_ref = NULL;
  h->async_ctx = NULL;
  h->lengths = NULL;
  if (h->self_ref) {
    uint32_t n;
    napi_reference_unref(env, h->self_ref, &n);
  }
}

/* Releases fds, buffers and the poll handle; the handle struct itself stays
 * until its finalizer runs. */
static void release(handle *h) {
  h->closed = 1;
  if (h->fp) dxio_fastpath_detach(h->fp);
  if (h->box) {
    /* uv_poll_stop (or uv_close) takes the fd out of epoll before it is closed
     * below; libuv frees nothing of ours until on_box_closed. */
    h->box->h = NULL;
    h->box->closing = 1;
    uv_close((uv_handle_t *)h->box, on_box_closed);
    h->box = NULL;
    h->poll = NULL;
  }
  if (h->fd >= 0) close(h->fd);
  if (h->ctl_fd >= 0) close(h->ctl_fd);
  h->fd = h->ctl_fd = -1;
  free_buffers(h);
}

static void close_handle(handle *h) {
  if (h->closed) return;
  stop_polling(h);
  release(h);
}

/* The environment is going away (process exit, worker terminated) with this
 * handle open: release it. References die with the environment. */
static void on_env_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  (void)hook;
  pollbox *box = arg;
  if (box->closing) return; /* on_box_closed will report done */
  handle *h = box->h;
  h->polling = 0;
  h->cb_ref = h->err_cb_ref = h->lengths_ref = NULL;
  h->async_ctx = NULL;
  h->self_ref = NULL;
  uv_poll_stop(h->poll);
  release(h);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  handle *h = data;
  h->env = env;
  close_handle(h);
  if (h->self_ref) napi_delete_reference(env, h->self_ref);
  h->self_ref = NULL;
  h->finalized = 1;
  if (!h->in_callback) free(h);
}

static handle *get_handle(napi_env env, napi_value v, int must_be_open) {
  void *data = external_data(env, v);
  if (!data) {
    throw_type(env, "expected a dxio handle");
    return NULL;
  }
  handle *h = data;
  if (must_be_open && h->closed) {
    napi_value code, msg, err;
    char m[96];
    snprintf(m, sizeof m, "%s: handle is closed", h->ifname);
    napi_create_string_utf8(env, "ECLOSED", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, m, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &err);
    napi_throw(env, err);
    return NULL;
  }
  return h;
}

/* ------------------------------------------------------------------------ */
/* options                                                                   */

static int opt_u32(napi_env env, napi_value obj, const char *name, uint32_t def, uint32_t *out) {
  bool has = false;
  *out = def;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return 0;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, obj, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return 0;
  if (t != napi_number) return -1;
  return napi_get_value_uint32(env, v, out) == napi_ok ? 0 : -1;
}

static int opt_bool(napi_env env, napi_value obj, const char *name, bool def, bool *out) {
  bool has = false;
  *out = def;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return 0;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, obj, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return 0;
  if (t != napi_boolean) return -1;
  return napi_get_value_bool(env, v, out) == napi_ok ? 0 : -1;
}

/* Copies an optional string option into buf; returns -1 on a wrong type. */
static int opt_str(napi_env env, napi_value obj, const char *name, char *buf, size_t cap) {
  bool has = false;
  buf[0] = 0;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return 0;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, obj, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return 0;
  if (t != napi_string) return -1;
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok || len >= cap - 1) return -1;
  return 0;
}

/* Reads (ifname, options) shared by both opens. */
static napi_value common_args(napi_env env, napi_callback_info info, char *ifname, napi_value *opts) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype t;
  if (argc < 2) return throw_type(env, "expected (ifname, options)");
  napi_typeof(env, argv[0], &t);
  if (t != napi_string) return throw_type(env, "ifname must be a string");
  size_t len;
  NAPI_OK(napi_get_value_string_utf8(env, argv[0], ifname, IFNAMSIZ + 1, &len));
  if (len == 0 || len >= IFNAMSIZ) return throw_type(env, "ifname must be 1 to 15 characters");
  napi_typeof(env, argv[1], &t);
  if (t != napi_object) return throw_type(env, "options must be an object");
  *opts = argv[1];
  return argv[0];
}

static handle *new_handle(napi_env env, enum kind kind, const char *ifname, uint32_t batch, uint32_t max_frame) {
  handle *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->env = env;
  h->kind = kind;
  h->fd = h->ctl_fd = -1;
  copy_ifname(h->ifname, ifname);
  h->batch = batch;
  h->max_frame = max_frame;
  return h;
}

static napi_value wrap_handle(napi_env env, handle *h) {
  napi_value ext;
  if (napi_create_external(env, h, finalize, NULL, &ext) != napi_ok) {
    close_handle(h);
    free(h);
    napi_throw_error(env, "ERR_NAPI", "napi_create_external failed");
    return NULL;
  }
  napi_create_reference(env, ext, 0, &h->self_ref);
  uv_loop_t *loop;
  int r = napi_get_uv_event_loop(env, &loop) == napi_ok ? 0 : UV_EINVAL;
  pollbox *box = calloc(1, sizeof *box);
  if (!box) r = UV_ENOMEM;
  if (!r) r = uv_poll_init(loop, &box->poll, h->fd);
  if (r) {
    free(box);
    close_handle(h);
    return throw_errno(env, -r, "uv_poll_init", h->ifname);
  }
  box->h = h;
  box->poll.data = h;
  h->box = box;
  h->poll = &box->poll;
  if (napi_add_async_cleanup_hook(env, on_env_teardown, box, &box->hook) != napi_ok) box->hook = NULL;
  return ext;
}

/* Fails an open: releases what was made, throws. */
static napi_value open_failed(napi_env env, handle *h, int e, const char *syscall, int saved_ns) {
  netns_leave(saved_ns);
  if (h->fd >= 0) close(h->fd);
  if (h->ctl_fd >= 0) close(h->ctl_fd);
  free_buffers(h);
  char name[IFNAMSIZ];
  memcpy(name, h->ifname, IFNAMSIZ);
  free(h);
  return throw_errno(env, e, syscall, name);
}

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
/* openPacket(ifname, { netns, etherType, rcvbuf, sndbuf, promisc, batch, maxFrameSize }) */

static void set_buf(int fd, int force_opt, int opt, uint32_t bytes) {
  int v = (int)(bytes > INT32_MAX / 2 ? INT32_MAX / 2 : bytes);
  if (v <= 0) return;
  /* The FORCE variants (CAP_NET_ADMIN) pass net.core.rmem_max/wmem_max. */
  if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) != 0) setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v);
}

static napi_value open_packet(napi_env env, napi_callback_info info) {
  char ifname[IFNAMSIZ + 1];
  napi_value opts;
  if (!common_args(env, info, ifname, &opts)) return NULL;
  char netns[4096];
  uint32_t ether_type, rcvbuf, sndbuf, batch, max_frame;
  bool promisc;
  char ring[8] = "off";
  if (opt_str(env, opts, "netns", netns, sizeof netns) || opt_str(env, opts, "ring", ring, sizeof ring) || opt_u32(env, opts, "etherType", ETH_P_ALL, &ether_type) ||
      opt_u32(env, opts, "rcvbuf", 32u << 20, &rcvbuf) || opt_u32(env, opts, "sndbuf", 8u << 20, &sndbuf) ||
      opt_bool(env, opts, "promisc", true, &promisc) || opt_u32(env, opts, "batch", 64, &batch) ||
      opt_u32(env, opts, "maxFrameSize", 65535, &max_frame))
    return throw_type(env, "invalid option type");
  if (batch < 1 || batch > MAX_BATCH) return throw_type(env, "batch must be 1..1024");
  if (max_frame < 64 || max_frame > 262144) return throw_type(env, "maxFrameSize must be 64..262144");
  if (ether_type > 0xffff) return throw_type(env, "etherType must be 0..65535");
  int ring_version = !strcmp(ring, "off") ? 0 : !strcmp(ring, "v2") ? TPACKET_V2 : !strcmp(ring, "v3") ? TPACKET_V3 : -1;
  if (ring_version < 0) return throw_type(env, "ring must be 'off', 'v2' or 'v3'");

  handle *h = new_handle(env, KIND_PACKET, ifname, batch, max_frame);
  if (!h) return throw_errno(env, ENOMEM, "open", ifname);
  int saved_ns;
  if (netns_enter(netns, &saved_ns) != 0) return open_failed(env, h, errno, "setns", -1);

  /* Protocol 0 at socket(): the socket receives nothing until bind() names
   * both interface and protocol, so no frame of another interface slips in. */
  h->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (h->fd < 0) return open_failed(env, h, errno, "socket(AF_PACKET)", saved_ns);
  h->ctl_fd = open_ctl();
  if (h->ctl_fd < 0) return open_failed(env, h, errno, "socket(AF_NETLINK)", saved_ns);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (ifreq_ioctl(h->ctl_fd, ifname, SIOCGIFINDEX, &ifr) != 0) return open_failed(env, h, errno, "SIOCGIFINDEX", saved_ns);
  h->ifindex = ifr.ifr_ifindex;
  netns_leave(saved_ns);
  saved_ns = -1;

  int one = 1;
  if (setsockopt(h->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == 0)
    h->ignore_outgoing = 1;
  else if (errno != ENOPROTOOPT)
    return open_failed(env, h, errno, "setsockopt(PACKET_IGNORE_OUTGOING)", -1);
  if (setsockopt(h->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0) return open_failed(env, h, errno, "setsockopt(PACKET_AUXDATA)", -1);
  set_buf(h->fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
  set_buf(h->fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
  if (ring_version) {
    /* Rings before bind: frames go to the ring from the first one on. */
    memset(&ifr, 0, sizeof ifr);
    int mtu = ifreq_ioctl(h->ctl_fd, ifname, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : 1500;
    int re = setup_rings(h, ring_version, (size_t)mtu);
    if (re) return open_failed(env, h, -re, "PACKET_RX_RING/PACKET_TX_RING", -1);
  }

  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons((uint16_t)ether_type);
  sll.sll_ifindex = h->ifindex;
  if (bind(h->fd, (struct sockaddr *)&sll, sizeof sll) != 0) return open_failed(env, h, errno, "bind(AF_PACKET)", -1);
  if (promisc) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = h->ifindex;
    mr.mr_type = PACKET_MR_PROMISC;
    /* Membership ends with the socket: the kernel drops the promiscuity count
     * when it is closed (packet_flush_mclist). */
    if (setsockopt(h->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
      return open_failed(env, h, errno, "setsockopt(PACKET_ADD_MEMBERSHIP)", -1);
  }
  int e = alloc_buffers(h);
  if (e) return open_failed(env, h, -e, "malloc", -1);
  read_link_stats(h, &h->base);
  return wrap_handle(env, h);
}

/* ------------------------------------------------------------------------ */
/* openTap(ifname, { netns, txqueuelen, batch, maxFrameSize })               */

static napi_value open_tap(napi_env env, napi_callback_info info) {
  char ifname[IFNAMSIZ + 1];
  napi_value opts;
  if (!common_args(env, info, ifname, &opts)) return NULL;
  char netns[4096];
  uint32_t txqueuelen, batch, max_frame;
  bool offload, coalesce;
  if (opt_str(env, opts, "netns", netns, sizeof netns) || opt_u32(env, opts, "txqueuelen", 10000, &txqueuelen) ||
      opt_u32(env, opts, "batch", 64, &batch) || opt_u32(env, opts, "maxFrameSize", 65535, &max_frame) ||
      opt_bool(env, opts, "offload", false, &offload) || opt_bool(env, opts, "coalesce", true, &coalesce))
    return throw_type(env, "invalid option type");
  if (batch < 1 || batch > MAX_BATCH) return throw_type(env, "batch must be 1..1024");
  if (max_frame < 64 || max_frame > 262144) return throw_type(env, "maxFrameSize must be 64..262144");

  handle *h = new_handle(env, KIND_TAP, ifname, batch, max_frame);
  if (!h) return throw_errno(env, ENOMEM, "open", ifname);
  h->offload = offload;
  h->coalesce = coalesce;
  int saved_ns;
  if (netns_enter(netns, &saved_ns) != 0) return open_failed(env, h, errno, "setns", -1);
  h->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (h->fd < 0) return open_failed(env, h, errno, "open(/dev/net/tun)", saved_ns);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
  copy_ifname(ifr.ifr_name, ifname);
  /* Attaches to a persistent TAP of that name (ip tuntap add mode tap) or
   * creates one that disappears with this fd. */
  if (ioctl(h->fd, TUNSETIFF, &ifr) != 0) return open_failed(env, h, errno, "TUNSETIFF", saved_ns);
  copy_ifname(h->ifname, ifr.ifr_name);
  if (offload) {
    /* 10 octets, struct virtio_net_hdr: the kernel's default, set anyway
     * because the size belongs to the device and a persistent TAP keeps what
     * its last user set. The 12-octet virtio_net_hdr_mrg_rxbuf only adds
     * num_buffers, which means something to virtio-net's mergeable receive
     * buffers and nothing to a tun fd (tun_put_user leaves it 0, tun_get_user
     * skips it); the frame's alignment is ours to choose anyway, since the
     * header is read and written through its own iovec. */
    int sz = VNET_HDR_OCTETS;
    if (ioctl(h->fd, TUNSETVNETHDRSZ, &sz) != 0) return open_failed(env, h, errno, "TUNSETVNETHDRSZ", saved_ns);
  }
  /* What the kernel may hand us: partial checksums, TCP super-frames of
   * IPv4 and IPv6 (TSO_ECN: the first segment may carry CWR, which the
   * segmentation keeps on the first segment only). Without offload, 0: a
   * persistent TAP keeps the features its last user asked for
   * (tun_set_offload sets the device's wanted_features), and a reader without
   * a virtio header must never get a super-frame. */
  unsigned features = offload ? (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) : 0;
  if (ioctl(h->fd, TUNSETOFFLOAD, features) != 0) return open_failed(env, h, errno, "TUNSETOFFLOAD", saved_ns);
  h->ctl_fd = open_ctl();
  if (h->ctl_fd < 0) return open_failed(env, h, errno, "socket(AF_NETLINK)", saved_ns);
  netns_leave(saved_ns);
  memset(&ifr, 0, sizeof ifr);
  if (ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFINDEX, &ifr) != 0) return open_failed(env, h, errno, "SIOCGIFINDEX", -1);
  h->ifindex = ifr.ifr_ifindex;
  if (txqueuelen > 0) {
    /* The kernel queues at most txqueuelen frames for the reader and drops the
     * rest (tun_net_xmit, counted as the TAP's tx_dropped); the default 1000
     * drops exactly as many frames as TCP retransmits (DESIGN.md). */
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_qlen = (int)txqueuelen;
    if (ifreq_ioctl(h->ctl_fd, h->ifname, SIOCSIFTXQLEN, &ifr) != 0) return open_failed(env, h, errno, "SIOCSIFTXQLEN", -1);
  }
  int e = alloc_buffers(h);
  if (e) return open_failed(env, h, -e, "malloc", -1);
  read_link_stats(h, &h->base);
  return wrap_handle(env, h);
}

/* ------------------------------------------------------------------------ */
/* TAP offloads                                                              */
/*
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
 */

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

/* Where received frames go: back to back in buf, their starts and lengths in
 * ptr/len. */
typedef struct vnet_out {
  uint8_t *buf;
  size_t cap, used;
  uint8_t **ptr;
  uint32_t *len;
  unsigned max, n;
} vnet_out;

static inline void out_push(vnet_out *o, uint8_t *d, size_t len) {
  o->ptr[o->n] = d;
  o->len[o->n] = (uint32_t)len;
  o->n++;
  o->used += len;
}

/* Turns one frame read from the TAP, with its virtio header, into ordinary
 * frames appended to o: a super-frame into its segments, a frame with a
 * partial checksum into one with the checksum completed, any other frame as
 * it is. Returns 0; -ENOSPC when the result does not fit what is left of o;
 * -EPROTO for a GSO type never offered (UDP); -EINVAL for headers that do not
 * add up. o is unchanged on error. */
static int vnet_rx_frame(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len, vnet_out *o) {
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

/* The largest header a coalesced write carries: Ethernet, IPv4 and TCP with
 * options (IPv6 with TCP options is shorter: 14 + 40 + 60). */
#define VNET_TX_HDR_MAX (14 + 60 + 60)

/* How many frames from f[i] one write carries, k >= 1, and its virtio header.
 * k == 1: the frame as it is, DATA_VALID. k > 1: one TCP super-frame whose
 * headers (*hdrs octets) are built in hdr; each frame contributes its payload
 * (the octets past *hdrs). */
static unsigned vnet_tx_run(const struct iovec *f, unsigned n, unsigned i, int coalesce, struct virtio_net_hdr *vh, uint8_t *hdr, size_t *hdrs_out) {
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
/* receive                                                                   */

/* Reads one batch into the arena. Returns frames kept (rx_ptr/rx_len), 0 when
 * nothing is waiting, or -errno. */
static int rx_packet(handle *h) {
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
  int n = recvmmsg(h->fd, h->rx_msgs, b, MSG_DONTWAIT, NULL);
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
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) && len >= 12) {
        /* The receive path moved the 802.1Q tag into the skb
         * (skb_vlan_untag, __netif_receive_skb_core): put it back so the
         * frame is the one on the wire. */
        uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
        memmove(frame - VLAN_ROOM, frame, 12);
        frame -= VLAN_ROOM;
        frame[12] = (uint8_t)(tpid >> 8);
        frame[13] = (uint8_t)tpid;
        frame[14] = (uint8_t)(aux.tp_vlan_tci >> 8);
        frame[15] = (uint8_t)aux.tp_vlan_tci;
        len += VLAN_ROOM;
      }
    }
    h->rx_ptr[kept] = frame;
    h->rx_len[kept] = (uint32_t)len;
    kept++;
  }
  /* All read frames were our own or truncated: report "more may wait". */
  if (kept == 0 && n > 0) return n == (int)b ? -EAGAIN : 0;
  return kept;
}

/* Puts back an 802.1Q tag that the kernel moved into the ring header. */
static uint8_t *ring_put_vlan(uint8_t *frame, size_t *len, uint32_t status, uint16_t tci, uint16_t tpid) {
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

/* A frame read from a ring: kept in rx_ptr/rx_len (pointing into the ring
 * until rx_ring_release), or counted as truncated. */
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
 * until rx_ring_release, after the frames were delivered. */
static int rx_ring(handle *h) {
  int kept = 0;
  if (h->ring == TPACKET_V2) {
    while (kept < (int)h->batch) {
      struct tpacket2_hdr *ph = (void *)(h->ring_map + (size_t)h->rx_cur * h->rx_frame_size);
      uint32_t st = __atomic_load_n(&ph->tp_status, __ATOMIC_ACQUIRE);
      if (!(st & TP_STATUS_USER)) break;
      size_t len = ph->tp_snaplen;
      uint8_t *frame = ring_put_vlan((uint8_t *)ph + ph->tp_mac, &len, st, ph->tp_vlan_tci, ph->tp_vlan_tpid);
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
      uint8_t *frame = ring_put_vlan((uint8_t *)ph + ph->tp_mac, &len, ph->tp_status, ph->hv1.tp_vlan_tci, ph->hv1.tp_vlan_tpid);
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

/* Gives the slots of delivered frames back to the kernel. */
static void rx_ring_release(handle *h) {
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

static int rx_tap(handle *h) {
  int kept = 0;
  for (unsigned i = 0; i < h->batch; i++) {
    uint8_t *slot = h->arena + i * h->slot;
    ssize_t r = read(h->fd, slot, h->slot);
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
  int e = vnet_rx_frame(vh, h->rx_super, len, o);
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

/* rx_tap with offloads: up to max_reads frames read, each turned into
 * ordinary frames back to back in the arena. A frame whose segments do not
 * fit waits in rx_super for the next batch (rx_pending). Sets rx_more when
 * the batch stopped before the TAP ran dry. */
static int rx_tap_vnet(handle *h, unsigned max_reads) {
  vnet_out o = {.buf = h->arena, .cap = h->rx_out_cap, .ptr = h->rx_ptr, .len = h->rx_len, .max = h->rx_cap};
  h->rx_more = 0;
  if (h->rx_pending) {
    h->rx_pending = 0;
    rx_vnet_take(h, &o); /* an empty batch: fits, or is dropped */
  }
  unsigned i;
  for (i = 0; i < max_reads; i++) {
    struct iovec iov[2] = {{.iov_base = &h->rx_vh, .iov_len = VNET_HDR_OCTETS}, {.iov_base = h->rx_super, .iov_len = h->rx_super_cap}};
    ssize_t r = readv(h->fd, iov, 2);
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

/* Calls the JS callback with frames 0..n-1; returns 0, or -1 when the
 * callback threw (the exception is then reported as uncaught). */
static int deliver(handle *h, int n) {
  napi_env env = h->env;
  napi_value cb, argv[2], global, result;
  size_t total = 0;
  for (int i = 0; i < n; i++) total += h->rx_len[i];
  h->rx_packets += (uint64_t)n;
  h->rx_bytes += total;
  if (napi_get_reference_value(env, h->cb_ref, &cb) != napi_ok || !cb) return 0;
  if (h->mode == DELIVER_BATCH) {
    uint8_t *data;
    if (napi_create_buffer(env, total ? total : 1, (void **)&data, &argv[0]) != napi_ok) return 0;
    size_t off = 0;
    for (int i = 0; i < n; i++) {
      memcpy(data + off, h->rx_ptr[i], h->rx_len[i]);
      off += h->rx_len[i];
      h->lengths[i] = h->rx_len[i];
    }
  } else {
    napi_create_array_with_length(env, (size_t)n, &argv[0]);
    for (int i = 0; i < n; i++) {
      napi_value b;
      napi_create_buffer_copy(env, h->rx_len[i], h->rx_ptr[i], NULL, &b);
      napi_set_element(env, argv[0], (uint32_t)i, b);
    }
  }
  napi_create_uint32(env, (uint32_t)n, &argv[1]);
  napi_get_global(env, &global);
  napi_status s = napi_make_callback(env, h->async_ctx, global, cb, 2, argv, &result);
  if (s == napi_pending_exception) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    napi_fatal_exception(env, ex);
    return -1;
  }
  return 0;
}

/* Reports a read error to the JS error callback (when one was given). */
static void report_rx_error(handle *h, int e) {
  h->rx_errors++;
  h->last_rx_errno = e;
  napi_env env = h->env;
  napi_value cb, err, global, result;
  if (!h->err_cb_ref || napi_get_reference_value(env, h->err_cb_ref, &cb) != napi_ok || !cb) return;
  err = make_error(env, e, h->kind == KIND_TAP ? "read" : "recvmmsg", h->ifname);
  napi_get_global(env, &global);
  if (napi_make_callback(env, h->async_ctx, global, cb, 1, &err, &result) == napi_pending_exception) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    napi_fatal_exception(env, ex);
  }
}

static void on_poll(uv_poll_t *p, int status, int events);
static int fp_run(handle *h, int n);

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)events;
  handle *h = p->data;
  if (h->closed || !h->polling) return;
  napi_env env = h->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  h->in_callback = 1;
  if (status < 0) {
    /* libuv stops a poll handle on POLLERR and reports UV_EBADF
     * (uv__poll_io). For a packet socket that is sk_err: ENETDOWN when the
     * link went down (the socket rebinds itself when it comes up again,
     * packet_notifier), ENODEV when the interface is gone. SO_ERROR reads and
     * clears it; the poll is restarted unless the device is gone. */
    int e = 0;
    socklen_t el = sizeof e;
    if (h->kind == KIND_PACKET) {
      if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) e = errno;
      if (e) report_rx_error(h, e);
      if (!h->closed && h->polling) uv_poll_start(h->poll, UV_READABLE, on_poll);
    } else {
      /* A TAP whose device went away polls as an error (tun_chr_poll). */
      ssize_t r = read(h->fd, h->arena, 0);
      report_rx_error(h, r < 0 ? errno : EIO);
    }
  } else {
    int vnet = h->kind == KIND_TAP && h->offload;
    for (int round = 0; round < RX_ROUNDS && !h->closed && h->polling; round++) {
      int n = h->kind == KIND_PACKET ? (h->ring ? rx_ring(h) : rx_packet(h)) : vnet ? rx_tap_vnet(h, h->batch) : rx_tap(h);
      if (n == -EAGAIN) {
        rx_ring_release(h);
        continue;
      }
      if (n < 0) {
        report_rx_error(h, -n);
        break;
      }
      if (n == 0) break;
      int left = h->fp ? fp_run(h, n) : n;
      int threw = left > 0 && deliver(h, left) != 0;
      rx_ring_release(h);
      if (threw) break;
      if (vnet ? !h->rx_more : (unsigned)n < h->batch) break;
    }
    if (h->ring) rx_ring_release(h);
    /* A frame left waiting for room: the TAP may be dry now, so no readable
     * event would bring it. */
    if (vnet && h->rx_pending && !h->closed && h->polling) {
      int n = rx_tap_vnet(h, 0);
      if (n > 0 && h->fp) n = fp_run(h, n);
      if (n > 0) deliver(h, n);
    }
  }
  h->in_callback = 0;
  napi_close_handle_scope(env, scope);
  if (h->finalized) free(h);
}

/* start(handle, onFrames(buffer, count), onError(err) | undefined, perFrame, lengths: Uint32Array) */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 5) return throw_type(env, "expected (handle, onFrames, onError, perFrame, lengths)");
  handle *h = get_handle(env, argv[0], 1);
  if (!h) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_function) return throw_type(env, "onFrames must be a function");
  napi_valuetype te;
  napi_typeof(env, argv[2], &te);
  if (te != napi_function && te != napi_undefined) return throw_type(env, "onError must be a function or undefined");
  bool per_frame = false;
  napi_get_value_bool(env, argv[3], &per_frame);
  bool is_ta = false;
  napi_is_typedarray(env, argv[4], &is_ta);
  if (!is_ta) return throw_type(env, "lengths must be a Uint32Array");
  napi_typedarray_type tt;
  size_t tlen;
  void *tdata;
  NAPI_OK(napi_get_typedarray_info(env, argv[4], &tt, &tlen, &tdata, NULL, NULL));
  if (tt != napi_uint32_array || tlen < h->rx_cap) return throw_type(env, "lengths must be a Uint32Array of at least deliveryFrames entries");
  if (h->polling) {
    napi_throw_error(env, "EALREADY", "already started");
    return NULL;
  }
  int r = uv_poll_start(h->poll, UV_READABLE, on_poll);
  if (r != 0) return throw_errno(env, -r, "uv_poll_start", h->ifname);
  napi_value name;
  napi_create_string_utf8(env, "dxlab:io", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &h->async_ctx);
  napi_create_reference(env, argv[1], 1, &h->cb_ref);
  if (te == napi_function) napi_create_reference(env, argv[2], 1, &h->err_cb_ref);
  napi_create_reference(env, argv[4], 1, &h->lengths_ref);
  h->lengths = tdata;
  h->mode = per_frame ? DELIVER_PER_FRAME : DELIVER_BATCH;
  h->polling = 1;
  uint32_t cnt;
  napi_reference_ref(env, h->self_ref, &cnt);
  return NULL;
}

static napi_value stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = argc ? get_handle(env, argv[0], 0) : NULL;
  if (!h) return NULL;
  stop_polling(h);
  return NULL;
}

static napi_value close_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = argc ? get_handle(env, argv[0], 0) : NULL;
  if (!h) return NULL;
  close_handle(h);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* send(handle, frames: Uint8Array[]) -> frames the kernel accepted          */

/* Per-frame refusals: the next frame may go through. Anything else (queue
 * full, link down, device gone) refuses the rest of the batch too. */
static int per_frame_error(int e) { return e == EMSGSIZE || e == EINVAL || e == EFAULT; }
static int is_drop(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS; }

static void count_refused(handle *h, int e, uint64_t frames) {
  h->last_tx_errno = e;
  if (is_drop(e))
    h->tx_dropped += frames;
  else
    h->tx_errors += frames;
}

/* Sends tx_iov[0..n) with sendmmsg, one message per frame. */
static uint32_t tx_packet(handle *h, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    struct msghdr *m = &h->tx_msgs[i].msg_hdr;
    memset(m, 0, sizeof *m);
    m->msg_iov = &h->tx_iov[i];
    m->msg_iovlen = 1;
  }
  uint32_t done = 0, accepted = 0;
  while (done < n) {
    int r = sendmmsg(h->fd, h->tx_msgs + done, n - done, MSG_DONTWAIT);
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
    ssize_t r = send(h->fd, NULL, 0, MSG_DONTWAIT);
    if (r >= 0 || errno == EAGAIN || errno == ENOBUFS) break;
    if (errno == EINTR) continue;
    count_refused(h, errno, queued);
    return -1;
  }
  h->tx_packets += queued;
  h->tx_bytes += octets;
  return 0;
}

/* tx_packet through the transmit ring: frames copied into free slots, then
 * one send() has the kernel send every slot marked SEND_REQUEST. A full ring
 * refuses the rest of the batch, counted as dropped (as EAGAIN would be). */
static uint32_t tx_ring_send(handle *h, uint32_t n) {
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

static uint32_t tx_tap(handle *h, uint32_t n) {
  uint32_t accepted = 0;
  for (uint32_t i = 0; i < n; i++) {
    ssize_t r = write(h->fd, h->tx_iov[i].iov_base, h->tx_iov[i].iov_len);
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

/* tx_tap with offloads: a virtio header in front of every write, runs of TCP
 * segments coalesced into one GSO frame (vnet_tx_run). Counts stay per frame
 * given. A coalesced write the kernel refuses as malformed is retried frame
 * by frame. */
static uint32_t tx_tap_vnet(handle *h, uint32_t n) {
  uint32_t accepted = 0, single_until = 0;
  uint8_t hdr[VNET_TX_HDR_MAX];
  for (uint32_t i = 0; i < n;) {
    struct virtio_net_hdr vh;
    size_t hdrs;
    unsigned k = vnet_tx_run(h->tx_iov, n, i, h->coalesce && i >= single_until, &vh, hdr, &hdrs);
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
    ssize_t r = writev(h->fd, w, cnt);
    if (r >= 0) {
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
  return accepted;
}

/* ------------------------------------------------------------------------ */
/* the SecY fast path (fastpath.c): frames that never reach JavaScript       */

/* Octets of fast-path output gathered before they are written. */
#define FP_OUT_OCTETS (512 * 1024)
/* Room a frame may grow by: SecTAG with SCI, ICV, an 802.1Q tag. */
#define FP_GROWTH 64

/* Sends tx_iov[0..n) (n <= TX_CHUNK) the way the handle writes. */
static uint32_t tx_send(handle *h, uint32_t n) {
  if (h->kind == KIND_TAP) return h->offload ? tx_tap_vnet(h, n) : tx_tap(h, n);
  return h->ring ? tx_ring_send(h, n) : tx_packet(h, n);
}

/* Writes frames to a handle in one batch (the send() path without JavaScript). */
static uint32_t tx_frames(handle *h, uint8_t **ptr, const uint32_t *len, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    h->tx_iov[i].iov_base = ptr[i];
    h->tx_iov[i].iov_len = len[i];
  }
  return tx_send(h, n);
}

/* Writes the queued output: to the wire, or to the TAP of the queued run
 * (a queue holds frames for one TAP only: fp_run flushes when it changes). */
static void fp_flush(handle *h, uint32_t q) {
  if (q == 0) return;
  fastpath *fp = h->fp;
  tx_frames(h->fp_tap >= 0 ? fp->wire : fp->taps[h->fp_qtap[0]], h->fp_qptr, h->fp_qlen, q);
}

/* Every handle the fast path writes to is attached and open. */
static int fp_ready(const fastpath *fp) {
  if (!fp->enabled || !fp->wire || ((handle *)fp->wire)->closed) return 0;
  for (int t = 0; t < fp->ntaps; t++)
    if (!fp->taps[t] || ((handle *)fp->taps[t])->closed) return 0;
  return 1;
}

/* Runs the frames just read (rx_ptr/rx_len 0..n-1) through the fast path:
 * what it protects or validates is written at once; the others stay, in
 * order, at the front of rx_ptr/rx_len for JavaScript. Returns how many. */
static int fp_run(handle *h, int n) {
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
    if (!(wire = get_handle(env, argv[1], 1))) return NULL;
    if (wire->kind != KIND_PACKET) return throw_type(env, "wire must be a packet socket");
    for (uint32_t i = 0; i < n; i++) {
      napi_value e;
      NAPI_OK(napi_get_element(env, argv[2], i, &e));
      if (!(taps[i] = get_handle(env, e, 1))) return NULL;
      if (taps[i]->kind != KIND_TAP) return throw_type(env, "taps must be TAP handles");
      if ((taps[i]->fp && taps[i]->fp != fp) || taps[i] == wire) return throw_type(env, "a TAP already feeds another fast path");
    }
    if (wire->fp && wire->fp != fp) return throw_type(env, "the wire already feeds another fast path");
  }
  dxio_fastpath_detach(fp);
  if (!wire) return NULL;
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

static napi_value send_fn(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_type(env, "expected (handle, frames)");
  handle *h = get_handle(env, argv[0], 1);
  if (!h) return NULL;
  bool is_array;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) return throw_type(env, "frames must be an array of Uint8Array");
  uint32_t count;
  NAPI_OK(napi_get_array_length(env, argv[1], &count));
  uint32_t accepted = 0;
  for (uint32_t base = 0; base < count; base += TX_CHUNK) {
    uint32_t n = count - base < TX_CHUNK ? count - base : TX_CHUNK;
    for (uint32_t i = 0; i < n; i++) {
      napi_value v;
      NAPI_OK(napi_get_element(env, argv[1], base + i, &v));
      bool ta = false;
      napi_is_typedarray(env, v, &ta);
      if (!ta) return throw_type(env, "frames must be an array of Uint8Array");
      napi_typedarray_type tt;
      size_t len;
      void *data;
      NAPI_OK(napi_get_typedarray_info(env, v, &tt, &len, &data, NULL, NULL));
      if (tt != napi_uint8_array) return throw_type(env, "frames must be an array of Uint8Array");
      h->tx_iov[i].iov_base = data;
      h->tx_iov[i].iov_len = len;
    }
    accepted += tx_send(h, n);
  }
  napi_value out;
  napi_create_uint32(env, accepted, &out);
  return out;
}

/* ------------------------------------------------------------------------ */
/* stats, mtu, mac, info                                                     */

static napi_value stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = argc ? get_handle(env, argv[0], 0) : NULL;
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
  set_num(env, o, "rxPackets", (double)h->rx_packets);
  set_num(env, o, "rxBytes", (double)h->rx_bytes);
  set_num(env, o, "rxTruncated", (double)h->rx_truncated);
  set_num(env, o, "rxErrors", (double)h->rx_errors);
  set_num(env, o, "txPackets", (double)h->tx_packets);
  set_num(env, o, "txBytes", (double)h->tx_bytes);
  set_num(env, o, "txDropped", (double)h->tx_dropped);
  set_num(env, o, "txErrors", (double)h->tx_errors);
  if (h->kind == KIND_PACKET) set_num(env, o, "socketDrops", (double)h->tp_drops);
  if (h->offload) {
    napi_value v;
    napi_create_object(env, &v);
    set_num(env, v, "rxSuperFrames", (double)h->rx_super_frames);
    set_num(env, v, "rxSegments", (double)h->rx_segments);
    set_num(env, v, "rxChecksums", (double)h->rx_csum_done);
    set_num(env, v, "rxErrors", (double)h->rx_offload_errors);
    set_num(env, v, "txGsoFrames", (double)h->tx_gso_frames);
    set_num(env, v, "txGsoSegments", (double)h->tx_gso_segments);
    napi_set_named_property(env, o, "offload", v);
  }
  napi_value v;
  if (h->last_rx_errno) {
    napi_create_string_utf8(env, errno_name(h->last_rx_errno), NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "lastRxError", v);
  }
  if (h->last_tx_errno) {
    napi_create_string_utf8(env, errno_name(h->last_tx_errno), NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, o, "lastTxError", v);
  }
  link_stats ls;
  if (!h->closed && read_link_stats(h, &ls) == 0) {
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

static napi_value mtu(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = argc ? get_handle(env, argv[0], 1) : NULL;
  if (!h) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFMTU, &ifr) != 0) return throw_errno(env, errno, "SIOCGIFMTU", h->ifname);
  napi_value out;
  napi_create_uint32(env, (uint32_t)ifr.ifr_mtu, &out);
  return out;
}

static napi_value mac(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = argc ? get_handle(env, argv[0], 1) : NULL;
  if (!h) return NULL;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFHWADDR, &ifr) != 0) return throw_errno(env, errno, "SIOCGIFHWADDR", h->ifname);
  napi_value out;
  void *data;
  napi_create_buffer_copy(env, 6, ifr.ifr_hwaddr.sa_data, &data, &out);
  return out;
}

static napi_value info_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle *h = argc ? get_handle(env, argv[0], 0) : NULL;
  if (!h) return NULL;
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, h->ifname, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "name", v);
  napi_create_int32(env, h->ifindex, &v);
  napi_set_named_property(env, o, "ifindex", v);
  napi_create_uint32(env, h->batch, &v);
  napi_set_named_property(env, o, "batch", v);
  napi_get_boolean(env, h->closed, &v);
  napi_set_named_property(env, o, "closed", v);
  napi_get_boolean(env, h->polling, &v);
  napi_set_named_property(env, o, "started", v);
  napi_get_boolean(env, h->ignore_outgoing, &v);
  napi_set_named_property(env, o, "kernelIgnoresOutgoing", v);
  napi_create_uint32(env, h->rx_cap, &v);
  napi_set_named_property(env, o, "deliveryFrames", v);
  napi_get_boolean(env, h->offload, &v);
  napi_set_named_property(env, o, "offload", v);
  napi_get_boolean(env, h->offload && h->coalesce, &v);
  napi_set_named_property(env, o, "coalesce", v);
  napi_create_string_utf8(env, h->ring == TPACKET_V3 ? "v3" : h->ring == TPACKET_V2 ? "v2" : "off", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "ring", v);
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
    if (ifreq_ioctl(h->ctl_fd, h->ifname, SIOCGIFTXQLEN, &ifr) == 0) set_num(env, o, "txqueuelen", ifr.ifr_qlen);
  }
  return o;
}

/* ------------------------------------------------------------------------ */
/* The offload logic alone, for test/unit/io/tap-offload.test.ts             */

static int get_bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool ta = false;
  napi_is_typedarray(env, v, &ta);
  if (!ta) return -1;
  napi_typedarray_type tt;
  if (napi_get_typedarray_info(env, v, &tt, len, (void **)data, NULL, NULL) != napi_ok || tt != napi_uint8_array) return -1;
  return 0;
}

/* vnetSegment(header: 10 octets, frame) -> Buffer[]: what the receive path
 * hands JavaScript for this frame read from a TAP. Throws EINVAL, EPROTO or
 * ENOSPC (more than VNET_RX_FRAMES segments) as the receive path would drop. */
static napi_value vnet_segment_fn(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *hb, *fb;
  size_t hl, fl;
  if (argc < 2 || get_bytes(env, argv[0], &hb, &hl) || hl != VNET_HDR_OCTETS || get_bytes(env, argv[1], &fb, &fl))
    return throw_type(env, "expected (header: Uint8Array of 10 octets, frame: Uint8Array)");
  struct virtio_net_hdr vh;
  memcpy(&vh, hb, VNET_HDR_OCTETS);
  vnet_out o = {.cap = VNET_RX_OCTETS, .max = VNET_RX_FRAMES};
  o.buf = malloc(o.cap);
  o.ptr = calloc(o.max, sizeof *o.ptr);
  o.len = calloc(o.max, sizeof *o.len);
  napi_value out = NULL;
  int e = !o.buf || !o.ptr || !o.len ? -ENOMEM : vnet_rx_frame(&vh, fb, fl, &o);
  if (e < 0) {
    throw_errno(env, -e, "vnetSegment", NULL);
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
    uint8_t *d;
    size_t l;
    if (get_bytes(env, v, &d, &l)) return throw_type(env, "frames must be an array of Uint8Array");
    iov[i].iov_base = d;
    iov[i].iov_len = l;
  }
  napi_value out;
  NAPI_OK(napi_create_array(env, &out));
  uint32_t writes = 0;
  for (uint32_t i = 0; i < n;) {
    struct virtio_net_hdr vh;
    uint8_t hdr[VNET_TX_HDR_MAX];
    size_t hdrs;
    unsigned k = vnet_tx_run(iov, n, i, 1, &vh, hdr, &hdrs);
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

/* ------------------------------------------------------------------------ */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openPacket", NULL, open_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openTap", NULL, open_tap, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stop", NULL, stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, send_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mtu", NULL, mtu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mac", NULL, mac, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, info_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"vnetSegment", NULL, vnet_segment_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"vnetCoalesce", NULL, vnet_coalesce_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fpAttach", NULL, fp_attach, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  { extern napi_value dxio_tcp_md5_init(napi_env, napi_value); dxio_tcp_md5_init(env, exports); } /* TCP MD5 sockets: tcp-md5.c */
  { extern napi_value dxio_gcm_init(napi_env, napi_value); dxio_gcm_init(env, exports); } /* AES-GCM per-SA contexts: gcm.c */
  { extern napi_value dxio_fastpath_init(napi_env, napi_value); dxio_fastpath_init(env, exports); } /* the SecY fast path: fastpath.c */
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
