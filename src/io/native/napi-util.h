/*
 * The Node-API helpers every C file of the addon uses: errors made one way
 * (a code, a message and, for system errors, errno, syscall and interface),
 * arguments and options read one way (a wrong type is a TypeError naming
 * the argument, a number out of range a RangeError), and the data behind
 * the addon's externals. All static inline: each is a few calls, and the
 * files that take a frame's bytes from JavaScript keep doing it in place.
 */
#ifndef DXIO_NAPI_UTIL_H
#define DXIO_NAPI_UTIL_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------------ */
/* errors                                                                    */

/* Throws a TypeError with code ERR_INVALID_ARG_TYPE; returns NULL for `return throw_type(...)`. */
static inline napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* Throws a RangeError with code ERR_OUT_OF_RANGE; returns NULL. */
static inline napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return NULL;
}

/* Throws an Error with the given code; returns NULL. */
static inline napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

/* An Error for a failed system call: code (the errno's name), message, and
 * the properties errno, syscall and (when ifname is not NULL) interface,
 * the shape src/io/errors.ts ioErrorFromNative reads. */
static inline napi_value errno_error(napi_env env, const char *code, const char *msg, int e, const char *syscall, const char *ifname) {
  napi_value c, m, err, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &err);
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

/* Returns NULL from the calling napi_callback when a Node-API call fails,
 * with the pending exception, or ERR_NAPI and Node-API's own message. */
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

/* The start of a napi_callback taking up to n arguments: declares argc (how
 * many the caller passed) and argv, and returns NULL from the callback when
 * Node-API cannot read them. */
#define CB_ARGS(n)                                                        \
  size_t argc = (n);                                                      \
  napi_value argv[(n)];                                                   \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL

/* ------------------------------------------------------------------------ */
/* values                                                                    */

/* obj[name] = v, as a JavaScript number. */
static inline void set_num(napi_env env, napi_value obj, const char *name, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

/* obj[name] = v, as a JavaScript boolean. */
static inline void set_bool(napi_env env, napi_value obj, const char *name, bool v) {
  napi_value b;
  napi_get_boolean(env, v, &b);
  napi_set_named_property(env, obj, name, b);
}

/* obj[name] = s, as a JavaScript string. */
static inline void set_str(napi_env env, napi_value obj, const char *name, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, name, v);
}

/* A uint64_t counter of a struct, by the name JavaScript sees and its offset (DXIO_COUNTER). */
typedef struct {
  const char *name;
  size_t offset;
} dxio_counter;
#define DXIO_COUNTER(name, type, field) {(name), offsetof(type, field)}

/* Sets each counter of `table` read from the struct at `base` on obj, as a number. */
static inline void set_counters(napi_env env, napi_value obj, const void *base, const dxio_counter *table, size_t n) {
  for (size_t i = 0; i < n; i++) set_num(env, obj, table[i].name, (double)*(const uint64_t *)((const char *)base + table[i].offset));
}

/* A function of the module's exports (napi_property_descriptor). */
#define EXPORT_FN(name, fn) {(name), NULL, (fn), NULL, NULL, NULL, napi_enumerable, NULL}

/* Defines n properties on exports and returns exports: the body of each
 * part's init function (exports.h). */
static inline napi_value define_exports(napi_env env, napi_value exports, const napi_property_descriptor *props, size_t n) {
  napi_define_properties(env, exports, n, props);
  return exports;
}

/* A file's init: `return DXIO_EXPORTS(env, exports, EXPORT_FN("name", fn), ...);` defines its functions on exports. */
#define DXIO_EXPORTS(env, exports, ...) \
  define_exports((env), (exports), (const napi_property_descriptor[]){__VA_ARGS__}, sizeof((const napi_property_descriptor[]){__VA_ARGS__}) / sizeof(napi_property_descriptor))

/* The data pointer of an external made by this addon, or NULL for any other value. */
static inline void *external_data(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

/* The octets of a Uint8Array, read in place. */
typedef struct bytes {
  uint8_t *data;
  size_t len;
} bytes;

/* 1 when v is a Uint8Array (an empty or detached one may report NULL data:
 * read as no octets), 0 for any other value; throws nothing. */
static inline int u8_view(napi_env env, napi_value v, bytes *out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  out->data = data;
  out->len = data ? length : 0;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* arguments                                                                 */

/* u8_view, or 0 with a TypeError "<name> must be a Uint8Array". */
static inline int arg_bytes(napi_env env, napi_value v, const char *name, bytes *out) {
  if (u8_view(env, v, out)) return 1;
  char msg[96];
  snprintf(msg, sizeof msg, "%s must be a Uint8Array", name);
  throw_type(env, msg);
  return 0;
}

/* An integer 0..2^32-1, or 0 with a RangeError naming the argument. */
static inline int arg_u32(napi_env env, napi_value v, const char *name, uint32_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be an integer 0..2^32-1", name);
    throw_range(env, msg);
    return 0;
  }
  *out = (uint32_t)d;
  return 1;
}

/* A string that fits buf (size octets with its terminator); 1, or 0 for
 * another type or a longer string. Throws nothing. */
static inline int arg_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len;
  return napi_get_value_string_utf8(env, v, buf, size, &len) == napi_ok && len < size - 1;
}

/* ------------------------------------------------------------------------ */
/* options: optional properties of an options object                        */

/* The property, or NULL when it is missing or undefined; -1 in *wrong when
 * it has another type than `want`. */
static inline napi_value opt_get(napi_env env, napi_value obj, const char *name, napi_valuetype want, int *wrong) {
  bool has = false;
  *wrong = 0;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return NULL;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, obj, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return NULL;
  if (t != want) *wrong = -1;
  return v;
}

/* obj[name] as a uint32, def when absent; -1 on a wrong type. */
static inline int opt_u32(napi_env env, napi_value obj, const char *name, uint32_t def, uint32_t *out) {
  int wrong;
  *out = def;
  napi_value v = opt_get(env, obj, name, napi_number, &wrong);
  if (!v || wrong) return wrong;
  return napi_get_value_uint32(env, v, out) == napi_ok ? 0 : -1;
}

/* obj[name] as a boolean, def when absent; -1 on a wrong type. */
static inline int opt_bool(napi_env env, napi_value obj, const char *name, bool def, bool *out) {
  int wrong;
  *out = def;
  napi_value v = opt_get(env, obj, name, napi_boolean, &wrong);
  if (!v || wrong) return wrong;
  return napi_get_value_bool(env, v, out) == napi_ok ? 0 : -1;
}

/* obj[name] copied into buf, "" when absent; -1 on a wrong type or a string
 * that does not fit. */
static inline int opt_str(napi_env env, napi_value obj, const char *name, char *buf, size_t cap) {
  int wrong;
  buf[0] = 0;
  napi_value v = opt_get(env, obj, name, napi_string, &wrong);
  if (!v || wrong) return wrong;
  return arg_string(env, v, buf, cap) ? 0 : -1;
}

#endif
