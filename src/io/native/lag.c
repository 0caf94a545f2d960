/*
 * The LAG's frame distributor in C: the flow hash and the member choice of
 * src/lacp/distributor.ts (the reference), octet for octet, so that a fast
 * path serving a LAG picks the member JavaScript would
 * (test/unit/io/lag-distributor.test.ts compares them on random and crafted
 * frames). IEEE 802.1AX-2014 6.2.4: every frame of a conversation on one
 * link. The hash is FNV-1a 32 over the MACs and, for IPv4 and IPv6, the
 * addresses, the protocol and (TCP, UDP; not for an IPv4 fragment) the
 * ports, VLAN tags stepped over, folded once; docs/lacp-decisions.md §6.
 */
#include <stdint.h>
#include <stddef.h>
#include "napi-util.h"

#define FNV_OFFSET 0x811c9dc5u
#define FNV_PRIME 0x01000193u

static uint32_t fnv(uint32_t h, const uint8_t *b, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) h = (h ^ b[i]) * FNV_PRIME;
  return h;
}

uint32_t dxio_lag_flow_hash(const uint8_t *f, size_t n) {
  uint32_t h = fnv(FNV_OFFSET, f, 0, n < 12 ? n : 12);
  size_t at = 12;
  unsigned type = n >= 14 ? (unsigned)(f[12] << 8 | f[13]) : 0;
  while ((type == 0x8100 || type == 0x88a8) && at + 6 <= n) {
    at += 4;
    type = (unsigned)(f[at] << 8 | f[at + 1]);
  }
  size_t l3 = at + 2;
  if (type == 0x0800 && l3 + 20 <= n) {
    size_t ihl = (size_t)(f[l3] & 0x0f) * 4;
    uint8_t proto = f[l3 + 9];
    h = fnv(h, f, l3 + 12, l3 + 20);
    h = (h ^ proto) * FNV_PRIME;
    int fragmented = (f[l3 + 6] & 0x3f) != 0 || f[l3 + 7] != 0;
    if ((proto == 6 || proto == 17) && !fragmented && ihl >= 20 && l3 + ihl + 4 <= n) h = fnv(h, f, l3 + ihl, l3 + ihl + 4);
  } else if (type == 0x86dd && l3 + 40 <= n) {
    uint8_t next = f[l3 + 6];
    h = fnv(h, f, l3 + 8, l3 + 40);
    h = (h ^ next) * FNV_PRIME;
    if ((next == 6 || next == 17) && l3 + 44 <= n) h = fnv(h, f, l3 + 40, l3 + 44);
  }
  return h ^ (h >> 16);
}

/* The member index for hash h among n members (at most 32) whose bit is set
 * in `distributing` (bit i: member i), or -1 when none distributes: the hash
 * picks among all members first, among the distributing ones only when
 * that one is not (a member leaving moves only its own flows). */
int dxio_lag_choose(uint32_t h, unsigned n, uint32_t distributing) {
  if (n == 0 || n > 32) return -1;
  if (n < 32) distributing &= (1u << n) - 1;
  if (!distributing) return -1;
  unsigned first = h % n;
  if (distributing & (1u << first)) return (int)first;
  unsigned count = (unsigned)__builtin_popcount(distributing);
  unsigned k = h % count;
  for (unsigned i = 0; i < n; i++)
    if (distributing & (1u << i) && k-- == 0) return (int)i;
  return -1;
}

/* lagFlowHash(frame) -> number */
static napi_value lag_flow_hash_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bytes b;
  if (argc < 1 || !arg_bytes(env, argv[0], "frame", &b)) return NULL;
  napi_value out;
  NAPI_OK(napi_create_uint32(env, dxio_lag_flow_hash(b.data, b.len), &out));
  return out;
}

/* lagChoose(frame, members, distributingMask) -> member index, or -1 */
static napi_value lag_choose_fn(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bytes b;
  uint32_t n, mask;
  if (argc < 3) return throw_type(env, "expected (frame: Uint8Array, members: number, distributingMask: number)");
  if (!arg_bytes(env, argv[0], "frame", &b) || !arg_u32(env, argv[1], "members", &n) || !arg_u32(env, argv[2], "distributingMask", &mask)) return NULL;
  if (n < 1 || n > 32) return throw_range(env, "members must be 1 to 32");
  napi_value out;
  NAPI_OK(napi_create_int32(env, dxio_lag_choose(dxio_lag_flow_hash(b.data, b.len), n, mask), &out));
  return out;
}

napi_value dxio_lag_init(napi_env env, napi_value exports) {
  return DXIO_EXPORTS(env, exports,
                      EXPORT_FN("lagFlowHash", lag_flow_hash_fn),
                      EXPORT_FN("lagChoose", lag_choose_fn));
}
