/**
 * Applies the KaY's SecY commands (src/mka SecYCommand) to a SecY. The KaY
 * never touches the SecY itself: the node owns both and runs this glue, so
 * the pure layers stay apart. The controlled port's state is the node's
 * business (it decides which clear frames pass) and is returned, not applied.
 */
import type { SecY } from '../macsec/index.js';
import type { ControlledPortState, SecYCommand } from '../mka/index.js';

/**
 * @returns the controlled port state when the command sets it, else undefined.
 * @throws MacsecError when the SecY refuses a command (a KaY bug or a
 *   configuration the SecY does not support, such as offset 30).
 */
export function applySecYCommand(secy: SecY, c: SecYCommand): { state: ControlledPortState; clearTextEtherTypes: readonly number[] } | undefined {
  switch (c.op) {
    case 'configure':
      secy.configure({
        cipherSuite: c.cipherSuite,
        protectFrames: c.protectFrames,
        validateFrames: c.validateFrames,
        replayProtect: c.replayProtect,
        replayWindow: c.replayWindow,
        includeSci: c.includeSci,
        confidentiality: c.confidentialityOffset !== 'none',
        confidentialityOffset: c.confidentialityOffset === 'none' ? 0 : c.confidentialityOffset,
      });
      return undefined;
    case 'createTxSa':
      secy.createTxSa({ an: c.an, sak: c.sak.expose(), nextPn: c.nextPn, ssci: c.ssci, salt: c.salt });
      return undefined;
    case 'enableTxSa':
      secy.enableTxSa(c.an);
      return undefined;
    case 'deleteTxSa':
      secy.deleteTxSa(c.an);
      return undefined;
    case 'createRxSc':
      secy.createRxSc(c.sci);
      return undefined;
    case 'deleteRxSc':
      secy.deleteRxSc(c.sci);
      return undefined;
    case 'createRxSa':
      secy.createRxSa(c.sci, { an: c.an, sak: c.sak.expose(), lowestPn: c.lowestPn, ssci: c.ssci, salt: c.salt });
      return undefined;
    case 'enableRxSa':
      secy.enableRxSa(c.sci, c.an);
      return undefined;
    case 'deleteRxSa':
      secy.deleteRxSa(c.sci, c.an);
      return undefined;
    case 'setLowestPn':
      secy.setLowestPn(c.sci, c.an, c.pn);
      return undefined;
    case 'setControlledPort':
      return { state: c.state, clearTextEtherTypes: c.clearTextEtherTypes };
  }
}
