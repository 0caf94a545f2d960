/*
 * The LAG's frame distributor in C: the flow hash and the member choice of
 * src/lacp/distributor.ts (the reference), octet for octet, so that a fast
 * path serving a LAG picks the member JavaScript would
 * (test/unit/io/lag-distributor.test.ts compares them on random and crafted
 * frames). IEEE 802.1AX-2014 6.2.4: every frame of a conversation on one
 * link. The hash is FNV-1a 32 over the MACs and, for IPv4 and IPv6, the
 * addresses, the protocol and (TCP, UDP; not for an IPv4 fragment) the
 * ports, VLAN tags stepped over, folded once; docs/lacp-decisions.md §6.
 *
 * The LAG's fast path (fpLagCreate, fpLagConfigure) puts that choice on the
 * data path: a LAG's TAPs feed it (fastpath-io.c), each frame goes through
 * the chosen member's SecY fast path (fastpath.c fp_tx) to that member's
 * wire, and a member's validated frames reach the LAG's TAPs only while its
 * collector is enabled (fastpath.c fp_rx). JavaScript (src/node/lag-port.ts)
 * sets the members and which of them distribute and collect whenever LACP
 * changes them; every frame the fast path cannot decide goes to JavaScript,
 * whose distributor picks the same member.
 *
 * Exports: lagFlowHash(frame), lagChoose(frame, members, mask),
 *   fpLagCreate() -> external,
 *   fpLagConfigure(lag, { enabled, members: [fast path], distributing, collecting, taps: [vlan] }),
 *   fpLagStats(lag) -> { txFrames, txToJs, rxNotCollecting, txByMember, rxByMember }.
 */
#include <stdint.h>
#include <stddef.h>
#include "fastpath.h"
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

size_t fp_lag_tx(fastpath *lag, int tap, const uint8_t *f, size_t len, uint8_t *out, size_t cap, int *member, int (*ready)(const fastpath *)) {
  *member = -1;
  if (!lag->enabled || tap < 0 || tap >= lag->ntaps) return 0;
  /* The frame as the TAP gave it: its VLAN tag comes later (fp_tx), and
   * the hash steps over tags, so JavaScript's tagged copy hashes the same. */
  int m = dxio_lag_choose(dxio_lag_flow_hash(f, len), (unsigned)lag->nmembers, lag->distributing);
  fastpath *mf = m >= 0 ? lag->members[m] : NULL;
  if (!mf || mf->lag != lag || (ready && !ready(mf))) {
    lag->tx_to_js++;
    return 0;
  }
  size_t l = fp_tx(mf, tap, f, len, out, cap);
  if (!l) {
    lag->tx_to_js++;
    return 0;
  }
  *member = m;
  lag->tx_by_member[m]++;
  lag->tx_frames++;
  return l;
}

static napi_value fp_lag_create(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ext;
  fastpath *lag = dxio_fastpath_new(env, &ext);
  if (!lag) return NULL;
  lag->is_lag = 1;
  return ext;
}

static int get_u32(napi_env env, napi_value o, const char *name, uint32_t *out) {
  napi_value v;
  return napi_get_named_property(env, o, name, &v) == napi_ok && napi_get_value_uint32(env, v, out) == napi_ok;
}

/* fpLagConfigure(lag, { enabled, members, distributing, collecting, taps }):
 * the whole configuration at once; on a bad one nothing changes. */
static napi_value fp_lag_configure(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], v, e;
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  fastpath *lag = argc >= 2 ? dxio_fastpath_of(env, argv[0]) : NULL;
  if (!lag || !lag->is_lag) return throw_type(env, "fpLagConfigure(lagFastPath, config)");
  bool enabled;
  uint32_t n, ntaps, dist, coll;
  fastpath *members[FP_LAG_MAX_MEMBERS] = {0};
  int vlans[FP_MAX_TAPS];
  if (napi_get_named_property(env, argv[1], "enabled", &v) != napi_ok || napi_get_value_bool(env, v, &enabled) != napi_ok) return throw_type(env, "fpLagConfigure: bad or missing enabled");
  if (napi_get_named_property(env, argv[1], "members", &v) != napi_ok || napi_get_array_length(env, v, &n) != napi_ok || n < 1 || n > FP_LAG_MAX_MEMBERS)
    return throw_type(env, "fpLagConfigure: members must be 1 to 8 fast paths");
  for (uint32_t i = 0; i < n; i++) {
    if (napi_get_element(env, v, i, &e) != napi_ok || !(members[i] = dxio_fastpath_of(env, e)) || members[i]->is_lag)
      return throw_type(env, "fpLagConfigure: members must be 1 to 8 fast paths");
    if (members[i]->lag && members[i]->lag != lag) return throw_type(env, "fpLagConfigure: a member is in another LAG's fast path");
    for (uint32_t j = 0; j < i; j++)
      if (members[j] == members[i]) return throw_type(env, "fpLagConfigure: a member is given twice");
  }
  if (!get_u32(env, argv[1], "distributing", &dist)) return throw_type(env, "fpLagConfigure: bad or missing distributing");
  if (!get_u32(env, argv[1], "collecting", &coll)) return throw_type(env, "fpLagConfigure: bad or missing collecting");
  if (napi_get_named_property(env, argv[1], "taps", &v) != napi_ok || napi_get_array_length(env, v, &ntaps) != napi_ok || ntaps < 1 || ntaps > FP_MAX_TAPS)
    return throw_type(env, "fpLagConfigure: taps must be 1 to 16 VLANs (-1: untagged)");
  for (uint32_t i = 0; i < ntaps; i++) {
    int32_t vid;
    if (napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_int32(env, e, &vid) != napi_ok || vid < -1 || vid > 4094)
      return throw_type(env, "fpLagConfigure: taps must be 1 to 16 VLANs (-1: untagged)");
    vlans[i] = vid;
  }
  /* Members that left forget the LAG; the others point at it. */
  for (int i = 0; i < lag->nmembers; i++) {
    fastpath *m = lag->members[i];
    int stays = 0;
    for (uint32_t j = 0; j < n; j++) stays |= members[j] == m;
    if (m && !stays && m->lag == lag) m->lag = NULL;
  }
  uint32_t mask = n < 32 ? (1u << n) - 1 : 0xffffffffu;
  for (uint32_t i = 0; i < n; i++) {
    if (lag->members[i] != members[i]) {
      lag->tx_by_member[i] = 0;
      lag->rx_by_member[i] = 0;
    }
    lag->members[i] = members[i];
    members[i]->lag = lag;
    members[i]->lag_index = (int)i;
  }
  for (uint32_t i = n; i < FP_LAG_MAX_MEMBERS; i++) lag->members[i] = NULL;
  lag->nmembers = (int)n;
  lag->distributing = dist & mask;
  lag->collecting = coll & mask;
  lag->ntaps = (int)ntaps;
  for (uint32_t i = 0; i < ntaps; i++) lag->tap_vlan[i] = vlans[i];
  lag->enabled = enabled;
  return NULL;
}

static napi_value fp_lag_stats(napi_env env, napi_callback_info info) {
  CB_ARGS(1);
  fastpath *lag = argc >= 1 ? dxio_fastpath_of(env, argv[0]) : NULL;
  if (!lag || !lag->is_lag) return throw_type(env, "fpLagStats(lagFastPath)");
  napi_value o, tx, rx, x;
  napi_create_object(env, &o);
  set_num(env, o, "txFrames", (double)lag->tx_frames);
  set_num(env, o, "txToJs", (double)lag->tx_to_js);
  set_num(env, o, "rxNotCollecting", (double)lag->rx_not_collecting);
  napi_create_array(env, &tx);
  napi_create_array(env, &rx);
  for (int i = 0; i < lag->nmembers; i++) {
    napi_create_double(env, (double)lag->tx_by_member[i], &x);
    napi_set_element(env, tx, (uint32_t)i, x);
    napi_create_double(env, (double)lag->rx_by_member[i], &x);
    napi_set_element(env, rx, (uint32_t)i, x);
  }
  napi_set_named_property(env, o, "txByMember", tx);
  napi_set_named_property(env, o, "rxByMember", rx);
  return o;
}

/* lagFlowHash(frame) -> number */
static napi_value lag_flow_hash_fn(napi_env env, napi_callback_info info) {
  CB_ARGS(1);
  bytes b;
  if (argc < 1 || !arg_bytes(env, argv[0], "frame", &b)) return NULL;
  napi_value out;
  NAPI_OK(napi_create_uint32(env, dxio_lag_flow_hash(b.data, b.len), &out));
  return out;
}

/* lagChoose(frame, members, distributingMask) -> member index, or -1 */
static napi_value lag_choose_fn(napi_env env, napi_callback_info info) {
  CB_ARGS(3);
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
                      EXPORT_FN("lagChoose", lag_choose_fn),
                      EXPORT_FN("fpLagCreate", fp_lag_create),
                      EXPORT_FN("fpLagConfigure", fp_lag_configure),
                      EXPORT_FN("fpLagStats", fp_lag_stats));
}
