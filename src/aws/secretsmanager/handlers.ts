/**
 * Secrets Manager's operations: input shape and backend call for each
 * `X-Amz-Target: secretsmanager.<Operation>`.
 */
import { op, type Operation } from '../operation.js';
import type { SecretsBackend } from './backend.js';
import * as S from './shapes.js';

export const SECRETS_MANAGER_OPERATIONS: Readonly<Record<string, Operation<SecretsBackend>>> = {
  CreateSecret: op(S.CreateSecretInput, (b, i: S.CreateSecretRequest, ctx) => b.createSecret(ctx, i)),
  GetSecretValue: op(S.GetSecretValueInput, (b, i: S.GetSecretValueRequest, ctx) => b.getSecretValue(ctx, i)),
  DescribeSecret: op(S.DescribeSecretInput, (b, i: { SecretId: string }, ctx) => b.describeSecret(ctx, i)),
  ListSecrets: op(S.ListSecretsInput, (b, i: S.ListSecretsRequest, ctx) => b.listSecrets(ctx, i)),
  PutSecretValue: op(S.PutSecretValueInput, (b, i: S.PutSecretValueRequest, ctx) => b.putSecretValue(ctx, i)),
  DeleteSecret: op(S.DeleteSecretInput, (b, i: S.DeleteSecretRequest, ctx) => b.deleteSecret(ctx, i)),
  RestoreSecret: op(S.RestoreSecretInput, (b, i: { SecretId: string }, ctx) => b.restoreSecret(ctx, i)),
  TagResource: op(S.TagResourceInput, (b, i: S.TagResourceRequest, ctx) => b.tagResource(ctx, i)),
};
