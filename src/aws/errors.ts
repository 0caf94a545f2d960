/**
 * The AWS API layer's error: everything the service answers with an error
 * body. `code` is the AWS error code the client reads from `__type`
 * (botocore `BaseJSONParser._do_error_parse`, SDK v3 `loadRestJsonErrorCode`),
 * `httpStatus` the status it comes with, `service` which service's body shape
 * to use (Direct Connect writes `message`, Secrets Manager `Message`; the
 * protocol-level errors of both write `message`).
 *
 * The message names the field and the value seen, never a CAK or a secret
 * value (the callers check this: see test/unit/aws/secrets-in-answers.test.ts).
 */
import { DxlabError } from '../shared/errors.js';
export type AwsErrorCode =
  // Protocol and authentication errors of the AWS JSON front end (both services).
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'RequestEntityTooLargeException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'ValidationException'
  // Direct Connect (botocore directconnect service-2.json).
  | 'DirectConnectClientException'
  | 'DirectConnectServerException'
  | 'DuplicateTagKeysException'
  | 'TooManyTagsException'
  | 'LimitExceededException'
  // Secrets Manager (botocore secretsmanager service-2.json).
  | 'ResourceNotFoundException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'ResourceExistsException'
  | 'InvalidNextTokenException'
  | 'InternalServiceError';

/** Which service's error body to write; 'protocol' for the front end's own errors. */
export type AwsErrorService = 'directconnect' | 'secretsmanager' | 'protocol';

/** On the layers' one base (src/shared/errors.ts), with the HTTP status and the service whose error body it takes. */
export class AwsServiceError extends DxlabError<AwsErrorCode> {
  override readonly name = 'AwsServiceError';

  constructor(
    code: AwsErrorCode,
    message: string,
    readonly httpStatus = 400,
    readonly service: AwsErrorService = 'protocol',
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Direct Connect's one client error: every invalid parameter or state (reference §2). */
export function dxClientError(message: string): AwsServiceError {
  return new AwsServiceError('DirectConnectClientException', message, 400, 'directconnect');
}

/** A Direct Connect error other than the client exception (tags, limits). */
export function dxError(code: 'DuplicateTagKeysException' | 'TooManyTagsException' | 'LimitExceededException', message: string): AwsServiceError {
  return new AwsServiceError(code, message, 400, 'directconnect');
}

/** A modeled Secrets Manager error. */
export function smError(
  code: 'ResourceNotFoundException' | 'InvalidParameterException' | 'InvalidRequestException' | 'ResourceExistsException' | 'InvalidNextTokenException',
  message: string,
): AwsServiceError {
  return new AwsServiceError(code, message, 400, 'secretsmanager');
}
