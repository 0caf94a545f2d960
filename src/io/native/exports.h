/*
 * The addon's parts, each registering the JavaScript functions it
 * implements on the module's exports. dxio.c's module init calls them in
 * this order, which is the order of the exports' keys.
 */
#ifndef DXIO_EXPORTS_H
#define DXIO_EXPORTS_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

/* Frame I/O handles (dxio.h) */
napi_value dxio_packet_init(napi_env env, napi_value exports);      /* openPacket: packet.c */
napi_value dxio_tap_init(napi_env env, napi_value exports);         /* openTap: tap.c */
napi_value dxio_rxtx_init(napi_env env, napi_value exports);        /* start, stop, send: rxtx.c */
napi_value dxio_info_init(napi_env env, napi_value exports);        /* stats, mtu, mac, info: info.c */
napi_value dxio_handle_init(napi_env env, napi_value exports);      /* close: handle.c */
napi_value dxio_vnet_init(napi_env env, napi_value exports);        /* vnetSegment, vnetCoalesce (tests): vnet.c */
napi_value dxio_fastpath_io_init(napi_env env, napi_value exports); /* fpAttach: fastpath-io.c */

/* The others */
napi_value dxio_tcp_md5_init(napi_env env, napi_value exports);  /* tcpSocket, tcpMd5, tcpClose: tcp-md5.c */
napi_value dxio_gcm_init(napi_env env, napi_value exports);      /* gcm*: gcm.c */
napi_value dxio_fastpath_init(napi_env env, napi_value exports); /* fpCreate, fpConfigure, fpProcess, fpStats: fastpath.c */
napi_value dxio_lag_init(napi_env env, napi_value exports);      /* lagFlowHash, lagChoose: lag.c */

#endif
