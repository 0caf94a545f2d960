/** How a secret is stored (one JSON document per secret in the API store). */
import type { RequestContext } from '../context.js';

export interface SecretVersionDoc {
  versionId: string;
  /** Staging labels (AWSCURRENT, AWSPREVIOUS, ...); a version left without one is dropped. */
  stages: string[];
  createdAt: number;
  secretString?: string;
  /** Base64, as the wire carries it. */
  secretBinary?: string;
}

export interface SecretDoc {
  arn: string;
  name: string;
  region: string;
  description?: string;
  kmsKeyId?: string;
  /** The service that created and manages the secret ('directconnect' for MACsec keys). */
  owningService?: string;
  createdAt: number;
  lastChangedAt: number;
  /** Midnight UTC of the last day the value was read (AWS reports a date). */
  lastAccessedAt?: number;
  /** When DeleteSecret was called; absent unless deletion is scheduled. */
  deletedAt?: number;
  /** When the secret is purged (DeleteSecret's DeletionDate). */
  deletionDate?: number;
  tags: { key: string; value: string }[];
  versions: SecretVersionDoc[];
}

/** Calls from Secrets Manager into the services that own secrets (Direct Connect: V11). */
export interface SecretHooks {
  /** A secret's deletion was scheduled. */
  deletionScheduled(doc: SecretDoc, ctx: RequestContext): void;
  /** A scheduled deletion was cancelled. */
  restored(doc: SecretDoc, ctx: RequestContext): void;
}
