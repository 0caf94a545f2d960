/**
 * The MACsec knobs `dxlab set NODE PORT KNOB VALUE` changes on a running
 * port: every field of a port's `macsec` section in the node configuration
 * (config.schema.json) but the key chain (`set ... key add|remove`), the
 * SCI's port number (the SecY's identity, fixed while it runs) and the
 * static SAs (keys, changed as a whole by the control socket's `staticSas`).
 *
 * How each is applied:
 * - live: the SecY's own managed objects, which 802.1AE-2018 10.7 lets an
 *   operator change at any time (validateFrames, replayProtect, replayWindow,
 *   alwaysIncludeSCI), and the encryption mode (AWS changes it on a running
 *   connection: the KaY's setMode).
 * - kayRestart: what MKA has agreed with the peer or announces in every
 *   MKPDU (key server priority, cipher suites, capability, EAPOL address and
 *   EtherType, timers): the port's KaY stops (its SAs are deleted, the
 *   controlled port blocks) and a new one starts with the new value, as after
 *   a port down/up (802.1X-2020 12.2: a new participant, a new MI).
 *
 * Values are checked by the node configuration's own schema and resolver
 * (config.ts resolveMacsecKnob), so `set` accepts exactly what a
 * configuration file accepts.
 */

export type KnobApply = 'live' | 'kayRestart';
/** How the CLI reads a VALUE word into the configuration's JSON value. */
export type KnobSyntax = 'word' | 'integer' | 'number' | 'boolean' | 'words' | 'integers' | 'offset';

export interface KnobSpec {
  apply: KnobApply;
  syntax: KnobSyntax;
  /** One line for help and the README. */
  about: string;
}

export const MACSEC_KNOBS = {
  mode: { apply: 'live', syntax: 'word', about: 'should_encrypt, must_encrypt or no_encrypt' },
  validateFrames: { apply: 'live', syntax: 'word', about: 'disabled, check or strict (802.1AE 10.6)' },
  replayProtect: { apply: 'live', syntax: 'boolean', about: 'true or false' },
  replayWindow: { apply: 'live', syntax: 'integer', about: '0 to 4294967295 PNs' },
  includeSci: { apply: 'live', syntax: 'boolean', about: 'the SCI in every SecTAG (AWS: true)' },
  cipherSuites: { apply: 'kayRestart', syntax: 'words', about: 'comma-separated, in order of preference: gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256' },
  keyServerPriority: { apply: 'kayRestart', syntax: 'integer', about: '0 (highest) to 255' },
  helloTimeMs: { apply: 'kayRestart', syntax: 'integer', about: 'MKA Hello Time, 100 to 60000 ms' },
  lifeTimeMs: { apply: 'kayRestart', syntax: 'integer', about: 'MKA Life Time, 300 to 600000 ms' },
  sakRetireTimeMs: { apply: 'kayRestart', syntax: 'integer', about: 'how long an old SAK is kept, 0 to 600000 ms' },
  pnThreshold: { apply: 'kayRestart', syntax: 'word', about: 'transmit PN at which the key server rekeys (decimal or 0x hex)' },
  sakRekeyIntervalS: { apply: 'kayRestart', syntax: 'number', about: 'seconds between timed rekeys (> 0)' },
  mkaVersion: { apply: 'kayRestart', syntax: 'integer', about: 'MKA Version Identifier, 1 to 3' },
  eapolVersion: { apply: 'kayRestart', syntax: 'integer', about: 'EAPOL protocol version, 1 to 3' },
  eapolDestination: { apply: 'kayRestart', syntax: 'word', about: 'destination MAC of MKPDUs, e.g. 01:80:c2:00:00:03' },
  eapolEtherType: { apply: 'kayRestart', syntax: 'integer', about: 'EtherType of MKPDUs, 0x600 to 0xffff (888e)' },
  delayProtect: { apply: 'kayRestart', syntax: 'boolean', about: 'true or false (802.1X 9.10.1)' },
  confidentialityOffset: { apply: 'kayRestart', syntax: 'offset', about: '0, 30, 50 or none' },
  clearTextEtherTypes: { apply: 'kayRestart', syntax: 'integers', about: 'comma-separated EtherTypes sent in clear, or none' },
  announceCipherSuites: { apply: 'kayRestart', syntax: 'boolean', about: 'true or false' },
  includeIcvIndicator: { apply: 'kayRestart', syntax: 'boolean', about: 'true or false' },
} as const satisfies Record<string, KnobSpec>;

export type MacsecKnob = keyof typeof MACSEC_KNOBS;

export function isMacsecKnob(k: string): k is MacsecKnob {
  return Object.hasOwn(MACSEC_KNOBS, k);
}

/** The knobs, in table order, for messages. */
export const KNOB_NAMES = Object.keys(MACSEC_KNOBS) as MacsecKnob[];

/** The names `set` takes besides the knobs. */
export const SET_ACTIONS = ['key', 'rekey'] as const;

function integer(word: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(word)) return Number.parseInt(word.slice(2), 16);
  if (/^-?[0-9]+$/.test(word)) return Number(word);
  return undefined;
}

/**
 * A VALUE word of the command line as the configuration's JSON value (an
 * integer in decimal or 0x hex, true/false, a comma-separated list).
 * @returns the value, or an error message naming the knob.
 */
export function parseKnobWord(knob: MacsecKnob, word: string): { value: unknown } | { error: string } {
  const spec: KnobSpec = MACSEC_KNOBS[knob];
  const bad = (what: string) => ({ error: `${knob}: ${what}, got '${word}' (${spec.about})` });
  switch (spec.syntax) {
    case 'word':
      return { value: word };
    case 'integer': {
      const n = integer(word);
      return n === undefined ? bad('an integer') : { value: n };
    }
    case 'number': {
      const n = Number(word);
      return word.trim() === '' || !Number.isFinite(n) ? bad('a number') : { value: n };
    }
    case 'boolean':
      return word === 'true' ? { value: true } : word === 'false' ? { value: false } : bad('true or false');
    case 'offset': {
      if (word === 'none') return { value: 'none' };
      const n = integer(word);
      return n === undefined ? bad('0, 30, 50 or none') : { value: n };
    }
    case 'words':
      return { value: word.split(',').map((w) => w.trim()).filter(Boolean) };
    case 'integers': {
      if (word === 'none' || word === '') return { value: [] };
      const out: number[] = [];
      for (const w of word.split(',')) {
        const n = integer(w.trim());
        if (n === undefined) return bad('comma-separated integers');
        out.push(n);
      }
      return { value: out };
    }
  }
}
