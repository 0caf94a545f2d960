/*
 * TCP sockets with TCP MD5 signatures (RFC 2385) for dxlab's BGP speaker,
 * part of the dxio addon (registered by dxio.c's init through
 * dxio_tcp_md5_init). Linux only.
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
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static napi_value md5_error(napi_env env, int e, const char *syscall) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", syscall, strerror(e));
  const char *name = e == EPERM ? "EPERM" : e == EACCES ? "EACCES" : e == EINVAL ? "EINVAL" : e == ENOENT ? "ENOENT"
                   : e == EADDRINUSE ? "EADDRINUSE" : e == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : e == EBADF ? "EBADF"
                   : e == ENOPROTOOPT ? "ENOPROTOOPT" : e == ENOTSOCK ? "ENOTSOCK" : e == EAFNOSUPPORT ? "EAFNOSUPPORT" : "EIO";
  napi_value code, m, err, v;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, code, m, &err);
  napi_create_int32(env, e, &v);
  napi_set_named_property(env, err, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "syscall", v);
  return err;
}

static napi_value throw_md5(napi_env env, int e, const char *syscall) {
  napi_throw(env, md5_error(env, e, syscall));
  return NULL;
}

static int get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len;
  return napi_get_value_string_utf8(env, v, buf, size, &len) == napi_ok && len < size - 1 ? 0 : -1;
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
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "tcpSocket(family, netns, address, port)");
    return NULL;
  }
  int32_t fam = 0, port = 0;
  char netns[4096], addr[64];
  if (napi_get_value_int32(env, argv[0], &fam) != napi_ok || (fam != 4 && fam != 6) || get_string(env, argv[1], netns, sizeof netns) ||
      get_string(env, argv[2], addr, sizeof addr) || napi_get_value_int32(env, argv[3], &port) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "tcpSocket(family 4|6, netns string, address string, port 0..65535)");
    return NULL;
  }
  int family = fam == 4 ? AF_INET : AF_INET6;
  struct sockaddr_storage ss;
  socklen_t sslen = 0;
  if (addr[0] && parse_addr(addr, family, (uint16_t)port, &ss, &sslen) != 0) return throw_md5(env, EINVAL, "inet_pton");

  int saved = -1;
  if (netns[0]) {
    saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (saved < 0) return throw_md5(env, errno, "open /proc/thread-self/ns/net");
    int target = open(netns, O_RDONLY | O_CLOEXEC);
    if (target < 0 || setns(target, CLONE_NEWNET) != 0) {
      int e = errno;
      if (target >= 0) close(target);
      close(saved);
      return throw_md5(env, e, "setns");
    }
    close(target);
  }
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  int e = errno;
  if (saved >= 0) {
    if (setns(saved, CLONE_NEWNET) != 0) napi_fatal_error("dxio tcp-md5", NAPI_AUTO_LENGTH, "setns back to the original network namespace failed", NAPI_AUTO_LENGTH);
    close(saved);
  }
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
  void *key = NULL;
  size_t keylen = 0;
  bool is_typed = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      get_string(env, argv[1], addr, sizeof addr) || napi_is_typedarray(env, argv[2], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "tcpMd5(fd, address string, key Uint8Array)");
    return NULL;
  }
  napi_typedarray_type tt;
  size_t length, offset;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[2], &tt, &length, &key, &ab, &offset) != napi_ok || tt != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "tcpMd5: key must be a Uint8Array");
    return NULL;
  }
  keylen = length;
  if (keylen > TCP_MD5SIG_MAXKEYLEN) return throw_md5(env, EINVAL, "TCP_MD5SIG key longer than 80 octets");

  struct sockaddr_storage local;
  socklen_t ll = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0) return throw_md5(env, errno, "getsockname");
  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  socklen_t sl;
  if (parse_addr(addr, local.ss_family, 0, &sig.tcpm_addr, &sl) != 0) return throw_md5(env, EINVAL, "inet_pton");
  sig.tcpm_keylen = (uint16_t)keylen;
  if (keylen) memcpy(sig.tcpm_key, key, keylen);
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
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "tcpClose(fd)");
    return NULL;
  }
  if (fd >= 0) close(fd);
  return NULL;
}

napi_value dxio_tcp_md5_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"tcpSocket", NULL, tcp_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpMd5", NULL, tcp_md5, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpClose", NULL, tcp_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
