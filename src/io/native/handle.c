/*
 * A frame I/O handle's life (dxio.h): what both kinds of handle, AF_PACKET
 * socket and TAP, share from open to finalize, so that packet.c and tap.c
 * hold only what differs between them.
 *
 *   - errors thrown to JavaScript: code (the errno's name), errno, syscall
 *     and interface;
 *   - the handle's NETLINK_ROUTE socket, opened in the interface's network
 *     namespace: interface ioctls (MTU, MAC, txqueuelen) go through it (a
 *     netlink socket passes unknown ioctls on to dev_ioctl, net/socket.c
 *     sock_do_ioctl), and RTM_GETLINK on it reads the kernel's counters
 *     (rtnl_link_stats64) wherever the process itself runs;
 *   - receive and send buffers; the uv_poll box and the cleanup hook that
 *     outlive the handle; close, environment teardown and the finalizer;
 *   - the steps of an open that do not depend on the kind (arguments, the
 *     JavaScript external, failure).
 *
 * Exports: close(handle).
 */
#define _GNU_SOURCE
#include "dxio.h"
#include "exports.h"
#include "napi-util.h"
#include "sys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* ------------------------------------------------------------------------ */
/* errors                                                                    */

napi_value dxio_make_error(napi_env env, int e, const char *syscall, const char *ifname) {
  char name[DXIO_ERRNO_NAME_MAX], msg[256];
  const char *code = dxio_errno_name(e, name);
  snprintf(msg, sizeof msg, "%s %s: %s (%s)", syscall, ifname && *ifname ? ifname : "-", code, strerror(e));
  return errno_error(env, code, msg, e, syscall, ifname);
}

napi_value dxio_throw_errno(napi_env env, int e, const char *syscall, const char *ifname) {
  napi_throw(env, dxio_make_error(env, e, syscall, ifname));
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* interface helpers (through the handle's control socket)                  */

void dxio_copy_ifname(char *dst, const char *src) {
  size_t n = strnlen(src, IFNAMSIZ - 1);
  memcpy(dst, src, n);
  dst[n] = 0;
}

int dxio_ifreq_ioctl(int fd, const char *ifname, unsigned long req, struct ifreq *ifr) {
  dxio_copy_ifname(ifr->ifr_name, ifname);
  return ioctl(fd, req, ifr);
}

int dxio_read_link_stats(handle *h, link_stats *out) {
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

int dxio_open_ctl(void) {
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

int dxio_alloc_buffers(handle *h) {
  h->slot = (h->max_frame + VLAN_ROOM + 63) & ~(size_t)63;
  h->rx_cap = h->batch;
  h->rx_out_cap = h->slot * h->batch;
  if (h->offload) {
    /* Segments go back to back into one area (see dxio_rx_tap_vnet); one
     * frame as read, a TSO super-frame of up to 64 KiB, waits in rx_super. */
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

void dxio_stop_polling(handle *h) {
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

void dxio_close_handle(handle *h) {
  if (h->closed) return;
  dxio_stop_polling(h);
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
  dxio_close_handle(h);
  if (h->self_ref) napi_delete_reference(env, h->self_ref);
  h->self_ref = NULL;
  h->finalized = 1;
  h->magic = 0;
  if (!h->in_callback) free(h);
}

handle *dxio_get_handle(napi_env env, napi_value v, int must_be_open) {
  handle *h = external_data(env, v);
  if (!h || h->magic != DXIO_HANDLE_MAGIC) {
    throw_type(env, "expected a dxio handle");
    return NULL;
  }
  if (must_be_open && h->closed) {
    char m[96];
    snprintf(m, sizeof m, "%s: handle is closed", h->ifname);
    throw_code(env, "ECLOSED", m);
    return NULL;
  }
  return h;
}

handle *dxio_handle_arg(napi_env env, napi_callback_info info, int must_be_open) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  return argc ? dxio_get_handle(env, argv[0], must_be_open) : NULL;
}

napi_value dxio_open_args(napi_env env, napi_callback_info info, char *ifname, napi_value *opts) {
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

int dxio_tuning_opts(napi_env env, napi_value opts, unsigned *busy_poll_us, int *serve) {
  char order[8];
  uint32_t us;
  if (opt_u32(env, opts, "busyPollUs", 0, &us) || opt_str(env, opts, "serve", order, sizeof order)) {
    throw_type(env, "invalid option type");
    return -1;
  }
  if (us > 1000) {
    throw_type(env, "busyPollUs must be 0..1000");
    return -1;
  }
  int o = !order[0] || !strcmp(order, "own") ? SERVE_OWN : !strcmp(order, "wire") ? SERVE_WIRE_FIRST : !strcmp(order, "tap") ? SERVE_TAP_FIRST : -1;
  if (o < 0) {
    throw_type(env, "serve must be 'own', 'wire' or 'tap'");
    return -1;
  }
  *busy_poll_us = us;
  *serve = o;
  return 0;
}

handle *dxio_new_handle(napi_env env, enum kind kind, const char *ifname, uint32_t batch, uint32_t max_frame) {
  handle *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->magic = DXIO_HANDLE_MAGIC;
  h->env = env;
  h->kind = kind;
  h->fd = h->ctl_fd = -1;
  dxio_copy_ifname(h->ifname, ifname);
  h->batch = batch;
  h->max_frame = max_frame;
  return h;
}

napi_value dxio_wrap_handle(napi_env env, handle *h) {
  napi_value ext;
  if (napi_create_external(env, h, finalize, NULL, &ext) != napi_ok) {
    dxio_close_handle(h);
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
    dxio_close_handle(h);
    return dxio_throw_errno(env, -r, "uv_poll_init", h->ifname);
  }
  box->h = h;
  box->poll.data = h;
  h->box = box;
  h->poll = &box->poll;
  if (napi_add_async_cleanup_hook(env, on_env_teardown, box, &box->hook) != napi_ok) box->hook = NULL;
  return ext;
}

napi_value dxio_open_failed(napi_env env, handle *h, int e, const char *syscall, int saved_ns) {
  dxio_netns_leave(saved_ns);
  if (h->fd >= 0) close(h->fd);
  if (h->ctl_fd >= 0) close(h->ctl_fd);
  free_buffers(h);
  char name[IFNAMSIZ];
  memcpy(name, h->ifname, IFNAMSIZ);
  free(h);
  return dxio_throw_errno(env, e, syscall, name);
}

/* close(handle): closes fds, frees buffers, stops the poll; idempotent. */
static napi_value close_fn(napi_env env, napi_callback_info info) {
  handle *h = dxio_handle_arg(env, info, 0);
  if (!h) return NULL;
  dxio_close_handle(h);
  return NULL;
}

napi_value dxio_handle_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports, EXPORT_FN("close", close_fn));
}
