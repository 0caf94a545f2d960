/**
 * Direct Connect's error messages, worded in one place. Every one is a
 * DirectConnectClientException (the model has no finer code, reference §2);
 * the message names the field and the value seen (never a CAK).
 */
import { dxClientError, type AwsServiceError } from '../errors.js';

export const idFormat = (field: string, value: string, prefix: string): AwsServiceError =>
  dxClientError(`${field} '${value.slice(0, 64)}' has an invalid format: expected ${prefix}- followed by 8 characters`);

export const connectionNotFound = (id: string): AwsServiceError => dxClientError(`Connection ${id} does not exist.`);
export const lagNotFound = (id: string): AwsServiceError => dxClientError(`LAG ${id} does not exist.`);
export const vifNotFound = (id: string): AwsServiceError => dxClientError(`Virtual interface ${id} does not exist.`);
export const isDeleted = (id: string, state: string): AwsServiceError => dxClientError(`${id} is ${state}.`);
