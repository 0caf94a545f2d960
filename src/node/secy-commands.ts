/**
 * Applies the KaY's SecY commands (src/mka SecYCommand) to a SecY. The KaY
 * never touches the SecY itself: the node owns both and runs this glue, so
 * the pure layers stay apart. The controlled port's state is the node's
 * business (it decides which clear frames pass) and is returned, not applied.
 */
import type { SecY } from '../macsec/index.js';
import type { ControlledPortState, SecYCommand } from '../mka/index.js';

type SecYOp = Exclude<SecYCommand['op'], 'setControlledPort'>;

/** One entry a command the SecY carries out (802.1AE-2018 10.7: its management of SCs and SAs). */
const APPLY: { [K in SecYOp]: (secy: SecY, c: Extract<SecYCommand, { op: K }>) => void } = {
  configure: (secy, c) =>
    secy.configure({
      cipherSuite: c.cipherSuite,
      protectFrames: c.protectFrames,
      validateFrames: c.validateFrames,
      replayProtect: c.replayProtect,
      replayWindow: c.replayWindow,
      includeSci: c.includeSci,
      confidentiality: c.confidentialityOffset !== 'none',
      confidentialityOffset: c.confidentialityOffset === 'none' ? 0 : c.confidentialityOffset,
    }),
  createTxSa: (secy, c) => secy.createTxSa({ an: c.an, sak: c.sak.expose(), nextPn: c.nextPn, ssci: c.ssci, salt: c.salt }),
  enableTxSa: (secy, c) => secy.enableTxSa(c.an),
  deleteTxSa: (secy, c) => secy.deleteTxSa(c.an),
  createRxSc: (secy, c) => secy.createRxSc(c.sci),
  deleteRxSc: (secy, c) => secy.deleteRxSc(c.sci),
  createRxSa: (secy, c) => secy.createRxSa(c.sci, { an: c.an, sak: c.sak.expose(), lowestPn: c.lowestPn, ssci: c.ssci, salt: c.salt }),
  enableRxSa: (secy, c) => secy.enableRxSa(c.sci, c.an),
  deleteRxSa: (secy, c) => secy.deleteRxSa(c.sci, c.an),
  setLowestPn: (secy, c) => secy.setLowestPn(c.sci, c.an, c.pn),
};

/**
 * @returns the controlled port state when the command sets it, else undefined.
 * @throws MacsecError when the SecY refuses a command (a KaY bug or a
 *   configuration the SecY does not support, such as offset 30).
 */
export function applySecYCommand(secy: SecY, c: SecYCommand): { state: ControlledPortState; clearTextEtherTypes: readonly number[] } | undefined {
  if (c.op === 'setControlledPort') return { state: c.state, clearTextEtherTypes: c.clearTextEtherTypes };
  (APPLY[c.op] as (secy: SecY, c: SecYCommand) => void)(secy, c);
  return undefined;
}
