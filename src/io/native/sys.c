/*
 * Network namespaces and errno names for the addon's parts (declared in
 * sys.h): kept apart from Node-API so that the frame I/O handles and the
 * TCP MD5 sockets (tcp-md5.c) enter a namespace, and name an errno, the
 * same way.
 *
 * Network namespaces: an open may name a namespace file (/run/netns/NAME).
 * The calling thread enters it with setns(2), creates the socket or TAP and
 * returns to its own namespace before the call ends; sockets and TAPs stay in
 * the namespace they were created in (net/socket.c: sock_net is fixed at
 * creation; a TAP is registered in current->nsproxy->net_ns). setns affects
 * only the calling thread, which is Node's main (or worker) thread here;
 * libuv's thread pool is not involved.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

int dxio_netns_enter(const char *path, int *saved) {
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

void dxio_netns_leave(int saved) {
  if (saved < 0) return;
  /* A thread left in a lab namespace would open every later socket there:
   * better to stop the process than to go on in the wrong namespace. */
  if (setns(saved, CLONE_NEWNET) != 0) napi_fatal_error("dxio", NAPI_AUTO_LENGTH, "setns back to the original network namespace failed", NAPI_AUTO_LENGTH);
  close(saved);
}

const char *dxio_errno_name(int e, char buf[DXIO_ERRNO_NAME_MAX]) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  /* glibc 2.32 and later name every errno they know (strerrorname_np(3)). */
  const char *n = strerrorname_np(e);
  if (n) return n;
#else
  /* Elsewhere libuv's table (UV_E* is -errno on Linux); uv_err_name_r
   * writes "Unknown system error N" for a number it does not know. */
  uv_err_name_r(-e, buf, DXIO_ERRNO_NAME_MAX);
  if (strncmp(buf, "Unknown", 7) != 0) return buf;
#endif
  /* Not "EIO" or any other name: that would be another errno's. The number
   * itself goes with the error as its errno property. */
  snprintf(buf, DXIO_ERRNO_NAME_MAX, "errno %d", e);
  return buf;
}
