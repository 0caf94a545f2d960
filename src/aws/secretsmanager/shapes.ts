/**
 * Secrets Manager's wire names: the input shapes of the operations served
 * (botocore secretsmanager 2017-10-17 service-2.json: members, required,
 * min/max, enums) and the output members, in one place.
 */
import type { Shape } from '../shape.js';
import { epochSeconds } from '../context.js';
import type { SecretDoc, SecretVersionDoc } from './model.js';

type Structure = Shape & { type: 'structure' };

const SecretId: Shape = { type: 'string', min: 1, max: 2048 };
const ClientRequestToken: Shape = { type: 'string', min: 32, max: 64 };
const SecretString: Shape = { type: 'string', min: 1, max: 65536, sensitive: true };
const SecretBinary: Shape = { type: 'blob', min: 1, max: 65536, sensitive: true };
const VersionId: Shape = { type: 'string', min: 32, max: 64 };
const VersionStage: Shape = { type: 'string', min: 1, max: 256 };
const Tag: Shape = { type: 'structure', members: { Key: { type: 'string', min: 1, max: 128 }, Value: { type: 'string', min: 0, max: 256 } } };
const TagList: Shape = { type: 'list', member: Tag };

export const CreateSecretInput: Structure = {
  type: 'structure',
  required: ['Name'],
  members: {
    Name: { type: 'string', min: 1, max: 512 },
    ClientRequestToken,
    Description: { type: 'string', max: 2048 },
    KmsKeyId: { type: 'string', min: 0, max: 2048 },
    SecretBinary,
    SecretString,
    Tags: TagList,
    AddReplicaRegions: { type: 'list', min: 1, member: { type: 'structure', members: { Region: { type: 'string' }, KmsKeyId: { type: 'string' } } } },
    ForceOverwriteReplicaSecret: { type: 'boolean' },
    Type: { type: 'string', min: 0, max: 256 },
  },
};

export const GetSecretValueInput: Structure = { type: 'structure', required: ['SecretId'], members: { SecretId, VersionId, VersionStage } };

export const DescribeSecretInput: Structure = { type: 'structure', required: ['SecretId'], members: { SecretId } };

export const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export const ListSecretsInput: Structure = {
  type: 'structure',
  members: {
    IncludePlannedDeletion: { type: 'boolean' },
    MaxResults: { type: 'integer', min: 1, max: 100 },
    NextToken: { type: 'string', min: 1, max: 4096 },
    Filters: {
      type: 'list',
      max: 10,
      member: {
        type: 'structure',
        members: {
          Key: { type: 'string', enum: FILTER_KEYS },
          Values: { type: 'list', min: 1, max: 10, member: { type: 'string', max: 512, pattern: /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/ } },
        },
      },
    },
    SortOrder: { type: 'string', enum: ['asc', 'desc'] },
    SortBy: { type: 'string', enum: ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] },
  },
};

export const PutSecretValueInput: Structure = {
  type: 'structure',
  required: ['SecretId'],
  members: {
    SecretId,
    ClientRequestToken,
    SecretBinary,
    SecretString,
    VersionStages: { type: 'list', min: 1, max: 20, member: VersionStage },
    RotationToken: { type: 'string', min: 36, max: 256, pattern: /^[a-zA-Z0-9-]+$/, sensitive: true },
  },
};

export const DeleteSecretInput: Structure = {
  type: 'structure',
  required: ['SecretId'],
  members: { SecretId, RecoveryWindowInDays: { type: 'long' }, ForceDeleteWithoutRecovery: { type: 'boolean' } },
};

export const RestoreSecretInput: Structure = { type: 'structure', required: ['SecretId'], members: { SecretId } };

export const TagResourceInput: Structure = { type: 'structure', required: ['SecretId', 'Tags'], members: { SecretId, Tags: TagList } };

export interface WireTag {
  Key?: string;
  Value?: string;
}

export interface CreateSecretRequest {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  Tags?: WireTag[];
  AddReplicaRegions?: unknown[];
  ForceOverwriteReplicaSecret?: boolean;
  Type?: string;
}
export interface GetSecretValueRequest {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}
export interface ListSecretsRequest {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: { Key?: FilterKey; Values?: string[] }[];
  SortOrder?: 'asc' | 'desc';
  SortBy?: 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
}
export interface PutSecretValueRequest {
  SecretId: string;
  ClientRequestToken?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  VersionStages?: string[];
}
export interface DeleteSecretRequest {
  SecretId: string;
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}
export interface TagResourceRequest {
  SecretId: string;
  Tags: WireTag[];
}

function versionsToStages(doc: SecretDoc): Record<string, string[]> {
  return Object.fromEntries(doc.versions.map((v) => [v.versionId, [...v.stages]]));
}

function wireTags(doc: SecretDoc): { Key: string; Value: string }[] {
  return doc.tags.map((t) => ({ Key: t.key, Value: t.value }));
}

/** DescribeSecret's answer: only the fields that have a value (model doc). */
export function describeSecretOutput(doc: SecretDoc): Record<string, unknown> {
  return {
    ARN: doc.arn,
    Name: doc.name,
    ...(doc.description !== undefined && { Description: doc.description }),
    ...(doc.kmsKeyId !== undefined && { KmsKeyId: doc.kmsKeyId }),
    LastChangedDate: epochSeconds(doc.lastChangedAt),
    ...(doc.lastAccessedAt !== undefined && { LastAccessedDate: epochSeconds(doc.lastAccessedAt) }),
    ...(doc.deletedAt !== undefined && { DeletedDate: epochSeconds(doc.deletedAt) }),
    ...(doc.tags.length > 0 && { Tags: wireTags(doc) }),
    VersionIdsToStages: versionsToStages(doc),
    ...(doc.owningService !== undefined && { OwningService: doc.owningService }),
    CreatedDate: epochSeconds(doc.createdAt),
  };
}

/** One SecretListEntry of ListSecrets. */
export function secretListEntry(doc: SecretDoc): Record<string, unknown> {
  const { VersionIdsToStages, ...rest } = describeSecretOutput(doc);
  return { ...rest, SecretVersionsToStages: VersionIdsToStages };
}

/** GetSecretValue's answer: the one place a secret's value leaves the service. */
export function secretValueOutput(doc: SecretDoc, v: SecretVersionDoc): Record<string, unknown> {
  return {
    ARN: doc.arn,
    Name: doc.name,
    VersionId: v.versionId,
    ...(v.secretString !== undefined && { SecretString: v.secretString }),
    ...(v.secretBinary !== undefined && { SecretBinary: v.secretBinary }),
    VersionStages: [...v.stages],
    CreatedDate: epochSeconds(v.createdAt),
  };
}
