/**
 * The BGP layer's error. Each code names one error condition of RFC 4271 §6
 * (with RFC 5492, RFC 6608, RFC 4486 additions) and carries the NOTIFICATION
 * error code and subcode it maps to, plus the Data field the RFC prescribes,
 * so that the FSM can send exactly that NOTIFICATION. `invalidArgument` and
 * `notEstablished` are local misuse and map to no NOTIFICATION.
 *
 * UPDATE errors that RFC 7606 softens (treat-as-withdraw, attribute discard)
 * are not thrown: the decoder reports them on the decoded message instead.
 */
import { DxlabError } from '../shared/errors.js';
import { ErrorCode, notificationName } from './constants.js';

export type BgpErrorCode =
  // Message Header Error, RFC 4271 §6.1
  | 'connectionNotSynchronized'
  | 'badMessageLength'
  | 'badMessageType'
  // OPEN Message Error, RFC 4271 §6.2, RFC 5492 §5
  | 'malformedOpen'
  | 'unsupportedVersionNumber'
  | 'badPeerAs'
  | 'badBgpIdentifier'
  | 'unsupportedOptionalParameter'
  | 'unacceptableHoldTime'
  | 'unsupportedCapability'
  // UPDATE Message Error, RFC 4271 §6.3
  | 'malformedAttributeList'
  | 'unrecognizedWellKnownAttribute'
  | 'missingWellKnownAttribute'
  | 'attributeFlagsError'
  | 'attributeLengthError'
  | 'invalidOrigin'
  | 'invalidNextHop'
  | 'optionalAttributeError'
  | 'invalidNetworkField'
  | 'malformedAsPath'
  // RFC 4271 §6.5, §6.6 with RFC 6608 subcodes, §6.7 with RFC 4486 subcodes
  | 'holdTimerExpired'
  | 'unexpectedMessageOpenSent'
  | 'unexpectedMessageOpenConfirm'
  | 'unexpectedMessageEstablished'
  | 'administrativeShutdown'
  | 'connectionRejected'
  | 'connectionCollisionResolution'
  // local misuse, no NOTIFICATION
  | 'invalidArgument'
  | 'notEstablished';

/** NOTIFICATION code and subcode of each error (RFC 4271 §4.5). */
export const BGP_ERROR_NOTIFICATION: Readonly<Record<BgpErrorCode, readonly [number, number] | null>> = Object.freeze({
  connectionNotSynchronized: [ErrorCode.MESSAGE_HEADER, 1],
  badMessageLength: [ErrorCode.MESSAGE_HEADER, 2],
  badMessageType: [ErrorCode.MESSAGE_HEADER, 3],
  malformedOpen: [ErrorCode.OPEN_MESSAGE, 0],
  unsupportedVersionNumber: [ErrorCode.OPEN_MESSAGE, 1],
  badPeerAs: [ErrorCode.OPEN_MESSAGE, 2],
  badBgpIdentifier: [ErrorCode.OPEN_MESSAGE, 3],
  unsupportedOptionalParameter: [ErrorCode.OPEN_MESSAGE, 4],
  unacceptableHoldTime: [ErrorCode.OPEN_MESSAGE, 6],
  unsupportedCapability: [ErrorCode.OPEN_MESSAGE, 7],
  malformedAttributeList: [ErrorCode.UPDATE_MESSAGE, 1],
  unrecognizedWellKnownAttribute: [ErrorCode.UPDATE_MESSAGE, 2],
  missingWellKnownAttribute: [ErrorCode.UPDATE_MESSAGE, 3],
  attributeFlagsError: [ErrorCode.UPDATE_MESSAGE, 4],
  attributeLengthError: [ErrorCode.UPDATE_MESSAGE, 5],
  invalidOrigin: [ErrorCode.UPDATE_MESSAGE, 6],
  invalidNextHop: [ErrorCode.UPDATE_MESSAGE, 8],
  optionalAttributeError: [ErrorCode.UPDATE_MESSAGE, 9],
  invalidNetworkField: [ErrorCode.UPDATE_MESSAGE, 10],
  malformedAsPath: [ErrorCode.UPDATE_MESSAGE, 11],
  holdTimerExpired: [ErrorCode.HOLD_TIMER_EXPIRED, 0],
  unexpectedMessageOpenSent: [ErrorCode.FSM, 1],
  unexpectedMessageOpenConfirm: [ErrorCode.FSM, 2],
  unexpectedMessageEstablished: [ErrorCode.FSM, 3],
  administrativeShutdown: [ErrorCode.CEASE, 2],
  connectionRejected: [ErrorCode.CEASE, 5],
  connectionCollisionResolution: [ErrorCode.CEASE, 7],
  invalidArgument: null,
  notEstablished: null,
});

/** The NOTIFICATION an error maps to. `data` is a fresh copy, never shared with an input. */
export interface NotificationFields {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export class BgpError extends DxlabError<BgpErrorCode> {
  override readonly name = 'BgpError';
  /** The NOTIFICATION to send for this error, or null for local misuse. */
  readonly notification: NotificationFields | null;

  /**
   * @param code which condition was found.
   * @param message says which field and what value was seen.
   * @param options.data the NOTIFICATION Data field the RFC prescribes for this subcode.
   * @default options.data empty
   */
  constructor(code: BgpErrorCode, message: string, options?: { data?: Uint8Array; cause?: unknown }) {
    super(code, message, options);
    const pair = BGP_ERROR_NOTIFICATION[code];
    this.notification = pair ? { code: pair[0], subcode: pair[1], data: (options?.data ?? new Uint8Array(0)).slice() } : null;
  }

  /** "UPDATE Message Error / Malformed AS_PATH", or the code for local misuse. */
  get notificationName(): string {
    return this.notification ? notificationName(this.notification.code, this.notification.subcode) : this.code;
  }
}
