/*
 * The SecY fast path: fastpath.c decides about one frame in memory (and
 * holds the configuration); fastpath-io.c feeds it the frames the handles
 * read and writes its output. fastpath.c depends on gcm.c only: it reaches
 * the handles through the detach hook that fpAttach sets, so that the
 * dependency runs one way, from the I/O to the fast path.
 */
#ifndef DXIO_FASTPATH_H
#define DXIO_FASTPATH_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#define FP_MAX_TAPS 16
#define FP_MAX_RX_SAS 64
#define FP_MAX_CLEAR 16
/* Members of a LAG's fast path (V16 allows 4; lag.c chooses among 32). */
#define FP_LAG_MAX_MEMBERS 8
/* EtherType of the Slow Protocols (802.1AX-2014 6.2.11: LACPDUs, Marker PDUs). */
#define FP_SLOW_PROTOCOLS 0x8809

/* Words of an SA's state block, a BigUint64Array shared with the
 * TypeScript SecY (src/macsec/secy.ts SA_STATE_*). */
#define FP_NEXT_PN 0
#define FP_LOWEST_PN 1
#define FP_PKTS 2
#define FP_OCTETS 3
#define FP_STATE_WORDS 4

/* Entries of the SecY-level Float64Array of frames the fast path counted
 * (secy.ts FAST_SECY_*). */
#define FP_OUT_UNTAGGED 0
#define FP_IN_UNTAGGED 1

typedef struct fp_sa {
  uint8_t sci[8];
  int an;
  int xpn;
  void *key;        /* gcm.c key */
  uint8_t iv[12];   /* SCI ‖ 0, or (SSCI ‖ 0) ⊕ salt: the PN goes in per frame */
  uint64_t *st;     /* FP_STATE_WORDS words */
} fp_sa;

typedef struct fastpath fastpath;

struct fastpath {
  uint32_t magic;
  int enabled;
  /* controlled side */
  int ntaps;
  int tap_vlan[FP_MAX_TAPS]; /* -1: untagged */
  int eapol;
  int nclear;
  int clear[FP_MAX_CLEAR];
  int blocked;
  /* SecY (802.1AE-2018 10.7) */
  int protect_frames, confidentiality, include_sci, es, scb;
  uint64_t max_frame;
  int validate; /* 0 disabled, 1 check, 2 strict */
  int replay_protect;
  uint64_t replay_window;
  uint8_t tx_sci[8];
  int has_tx;
  fp_sa tx;
  uint64_t tx_limit; /* the transmit PN the fast path stops at */
  int nrx;
  fp_sa rx[FP_MAX_RX_SAS];
  double *secy_counters;
  /* JavaScript objects the tables point into, kept alive while configured */
  napi_ref refs[2 * FP_MAX_RX_SAS + 8];
  int nrefs;
  /* what the fast path did (its own figures; the SecY counts the verdicts) */
  uint64_t tx_frames, rx_frames, tx_to_js, rx_to_js;
  /* I/O (fastpath-io.c): the handles this fast path serves, or NULL, and
   * what forgets them before the fast path is freed (set by fpAttach) */
  void *wire;
  void *taps[FP_MAX_TAPS];
  void (*detach)(fastpath *fp);
  /* A LAG member: its aggregator's fast path (fpLagConfigure), whose TAPs
   * it delivers to, and its index there (bit lag_index of the masks). */
  fastpath *lag;
  int lag_index;
  /* A LAG's fast path (fpLagCreate): no SecY of its own; its TAPs' frames
   * go to the member the flow hash picks (lag.c), through that member's
   * fp_tx; members[i] is NULL once member i is freed. */
  int is_lag;
  int nmembers;
  fastpath *members[FP_LAG_MAX_MEMBERS];
  uint32_t distributing, collecting; /* bit i: member i (802.1AX-2014 6.2.3, 6.2.4) */
  uint64_t rx_not_collecting;
  uint64_t tx_by_member[FP_LAG_MAX_MEMBERS], rx_by_member[FP_LAG_MAX_MEMBERS];
};

/* Protects one frame read from TAP `tap` into out (cap octets). Returns the
 * output length, or 0 when the reference path must take the frame (nothing
 * changed then). */
size_t fp_tx(fastpath *fp, int tap, const uint8_t *f, size_t len, uint8_t *out, size_t cap);

/* Validates one frame from the wire into out (cap octets). Returns the
 * delivered length (the frame starts at *start: in out, or in f itself for
 * an untagged frame) and the TAP index in *tap, or 0 when the reference path
 * must take the frame (nothing changed then, f included). A LAG member
 * whose collector is disabled validates the frame and drops it: *tap is -1
 * then (counted in its LAG's rx_not_collecting). */
size_t fp_rx(fastpath *fp, uint8_t *f, size_t len, uint8_t *out, size_t cap, uint8_t **start, int *tap);

/* A frame read from TAP `tap` of LAG fast path `lag` (lag.c): protected by
 * the member the flow hash picks among the distributing ones (*member),
 * as fp_tx, when `ready` (NULL: always) says the member can send. Returns 0
 * when JavaScript must take it (no member distributes, the member's fast
 * path cannot), nothing changed then. */
size_t fp_lag_tx(fastpath *lag, int tap, const uint8_t *f, size_t len, uint8_t *out, size_t cap, int *member, int (*ready)(const fastpath *member));

/* lag.c */
uint32_t dxio_lag_flow_hash(const uint8_t *f, size_t n);
int dxio_lag_choose(uint32_t h, unsigned n, uint32_t distributing);

/* A new fast path and its JavaScript external (*ext), or NULL (thrown). */
fastpath *dxio_fastpath_new(napi_env env, napi_value *ext);

/* The fast path behind a JavaScript external from fpCreate, or NULL. */
fastpath *dxio_fastpath_of(napi_env env, napi_value v);

/* gcm.c */
void *dxio_gcm_key_of(napi_env env, napi_value v);
int dxio_gcm_live(const void *key);
int dxio_gcm_seal2(void *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2, uint8_t *ct,
                   uint8_t *tag);
int dxio_gcm_open(void *key, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag, uint8_t *pt);

#endif
