/*
 * Small Node-API helpers shared by the addon's C files (dxio.c, gcm.c,
 * fastpath.c), so that each error and property is made the same way.
 */
#ifndef DXIO_NAPI_UTIL_H
#define DXIO_NAPI_UTIL_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
/* The data pointer of an external made by this addon, or NULL for any other value. */
static inline void *external_data(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

#endif
#include <node_api.h>

/* Throws a TypeError with code ERR_INVALID_ARG_TYPE; returns NULL for `return throw_type(...)`. */
static inline napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* obj[name] = v, as a JavaScript number. */
static inline void set_num(napi_env env, napi_value obj, const char *name, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

/* The data pointer of an external made by this addon, or NULL for any other value. */
static inline void *external_data(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

#endif
