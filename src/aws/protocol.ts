/**
 * The AWS JSON 1.1 protocol (awsJson1_1) as both services speak it: the
 * operation named by `X-Amz-Target`, a JSON object body, JSON answers and
 * error bodies with `__type` (reference §1; botocore `serialize.py` and
 * `parsers.py`, Smithy's awsJson1_1 protocol tests).
 *
 * Errors of the front end itself, before an operation runs (choices where
 * AWS's behaviour is not documented; README "The AWS API"):
 * - an `X-Amz-Target` naming no operation of the service, or none at all, with
 *   a JSON content type: 400 `{"__type":"UnknownOperationException"}` with no
 *   message, as Kinesis and Firehose answer (observed in
 *   mhart/kinesis#22 and sharethrough/flume-kinesis#11);
 * - a request that is not `POST /` with an AWS JSON content type: 404 with the
 *   body `<UnknownOperationException/>`, what Kinesis answered a request sent
 *   as application/octet-stream (disneystreaming/smithy4s#167), and the 404
 *   Smithy's framework gives UnknownOperationException;
 * - a body that is not a JSON object, or a member of the wrong JSON type: 400
 *   SerializationException;
 * - a body over {@link MAX_BODY_OCTETS}: 413 RequestEntityTooLargeException.
 */
import { AMZ_JSON_1_1 } from './constants.js';
import { AwsServiceError, type AwsErrorService } from './errors.js';

export type ServiceName = 'directconnect' | 'secretsmanager';

/** X-Amz-Target prefixes (the models' `targetPrefix`) and the SigV4 signing names. */
export const TARGET_PREFIX: Readonly<Record<ServiceName, string>> = { directconnect: 'OvertureService', secretsmanager: 'secretsmanager' };

/** The service and operation an `X-Amz-Target` names, if it names one of ours. */
export function parseTarget(target: string | undefined): { service: ServiceName; operation: string } | undefined {
  if (!target) return undefined;
  const dot = target.indexOf('.');
  if (dot < 0) return undefined;
  const prefix = target.slice(0, dot);
  const operation = target.slice(dot + 1);
  if (!/^[A-Za-z0-9]{1,64}$/.test(operation)) return undefined;
  if (prefix === TARGET_PREFIX.directconnect) return { service: 'directconnect', operation };
  if (prefix === TARGET_PREFIX.secretsmanager) return { service: 'secretsmanager', operation };
  return undefined;
}

/** AWS JSON 1.0 and 1.1 content types, with or without parameters (`; charset=utf-8`). */
export function isAmzJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  return base === AMZ_JSON_1_1 || base === 'application/x-amz-json-1.0';
}

/**
 * The request body as a JSON object. An empty body counts as `{}` (an
 * operation without input may send nothing).
 *
 * @throws AwsServiceError SerializationException when the body is not UTF-8 JSON or not an object.
 */
export function decodeBody(body: Uint8Array): Record<string, unknown> {
  if (body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AwsServiceError('SerializationException', 'the request body is not UTF-8 text');
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AwsServiceError('SerializationException', `the request body is not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected: the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An answer ready to write: status, body, content type. */
export interface WireAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A successful answer: HTTP 200 with the output members (`{}` for none). */
export function okAnswer(output: unknown): WireAnswer {
  return { status: 200, contentType: AMZ_JSON_1_1, body: JSON.stringify(output ?? {}) };
}

/**
 * The error body AWS writes: `__type` with the code, and the message under
 * `message` (Direct Connect, the front end) or `Message` (Secrets Manager's
 * modeled errors, botocore `ErrorMessage` members). UnknownOperationException
 * carries no message, as observed.
 */
export function errorAnswer(err: AwsServiceError, service: AwsErrorService = err.service): WireAnswer {
  const body: Record<string, string> = { __type: err.code };
  if (err.code !== 'UnknownOperationException') body[service === 'secretsmanager' ? 'Message' : 'message'] = err.message;
  return { status: err.httpStatus, contentType: AMZ_JSON_1_1, body: JSON.stringify(body) };
}

/** The answer to a request that is not AWS JSON at all (see the module comment). */
export function notJsonAnswer(): WireAnswer {
  return { status: 404, contentType: 'application/xml', body: '<UnknownOperationException/>\n' };
}
