/*
 * What the addon's parts need from the system around Node-API: entering a
 * network namespace for the length of one call (dxio's handles and
 * tcp-md5.c's sockets are created inside a lab's namespace and stay there),
 * and the names of errnos, so that every error thrown to JavaScript carries
 * the errno's own name as its code.
 */
#ifndef DXIO_SYS_H
#define DXIO_SYS_H

#include <stddef.h>

/* Enters the namespace at `path` (nothing when NULL or empty) and stores in
 * *saved an fd of the thread's previous one (-1 when nothing was entered).
 * Returns 0, or -1 with errno set and the thread where it was. */
int dxio_netns_enter(const char *path, int *saved);

/* Returns the thread to the namespace saved by dxio_netns_enter and closes
 * the fd; stops the process if that fails (see sys.c). */
void dxio_netns_leave(int saved);

/* Room for any name dxio_errno_name writes into its buffer. */
#define DXIO_ERRNO_NAME_MAX 32

/* The symbolic name of errno e ("ENOTDIR"), or "errno N" (written into buf)
 * for a number the C library has no name for: never another errno's name. */
const char *dxio_errno_name(int e, char buf[DXIO_ERRNO_NAME_MAX]);

#endif
