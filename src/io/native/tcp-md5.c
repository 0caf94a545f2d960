/*
 * TCP sockets with TCP MD5 signatures (RFC 2385) for dxlab's BGP speaker,
 * part of the dxio addon (registered by dxio.c's module init through
 * dxio_tcp_md5_init, exports.h). Linux only.
 *
 * RFC 2385 §2 signs every segment, the SYN included, so the key must be on
 * the socket before connect(2) sends the SYN, and on a listening socket
 * before the peer's SYN arrives (the kernel copies the listener's key for
 * that peer into the accepted socket: net/ipv4/tcp_ipv4.c,
 * tcp_v4_syn_recv_sock). Node's net module creates, binds and connects its
 * sockets in one call and offers no hook in between, so the socket is made
 * here: tcpSocket() creates it (in a given network namespace if asked),
 * binds it, and returns the fd; tcpMd5() sets or deletes the key for one
 * peer address (setsockopt TCP_MD5SIG, tcp(7)); JavaScript then hands the fd
 * to Node (src/io/tcp-md5.ts says how) and Node does listen() or connect()
 * on it.
 *
 * The kernel checks signatures itself: a segment with a missing or wrong
 * signature is dropped before TCP sees it, and only the namespace's
 * TcpExt counters TCPMD5NotFound / TCPMD5Unexpected / TCPMD5Failure
 * (/proc/net/netstat) say so. A peer with a different key is thus a
 * connection that never completes, not an error on the socket.
 */
#define _GNU_SOURCE
#include "exports.h"
#include "napi-util.h"
#include "sys.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Throws the error of a failed system call: code the errno's name (sys.c),
 * message "syscall: strerror". */
static napi_value throw_md5(napi_env env, int e, const char *syscall) {
  char name[DXIO_ERRNO_NAME_MAX], msg[256];
  snprintf(msg, sizeof msg, "%s: %s", syscall, strerror(e));
  napi_throw(env, errno_error(env, dxio_errno_name(e, name), msg, e, syscall, NULL));
  return NULL;
}

/* Text address -> sockaddr of `family` (an IPv4 address on an IPv6 socket
 * becomes ::ffff:a.b.c.d, as the kernel sees such a peer). */
static int parse_addr(const char *text, int family, uint16_t port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (inet_pton(AF_INET, text, &a->sin_addr) != 1) return -1;
    *len = sizeof *a;
    return 0;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  if (inet_pton(AF_INET6, text, &a->sin6_addr) != 1) {
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) != 1) return -1;
    a->sin6_addr.s6_addr[10] = 0xff;
    a->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&a->sin6_addr.s6_addr[12], &v4, 4);
  }
  *len = sizeof *a;
  return 0;
}

/* tcpSocket(family 4|6, netns path or "", bind address or "", bind port) -> fd
 * A non-blocking, close-on-exec TCP socket, SO_REUSEADDR, bound when an
 * address or a port is given. The thread enters `netns` only for socket(2):
 * a socket stays in the namespace it was created in. */
static napi_value tcp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_type(env, "tcpSocket(family, netns, address, port)");
  int32_t fam = 0, port = 0;
  char netns[4096], addr[64];
  if (napi_get_value_int32(env, argv[0], &fam) != napi_ok || (fam != 4 && fam != 6) || !arg_string(env, argv[1], netns, sizeof netns) ||
      !arg_string(env, argv[2], addr, sizeof addr) || napi_get_value_int32(env, argv[3], &port) != napi_ok || port < 0 || port > 65535)
    return throw_type(env, "tcpSocket(family 4|6, netns string, address string, port 0..65535)");
  int family = fam == 4 ? AF_INET : AF_INET6;
  struct sockaddr_storage ss;
  socklen_t sslen = 0;
  if (addr[0] && parse_addr(addr, family, (uint16_t)port, &ss, &sslen) != 0) return throw_md5(env, EINVAL, "inet_pton");

  int saved;
  if (dxio_netns_enter(netns, &saved) != 0) return throw_md5(env, errno, "setns");
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  int e = errno;
  dxio_netns_leave(saved);
  if (fd < 0) return throw_md5(env, e, "socket");

  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  /* The VIF address may still be tentative (IPv6 DAD) or the TAP down when
   * the speaker starts; IP_FREEBIND lets the bind succeed anyway. */
  setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  if (addr[0] || port) {
    if (!addr[0]) {
      memset(&ss, 0, sizeof ss);
      if (family == AF_INET) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
        sslen = sizeof(struct sockaddr_in);
      } else {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
        sslen = sizeof(struct sockaddr_in6);
      }
    }
    if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
      e = errno;
      close(fd);
      return throw_md5(env, e, "bind");
    }
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

/* tcpMd5(fd, peer address, key) sets the RFC 2385 key for one peer address
 * on the socket; an empty key deletes it. tcp(7) TCP_MD5SIG: the address
 * family must be the socket's, keys are at most TCP_MD5SIG_MAXKEYLEN (80). */
static napi_value tcp_md5(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd = -1;
  char addr[64];
  bool is_typed = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      !arg_string(env, argv[1], addr, sizeof addr) || napi_is_typedarray(env, argv[2], &is_typed) != napi_ok || !is_typed)
    return throw_type(env, "tcpMd5(fd, address string, key Uint8Array)");
  bytes key;
  if (!u8_view(env, argv[2], &key)) return throw_type(env, "tcpMd5: key must be a Uint8Array");
  size_t keylen = key.len;
  if (keylen > TCP_MD5SIG_MAXKEYLEN) return throw_md5(env, EINVAL, "TCP_MD5SIG key longer than 80 octets");

  struct sockaddr_storage local;
  socklen_t ll = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0) return throw_md5(env, errno, "getsockname");
  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  socklen_t sl;
  if (parse_addr(addr, local.ss_family, 0, &sig.tcpm_addr, &sl) != 0) return throw_md5(env, EINVAL, "inet_pton");
  sig.tcpm_keylen = (uint16_t)keylen;
  if (keylen) memcpy(sig.tcpm_key, key.data, keylen);
  int rc = setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig);
  int e = errno;
  memset(sig.tcpm_key, 0, sizeof sig.tcpm_key);
  /* Deleting a key that is not there is ENOENT: nothing to do. */
  if (rc != 0 && !(keylen == 0 && e == ENOENT)) return throw_md5(env, e, "setsockopt TCP_MD5SIG");
  return NULL;
}

/* tcpClose(fd): for an fd that never reached Node (Node closes the others). */
static napi_value tcp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok)
    return throw_type(env, "tcpClose(fd)");
  if (fd >= 0) close(fd);
  return NULL;
}

napi_value dxio_tcp_md5_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("tcpSocket", tcp_socket),
                      EXPORT_FN("tcpMd5", tcp_md5),
                      EXPORT_FN("tcpClose", tcp_close));
}
