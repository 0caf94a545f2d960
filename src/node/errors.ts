/**
 * The node process's error: a bad configuration, a device it cannot open, a
 * control request it cannot carry out. Per-frame problems are counted, never
 * thrown.
 */
import { DxlabError } from '../shared/errors.js';

export type NodeErrorCode =
  | 'config'
  | 'device'
  | 'mtu'
  | 'badRequest'
  | 'unknownPort'
  /** addVif: a TAP of that name runs already on the node. */
  | 'vifExists'
  /** removeVif, moveVif: no TAP of that name on the node. */
  | 'unknownVif'
  | 'unknownCommand'
  | 'capture'
  /** A node did not answer its control socket in time (control-client.ts). */
  | 'timeout';

export class NodeError extends DxlabError<NodeErrorCode> {
  override readonly name = 'NodeError';
}
