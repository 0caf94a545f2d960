/**
 * The KaY's public types: configuration, the SecY commands it returns, the
 * event stream, counters and status. Secrets ride only in commands (as
 * {@link Secret}, redacted when printed); status and events carry none.
 */
import type { Secret } from '../shared/secret.js';
import type { CipherSuite, CipherSuiteName, Sci } from '../macsec/index.js';

/** AWS Direct Connect `encryptionMode` (docs/mka-decisions.md §7). */
export type EncryptionMode = 'must_encrypt' | 'should_encrypt' | 'no_encrypt';

/** 802.1AE validateFrames (10.7.9). */
export type ValidateFrames = 'disabled' | 'check' | 'strict';

/** What the controlled port passes: nothing, clear frames, or only protected frames. */
export type ControlledPortState = 'blocked' | 'clear' | 'secured';

/** One pre-shared (CKN, CAK) pair of a key chain. */
export interface KeyChainEntry {
  /** 1..32 octets (AWS: 32). */
  ckn: Uint8Array;
  /** 16 or 32 octets (AWS: 32). */
  cak: Secret | Uint8Array;
}

/** Hooks for replay tests: fix what is otherwise random or scheduled. */
export interface KayTestHooks {
  /** MI of the first participant (the newest key-chain pair), 12 octets. */
  mi?: Uint8Array;
  /** MN of the first MKPDU sent. @default 1 */
  startMn?: number;
  /** Delay of the first hello after start. @default 0 (send at once) */
  firstHelloDelayMs?: number;
}

/** KaY configuration for one port. Every knob has the standard's (or AWS's) default. */
export interface KayConfig {
  /** Our SCI (MAC ‖ port). */
  sci: Sci;
  /** Up to 3 pairs, oldest first; the last one is the newest. Empty: MKA idle (no participant, no MKPDU) until a pair is added. */
  keyChain: KeyChainEntry[];
  /** @default 'should_encrypt' (AWS default for a new MACsec connection) */
  mode?: EncryptionMode;
  /**
   * Suites we accept, in preference order. The key server takes the first one
   * every live peer implements; a peer that announces no suites implements
   * only the Default Cipher Suite, GCM-AES-128 (key-server.ts
   * `DEFAULT_CIPHER_SUITE_IDS`). With none in common it distributes nothing
   * (`noCommonCipherSuite`).
   * @default [GCM-AES-XPN-256, GCM-AES-256] (AWS)
   */
  cipherSuites?: readonly CipherSuite[];
  /** @default 16 (0x10, 802.1X-2020 table 9-2 "infrastructure port") */
  keyServerPriority?: number;
  /** @default 2000 (802.1X-2020 MKA Hello Time) */
  helloTimeMs?: number;
  /** @default 6000 (802.1X-2020 MKA Life Time) */
  lifeTimeMs?: number;
  /** @default 3000 (802.1X-2020 SAK Retire Time) */
  sakRetireTimeMs?: number;
  /** Shortest gap between MKPDUs sent outside the hello tick. @default 20 */
  minTransmitIntervalMs?: number;
  /** MKA Version Identifier sent. @default 3 */
  mkaVersion?: number;
  /** EAPOL Protocol Version sent. @default 3 */
  eapolVersion?: number;
  /** Destination address of MKPDUs sent; received MKPDUs must carry it too. @default 01:80:C2:00:00:03 */
  eapolDestination?: Uint8Array;
  /** @default 0x888E */
  eapolEtherType?: number;
  /** MACsec Capability announced (0..3). @default 2 (integrity and confidentiality, offset 0) */
  macsecCapability?: 0 | 1 | 2 | 3;
  /** Confidentiality offset the key server distributes: 0, 30, 50, or 'none' for integrity only. @default 0 (AWS allows only 0) */
  confidentialityOffset?: 0 | 30 | 50 | 'none';
  /** SecTAG carries the SCI. @default true (AWS requires it) */
  includeSci?: boolean;
  /** @default true */
  replayProtect?: boolean;
  /** @default 0 */
  replayWindow?: number;
  /** validateFrames once secured. @default 'strict' */
  validateFrames?: ValidateFrames;
  /** Delay protection: report LPNs every bounded hello time (0.5 s) and apply peers'. @default false */
  delayProtect?: boolean;
  /** EtherTypes let through in clear beside MACsec (e.g. 0x88CC LLDP, 0x8809 LACP). @default [] */
  clearTextEtherTypes?: readonly number[];
  /** PN at which the key server starts a new SAK. @default 0xC0000000, 0xC000000000000000 with XPN */
  pnExhaustionThreshold?: bigint;
  /** Rekey this many seconds after a SAK went into use; undefined = never. @default undefined */
  sakRekeyIntervalS?: number;
  /** Send the MACsec Cipher Suites announcement. @default true */
  announceCipherSuites?: boolean;
  /** Place an ICV Indicator before the ICV. @default false (hostap never sends one) */
  includeIcvIndicator?: boolean;
  testHooks?: KayTestHooks;
}

/** Injected components. */
export interface KayComponents {
  /** n random octets from a CSPRNG (MI, key-server nonce). */
  random(n: number): Uint8Array;
}

/** SecY settings (mirrors `secy.configure`). */
export interface SecYSettings {
  cipherSuite: CipherSuite;
  protectFrames: boolean;
  validateFrames: ValidateFrames;
  replayProtect: boolean;
  replayWindow: number;
  includeSci: boolean;
  /** 0, 30 or 50; 'none' = integrity only. */
  confidentialityOffset: 0 | 30 | 50 | 'none';
}

/** Commands for the node to apply to its SecY, in order (mirrors the SecY API). */
export type SecYCommand =
  | ({ op: 'configure' } & SecYSettings)
  | { op: 'createTxSa'; an: number; sak: Secret; nextPn: bigint; ssci?: number; salt?: Uint8Array }
  | { op: 'enableTxSa'; an: number }
  | { op: 'deleteTxSa'; an: number }
  | { op: 'createRxSc'; sci: Sci }
  | { op: 'deleteRxSc'; sci: Sci }
  | { op: 'createRxSa'; sci: Sci; an: number; sak: Secret; lowestPn: bigint; ssci?: number; salt?: Uint8Array }
  | { op: 'enableRxSa'; sci: Sci; an: number }
  | { op: 'deleteRxSa'; sci: Sci; an: number }
  | { op: 'setLowestPn'; sci: Sci; an: number; pn: bigint }
  | { op: 'setControlledPort'; state: ControlledPortState; clearTextEtherTypes: readonly number[] };

export type KayEventType =
  | 'started'
  | 'stopped'
  | 'peerPotential'
  | 'peerLive'
  | 'peerTimedOut'
  | 'peerRestarted'
  | 'miChanged'
  | 'keyServerElected'
  | 'macsecNotUsed'
  | 'noCommonCipherSuite'
  | 'cipherSuiteChosen'
  | 'cipherSuiteRefused'
  | 'sakGenerated'
  | 'sakDistributed'
  | 'sakInstalled'
  | 'sakInUse'
  | 'sakRetired'
  | 'secured'
  | 'fallbackToClear'
  | 'portBlocked'
  | 'keyChainSwitched'
  | 'rekeyTriggered';

/** One entry of the timeline a trainer follows. */
export interface KayEvent {
  /** Time (ms, the caller's clock). */
  at: number;
  type: KayEventType;
  /** Why, in words. */
  reason: string;
  /** CKN of the participant (hex), when it concerns one. */
  ckn?: string;
  /** Peer MI (hex) or SCI (aa:bb:..:ff/port). */
  peer?: string;
  kn?: number;
  an?: number;
}

/** OpenConfig macsec MKA counters (openconfig-macsec.yang), camelCased, plus unrecognizedCkn. */
export interface KayCounters {
  inMkpdu: number;
  inSakMkpdu: number;
  inCakMkpdu: number;
  outMkpdu: number;
  outSakMkpdu: number;
  outCakMkpdu: number;
  outMkpduErrors: number;
  inMkpduIcvVerificationErrors: number;
  inMkpduValidationErrors: number;
  inMkpduBadPeerErrors: number;
  inMkpduPeerListErrors: number;
  sakGenerationErrors: number;
  sakHashErrors: number;
  sakEncryptionErrors: number;
  sakDecryptionErrors: number;
  sakCipherMismatchErrors: number;
  unrecognizedCkn: number;
}

/** What one call of the KaY asks the node to do. */
export interface KayOutput {
  /** Whole MKPDU frames to send on the uncontrolled port. */
  mkpdus: Uint8Array[];
  commands: SecYCommand[];
  events: KayEvent[];
  /** When to call {@link KaY.tick} next at the latest (ms). */
  nextDeadline: number;
}

/** PNs read from the SecY, handed to the KaY. */
export interface PnReport {
  /** Next PN of each transmit SA, by AN. */
  txNextPn?: ReadonlyArray<{ an: number; nextPn: bigint }>;
}

/** Why the port is not secured, as a closed code plus words. */
export type NotSecuredCode =
  | 'mkaDisabled'
  /** The key chain is empty: no CKN/CAK pair, so no participant and no MKPDU (MKA idle). */
  | 'noKey'
  | 'notStarted'
  | 'noPeerHeard'
  | 'wrongCak'
  | 'unknownCkn'
  | 'peerNotLive'
  /** Key server: no suite of ours every live peer implements, nothing distributed; member: the key server chose a suite outside our list. */
  | 'noCommonCipherSuite'
  | 'macsecNotUsedByKeyServer'
  /** A SAK is distributed or in use, but a live peer has not reported receiving with it (its SAK Use shows no "rx" for it). */
  | 'waitingForPeerRx'
  | 'negotiating';

export interface PeerStatus {
  mi: string;
  mn: number;
  sci: string;
  keyServerPriority: number;
}

export interface ParticipantStatus {
  ckn: string;
  /** Position in the key chain, 0 = oldest. */
  keyChainIndex: number;
  principal: boolean;
  mi: string;
  mn: number;
  livePeers: PeerStatus[];
  potentialPeers: PeerStatus[];
  keyServer?: { sci: string; mi: string; self: boolean };
}

export interface SakStatus {
  keyServerMi: string;
  kn: number;
  an: number;
  cipherSuite: CipherSuiteName;
  transmitting: boolean;
  receiving: boolean;
  ssci?: number;
}

/**
 * The states of the CP (Controlled Port) state machine, 802.1X-2020 12.4,
 * figure 12-2, with the names the figure gives them (hostap's
 * `ieee802_1x_cp.c` uses the same). The path of a SAK is
 * RECEIVE → RECEIVING (key server) or READY (member) → TRANSMIT →
 * TRANSMITTING → RETIRE; ABANDON drops a SAK superseded before it was used;
 * AUTHENTICATED is "MACsec not used" (the key server distributed no SAK);
 * CHANGE waits for live peers and a key server's decision. ALLOWED (the
 * unauthenticated connectivity policy) is never entered: dxlab has no such
 * policy. The participant records the state each step ends in; RECEIVE,
 * TRANSMIT and ABANDON pass within one step, so a status shows them only as
 * the states they lead to.
 */
export type CpState =
  | 'INIT'
  | 'CHANGE'
  | 'ALLOWED'
  | 'AUTHENTICATED'
  | 'SECURED'
  | 'RECEIVE'
  | 'RECEIVING'
  | 'READY'
  | 'TRANSMIT'
  | 'TRANSMITTING'
  | 'ABANDON'
  | 'RETIRE';

export interface KayStatus {
  mode: EncryptionMode;
  /** We transmit with a SAK and every live peer reports receiving with it. */
  secured: boolean;
  controlledPort: ControlledPortState;
  /** The CP state machine's state (802.1X-2020 12.4) of the participant that drives the SecY; INIT when there is none. */
  cpState: CpState;
  notSecured?: { code: NotSecuredCode; reason: string };
  keyChain: { inUse?: string; index?: number; reason: string };
  participants: ParticipantStatus[];
  /** The SAK in use (never the key). */
  sak?: SakStatus;
  oldSak?: SakStatus;
  counters: KayCounters;
}
