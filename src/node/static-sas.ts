/**
 * Static SAs instead of MKA (a port's `macsec.staticSas`): the SAs an
 * operator installs by hand, as `ip macsec add ... tx sa` / `rx ... sa` does
 * on Linux, so that our SecY can be compared with another implementation's
 * for any cipher suite, XPN included, without a KaY on either side.
 *
 * {@link StaticKeying} stands where the port's KaY stands (macsec-port.ts)
 * and answers the same calls: at start it issues the SecY commands a KaY
 * would issue once secured (802.1AE-2018 10.7: configure the SecY, create
 * and enable the transmit SA, the peer's receive SC and SAs, the controlled
 * port secured), at stop it deletes them; it sends no MKPDU and keeps no
 * timer. The keys are held as {@link Secret}s: never printed. Pure: no I/O.
 */
import { fromHex, macFromString } from '../shared/bytes.js';
import { Secret } from '../shared/secret.js';
import { cipherSuiteByName, sciFromHex, sciFromMac, sciToHex, type CipherSuite, type Sci } from '../macsec/index.js';
import { zeroCounters, type EncryptionMode, type KayConfig, type KayCounters, type KayOutput, type KayStatus, type PnReport, type SecYCommand } from '../mka/index.js';
import { NodeError } from './errors.js';

/** One static SA, resolved: its key a {@link Secret}. */
export interface StaticSa {
  an: number;
  key: Secret;
  /** Transmit: the next PN to send; receive: the lowest PN accepted. */
  pn: bigint;
  /** XPN suites: the SSCI of the SA's transmitter. */
  ssci?: number;
  /** XPN suites: 12 octets. */
  salt?: Uint8Array;
}

export interface StaticSasConfig {
  cipherSuite: CipherSuite;
  peerSci: Sci;
  tx: StaticSa;
  rx: StaticSa[];
}

/** The highest PN of a suite: 2^32-1, or 2^64-1 with XPN (802.1AE-2018 10.6.2, 802.1AEbw). */
const maxPn = (s: CipherSuite) => (s.xpn ? (1n << 64n) - 1n : (1n << 32n) - 1n);

/** XPN's salt: 96 bits (802.1AE-2018 10.7.28). */
const SALT_LEN = 12;

/**
 * A `staticSas` section as the schema let it through, checked against its
 * suite: key length, PN range, SSCI and salt present for XPN and absent
 * otherwise, each receive AN once.
 * @param at the section's path, for messages (`/ports/0/macsec/staticSas`).
 * @param fail throws, naming the field; it never carries a key.
 */
export function resolveStaticSas(raw: any, at: string, fail: (path: string, msg: string) => never): StaticSasConfig {
  const suite = cipherSuiteByName(raw.cipherSuite);
  let peerSci: Sci;
  try {
    const s = raw.peerSci as string;
    peerSci = s.includes('/') ? sciFromMac(macFromString(s.split('/')[0]!), Number(s.split('/')[1])) : sciFromHex(s);
  } catch (e) {
    return fail(`${at}/peerSci`, (e as Error).message);
  }
  if (Number((peerSci & 0xffffn).toString()) === 0) fail(`${at}/peerSci`, 'port number 0 is not a SCI of a transmitting SecY (802.1AE-2018 7.1.2)');
  const sa = (r: any, where: string): StaticSa => {
    const key = fromHex(r.key, `${where}/key`);
    if (key.length !== suite.keyLength) fail(`${where}/key`, `${suite.cliName} needs a ${suite.keyLength}-octet key, got ${key.length} octets`);
    const pn = r.pn === undefined ? 1n : BigInt(r.pn);
    if (pn < 1n || pn > maxPn(suite)) fail(`${where}/pn`, `the first PN is 1 to ${maxPn(suite)} with ${suite.cliName}, got ${pn}`);
    let salt: Uint8Array | undefined;
    if (suite.xpn) {
      if (r.ssci === undefined) fail(`${where}/ssci`, `${suite.cliName} is an XPN suite: give the SSCI of the SA's transmitter`);
      if (r.salt === undefined) fail(`${where}/salt`, `${suite.cliName} is an XPN suite: give the ${SALT_LEN}-octet salt`);
      salt = fromHex(r.salt, `${where}/salt`);
      if (salt.length !== SALT_LEN) fail(`${where}/salt`, `the salt is ${SALT_LEN} octets, got ${salt.length}`);
    } else {
      if (r.ssci !== undefined) fail(`${where}/ssci`, `only an XPN suite has an SSCI (${suite.cliName} does not)`);
      if (r.salt !== undefined) fail(`${where}/salt`, `only an XPN suite has a salt (${suite.cliName} does not)`);
    }
    const out: StaticSa = { an: r.an, key: new Secret(key, 'SAK'), pn, ...(suite.xpn ? { ssci: r.ssci as number, salt: salt! } : {}) };
    key.fill(0);
    return out;
  };
  const tx = sa(raw.tx, `${at}/tx`);
  const ans = new Set<number>();
  const rx = (raw.rx as any[]).map((r, i) => {
    if (ans.has(r.an)) fail(`${at}/rx/${i}/an`, `AN ${r.an} is given twice: one receive SA per AN`);
    ans.add(r.an);
    return sa(r, `${at}/rx/${i}`);
  });
  return { cipherSuite: suite, peerSci, tx, rx };
}

/** The section as status shows it: no key. */
export function staticSasSummary(c: StaticSasConfig): Record<string, unknown> {
  const sa = (s: StaticSa) => ({ an: s.an, firstPn: s.pn.toString(), ...(s.ssci !== undefined ? { ssci: s.ssci } : {}) });
  return { cipherSuite: c.cipherSuite.cliName, peerSci: sciToHex(c.peerSci), tx: sa(c.tx), rx: c.rx.map(sa) };
}

/** Settings a static port takes from its `macsec` section (the rest of the section is MKA's). */
export interface StaticKeyingSettings {
  mode: EncryptionMode;
  includeSci?: boolean;
  replayProtect?: boolean;
  replayWindow?: number;
  validateFrames?: 'disabled' | 'check' | 'strict';
  clearTextEtherTypes?: number[];
}

/** What a static port says where an MKA port names its key chain. */
export const STATIC_REASON = 'static SAs: no MKA (macsec.staticSas)';

/** A port's keying with static SAs: the KaY's calls, answered without MKA. */
export class StaticKeying {
  private started = false;
  private mkpdusIgnored = 0;

  /** The live knobs (macsec-port.ts setKnob) write here, as into a KaY's config. */
  readonly config: StaticKeyingSettings;

  constructor(
    private readonly sas: StaticSasConfig,
    settings: StaticKeyingSettings,
  ) {
    this.config = { ...settings };
  }

  private output(now: number, commands: SecYCommand[], reason?: string): KayOutput {
    // A day: nothing here is timed; the port calls tick() at that deadline and gets the same answer.
    return { mkpdus: [], commands, events: reason ? [{ at: now, type: reason === 'stopped' ? 'stopped' : 'started', reason: STATIC_REASON }] : [], nextDeadline: now + 86_400_000 };
  }

  start(now: number): KayOutput {
    const c = this.config;
    const s = this.sas;
    this.started = true;
    return this.output(
      now,
      [
        {
          op: 'configure',
          cipherSuite: s.cipherSuite,
          protectFrames: true,
          validateFrames: c.validateFrames ?? 'strict',
          replayProtect: c.replayProtect ?? true,
          replayWindow: c.replayWindow ?? 0,
          includeSci: c.includeSci ?? true,
          confidentialityOffset: 0,
        },
        { op: 'createTxSa', an: s.tx.an, sak: s.tx.key, nextPn: s.tx.pn, ...(s.tx.ssci !== undefined ? { ssci: s.tx.ssci, salt: s.tx.salt! } : {}) },
        { op: 'enableTxSa', an: s.tx.an },
        { op: 'createRxSc', sci: s.peerSci },
        ...s.rx.flatMap((r): SecYCommand[] => [
          { op: 'createRxSa', sci: s.peerSci, an: r.an, sak: r.key, lowestPn: r.pn, ...(r.ssci !== undefined ? { ssci: r.ssci, salt: r.salt! } : {}) },
          { op: 'enableRxSa', sci: s.peerSci, an: r.an },
        ]),
        { op: 'setControlledPort', state: 'secured', clearTextEtherTypes: c.clearTextEtherTypes ?? [] },
      ],
      'started',
    );
  }

  stop(now: number): KayOutput {
    if (!this.started) return this.output(now, []);
    this.started = false;
    const s = this.sas;
    return this.output(
      now,
      [
        { op: 'setControlledPort', state: 'blocked', clearTextEtherTypes: [] },
        { op: 'deleteTxSa', an: s.tx.an },
        ...s.rx.map((r): SecYCommand => ({ op: 'deleteRxSa', sci: s.peerSci, an: r.an })),
        { op: 'deleteRxSc', sci: s.peerSci },
      ],
      'stopped',
    );
  }

  /** An MKPDU: nobody here to take it (counted, as a KaY-less port would drop it). */
  receive(now: number, _frame: Uint8Array): KayOutput {
    this.mkpdusIgnored++;
    return this.output(now, []);
  }

  tick(now: number): KayOutput {
    return this.output(now, []);
  }

  /** A static SA is never replaced: its PN runs until exhausted (the SecY then stops sending with it, 802.1AE-2018 10.6.2). */
  reportPn(now: number, _report: PnReport): KayOutput {
    return this.output(now, []);
  }

  private refuse(what: string): never {
    throw new NodeError('badRequest', `${what}: this port runs static SAs (macsec.staticSas), no MKA; give the port a key chain instead of static SAs first`);
  }

  setMode(_now: number, _mode: EncryptionMode): KayOutput {
    return this.refuse('the encryption mode');
  }

  requestRekey(_now: number): KayOutput {
    return this.refuse('a rekey');
  }

  addKey(_now: number, _pair: KayConfig['keyChain'][number]): KayOutput {
    return this.refuse('a CKN/CAK pair');
  }

  setKeyChain(_now: number, _chain: KayConfig['keyChain']): KayOutput {
    return this.refuse('the key chain');
  }

  status(): KayStatus {
    return {
      mode: this.config.mode,
      secured: this.started,
      controlledPort: this.started ? 'secured' : 'blocked',
      cpState: this.started ? 'SECURED' : 'INIT',
      ...(this.started ? {} : { notSecured: { code: 'notStarted' as const, reason: 'port stopped' } }),
      keyChain: { reason: STATIC_REASON },
      participants: [],
      counters: { ...zeroCounters(), inMkpdu: this.mkpdusIgnored },
    };
  }
}

