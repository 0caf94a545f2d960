/*
 * dxio on systems other than Linux: AF_PACKET sockets, TAP devices and
 * network namespaces are Linux interfaces, so the addon only says so.
 * src/io/native.ts turns `unsupported` into an IoError.
 */
#define NAPI_VERSION 8
#include <node_api.h>

static napi_value init(napi_env env, napi_value exports) {
  napi_value v;
  napi_create_string_utf8(env, "dxlab frame I/O needs Linux (AF_PACKET, TAP, network namespaces)", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, exports, "unsupported", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
