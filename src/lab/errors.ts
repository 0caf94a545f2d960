/**
 * The lab runtime's error: host resources it could not create or remove.
 * `unsafePath`: a lab's state folder is not a plain folder inside the state
 * root (a symbolic link, or something else), so nothing there is touched;
 * `badKey`: a CKN or CAK given for a link is malformed;
 * `stateUnreadable`: its state file is empty or not JSON (`down` still works);
 * `badRequest`: a request on a supervisor's control socket is malformed;
 * `kindRule`: a live change breaks a rule of the node's kind (an AWS rule on a DX device).
 */
import { DxlabError } from '../shared/errors.js';

export type LabErrorCode = 'badName' | 'badKey' | 'exists' | 'notFound' | 'host' | 'timeout' | 'process' | 'topology' | 'unsafePath' | 'stateUnreadable' | 'badRequest' | 'kindRule';

export class LabError extends DxlabError<LabErrorCode> {
  override readonly name = 'LabError';
}
