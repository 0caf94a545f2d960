/*
 * dxio: the frame I/O addon of dxlab (Linux only; Node-API in C, nothing but
 * node_api.h, libuv as Node exports it, the kernel's headers, the OpenSSL
 * that node exports, and intel-ipsec-mb's header where installed: the
 * library itself is dlopen'ed at run time, gcm-ipsecmb.c). This file is its
 * module init: each part
 * registers the functions it implements (exports.h), in the order below.
 *
 * Frame I/O, two kinds of handle, one shape (dxio.h):
 *   - an AF_PACKET SOCK_RAW socket bound to one interface (packet.c), read
 *     and written with recvmmsg/sendmmsg or through PACKET_MMAP rings;
 *   - a TAP device opened by name (tap.c), one frame per syscall, or with
 *     offloads a TCP super-frame of up to 64 KiB per syscall, segmented on
 *     receive and coalesced on send (vnet.c), so that JavaScript still sees
 *     ordinary frames.
 * Both are non-blocking and watched by a uv_poll on Node's own loop; each
 * readable event hands batches of frames to JavaScript in one call each
 * (rxtx.c). A handle's life, its errors and its netlink control socket are
 * in handle.c, its counters and the interface's in info.c. An open may name
 * a network namespace: the thread enters it for the call only (sys.c).
 *
 * A MACsec port of a node attaches its wire and TAP handles to a fast path
 * (fastpath-io.c, fpAttach): the frames it can decide are then protected or
 * validated (fastpath.c, with the AES-GCM keys of gcm.c: OpenSSL contexts,
 * or intel-ipsec-mb's expanded keys in gcm-ipsecmb.c) and written to
 * the other side within the poll callback; only the others cross into
 * JavaScript.
 *
 * Also: TCP sockets with RFC 2385 MD5 signatures for the BGP speaker
 * (tcp-md5.c), and a LAG's flow hash and member choice (lag.c), equal to
 * src/lacp/distributor.ts.
 *
 * Errors thrown to JavaScript carry code (the errno's name), errno, syscall
 * and interface (handle.c dxio_make_error; src/io/errors.ts reads them).
 */
#include "exports.h"

static napi_value init(napi_env env, napi_value exports) {
  dxio_packet_init(env, exports);
  dxio_tap_init(env, exports);
  dxio_rxtx_init(env, exports);
  dxio_info_init(env, exports);
  dxio_handle_init(env, exports);
  dxio_vnet_init(env, exports);
  dxio_fastpath_io_init(env, exports);
  dxio_tcp_md5_init(env, exports);
  dxio_gcm_init(env, exports);
  dxio_fastpath_init(env, exports);
  dxio_lag_init(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
