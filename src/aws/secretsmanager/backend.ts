/**
 * Secrets Manager's state and rules: secrets with versions and staging
 * labels, tags, scheduled deletion and restore, and the secrets that another
 * service owns (OwningService): Direct Connect's MACsec CKN/CAK pairs, which
 * the user can read (GetSecretValue) and schedule for deletion but not
 * change (reference §6; V11).
 *
 * Messages follow the texts AWS is known to answer with where there is one
 * ("Secrets Manager can't find the specified secret."); the others name the
 * field and value. No message carries a secret value.
 */
import {
  MAX_TAGS_PER_RESOURCE,
  RECOVERY_WINDOW_DEFAULT_DAYS,
  RECOVERY_WINDOW_MAX_DAYS,
  RECOVERY_WINDOW_MIN_DAYS,
  SM_MAX_RESULTS,
} from '../constants.js';
import { decodePageToken, encodePageToken, type BackendDeps, type RequestContext } from '../context.js';
import { smError } from '../errors.js';
import { secretArnSuffix, uuid } from '../ids.js';
import type { SecretDoc, SecretHooks, SecretVersionDoc } from './model.js';
import {
  describeSecretOutput,
  secretListEntry,
  secretValueOutput,
  type CreateSecretRequest,
  type DeleteSecretRequest,
  type GetSecretValueRequest,
  type ListSecretsRequest,
  type PutSecretValueRequest,
  type TagResourceRequest,
  type WireTag,
} from './shapes.js';

const DAY_MS = 24 * 3600 * 1000;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;
const AWSCURRENT = 'AWSCURRENT';
const AWSPREVIOUS = 'AWSPREVIOUS';

const notFound = () => smError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const markedForDeletion = () => smError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");

function sameBytes(a: SecretVersionDoc, s: string | undefined, b: string | undefined): boolean {
  return a.secretString === s && a.secretBinary === b;
}

export class SecretsBackend {
  #hooks: SecretHooks | undefined;

  constructor(private readonly deps: BackendDeps) {}

  /** Direct Connect registers here to hear of scheduled deletions and restores (V11). */
  setHooks(hooks: SecretHooks): void {
    this.#hooks = hooks;
  }

  // ---- lookups, also used by Direct Connect ----

  /** A secret by full ARN, partial ARN (without the 6-character suffix) or name, in the request's region. */
  resolve(ctx: RequestContext, secretId: string): SecretDoc | undefined {
    const { store } = this.deps;
    const byArn = store.get<SecretDoc>('secret', secretId);
    if (byArn) return byArn.region === ctx.region ? byArn : undefined;
    const prefix = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:`;
    if (secretId.startsWith('arn:')) return secretId.startsWith(prefix) ? store.findByName<SecretDoc>('secret', ctx.region, secretId.slice(prefix.length)) : undefined;
    return store.findByName<SecretDoc>('secret', ctx.region, secretId);
  }

  /** The AWSCURRENT version of a secret. */
  current(doc: SecretDoc): SecretVersionDoc | undefined {
    return doc.versions.find((v) => v.stages.includes(AWSCURRENT));
  }

  /**
   * Creates a secret on behalf of another service (OwningService set), e.g.
   * the CKN/CAK pair of AssociateMacSecKey. The name may hold characters a
   * user's secret cannot ('!'), as AWS's service-owned names do.
   */
  createOwned(ctx: RequestContext, spec: { name: string; owningService: string; description: string; secretString: string }): SecretDoc {
    const doc: SecretDoc = {
      arn: this.#newArn(ctx, spec.name),
      name: spec.name,
      region: ctx.region,
      description: spec.description,
      owningService: spec.owningService,
      createdAt: ctx.now,
      lastChangedAt: ctx.now,
      tags: [],
      versions: [{ versionId: uuid(this.deps.random), stages: [AWSCURRENT], createdAt: ctx.now, secretString: spec.secretString }],
    };
    this.#save(doc);
    return doc;
  }

  /** Time's work: purges a secret whose recovery window has ended. */
  advance(arn: string, now: number): void {
    const doc = this.deps.store.get<SecretDoc>('secret', arn);
    if (doc?.deletionDate !== undefined && doc.deletionDate <= now) this.deps.store.remove('secret', arn);
  }

  // ---- operations ----

  createSecret(ctx: RequestContext, input: CreateSecretRequest): Record<string, unknown> {
    if (!NAME_PATTERN.test(input.Name)) {
      throw smError('InvalidParameterException', `Invalid name '${input.Name.slice(0, 64)}'. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@`);
    }
    if (input.AddReplicaRegions !== undefined || input.ForceOverwriteReplicaSecret) throw smError('InvalidParameterException', 'AddReplicaRegions: replication to other regions is not offered by this service');
    if (input.Type !== undefined) throw smError('InvalidParameterException', `Type '${input.Type.slice(0, 64)}': external (partner) secrets are not offered by this service`);
    const value = this.#value(input.SecretString, input.SecretBinary, false);
    const tags = this.#mergeTags([], input.Tags ?? []);
    const existing = this.deps.store.findByName<SecretDoc>('secret', ctx.region, input.Name);
    if (existing) {
      if (existing.deletedAt !== undefined) throw smError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
      const same = input.ClientRequestToken !== undefined && existing.versions.find((v) => v.versionId === input.ClientRequestToken);
      if (same && sameBytes(same, value?.secretString, value?.secretBinary)) return { ARN: existing.arn, Name: existing.name, VersionId: same.versionId };
      throw smError('ResourceExistsException', `The operation failed because the secret ${input.Name} already exists.`);
    }
    const doc: SecretDoc = {
      arn: this.#newArn(ctx, input.Name),
      name: input.Name,
      region: ctx.region,
      ...(input.Description !== undefined && { description: input.Description }),
      ...(input.KmsKeyId !== undefined && { kmsKeyId: input.KmsKeyId }),
      createdAt: ctx.now,
      lastChangedAt: ctx.now,
      tags,
      versions: value ? [{ versionId: input.ClientRequestToken ?? uuid(this.deps.random), stages: [AWSCURRENT], createdAt: ctx.now, ...value }] : [],
    };
    this.#save(doc);
    return { ARN: doc.arn, Name: doc.name, ...(doc.versions[0] && { VersionId: doc.versions[0].versionId }) };
  }

  getSecretValue(ctx: RequestContext, input: GetSecretValueRequest): Record<string, unknown> {
    const doc = this.resolve(ctx, input.SecretId);
    if (!doc) throw notFound();
    if (doc.deletedAt !== undefined) throw markedForDeletion();
    let version: SecretVersionDoc | undefined;
    if (input.VersionId !== undefined) {
      version = doc.versions.find((v) => v.versionId === input.VersionId);
      if (!version) throw smError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`);
      if (input.VersionStage !== undefined && !version.stages.includes(input.VersionStage)) {
        throw smError('InvalidParameterException', `VersionId ${input.VersionId} does not carry the staging label ${input.VersionStage}`);
      }
    } else {
      const stage = input.VersionStage ?? AWSCURRENT;
      version = doc.versions.find((v) => v.stages.includes(stage));
      if (!version) throw smError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage}`);
    }
    const today = Math.floor(ctx.now / DAY_MS) * DAY_MS;
    if (doc.lastAccessedAt !== today) this.#save({ ...doc, lastAccessedAt: today });
    return secretValueOutput(doc, version);
  }

  describeSecret(ctx: RequestContext, input: { SecretId: string }): Record<string, unknown> {
    const doc = this.resolve(ctx, input.SecretId);
    if (!doc) throw notFound();
    return describeSecretOutput(doc);
  }

  listSecrets(ctx: RequestContext, input: ListSecretsRequest): Record<string, unknown> {
    const filters = (input.Filters ?? []).map((f, i) => {
      if (f.Key === undefined || f.Values === undefined) throw smError('InvalidParameterException', `Filters.${i + 1}: give both Key and Values`);
      return { key: f.Key, values: f.Values };
    });
    let docs = this.deps.store.list<SecretDoc>('secret', ctx.region).map((r) => r.doc);
    if (!input.IncludePlannedDeletion) docs = docs.filter((d) => d.deletedAt === undefined);
    docs = docs.filter((d) => filters.every((f) => matchesFilter(d, f.key, f.values)));
    const sortBy = input.SortBy ?? 'created-date';
    const key = (d: SecretDoc): string | number =>
      sortBy === 'name' ? d.name : sortBy === 'last-accessed-date' ? (d.lastAccessedAt ?? 0) : sortBy === 'last-changed-date' ? d.lastChangedAt : d.createdAt;
    const dir = input.SortOrder === 'desc' ? -1 : 1;
    docs = docs.map((d, i) => ({ d, i })).sort((a, b) => (key(a.d) < key(b.d) ? -dir : key(a.d) > key(b.d) ? dir : a.i - b.i)).map((x) => x.d);
    let offset = 0;
    if (input.NextToken !== undefined) {
      const o = decodePageToken('secrets', input.NextToken);
      if (o === undefined) throw smError('InvalidNextTokenException', 'The NextToken value is not valid.');
      offset = o;
    }
    const limit = input.MaxResults ?? SM_MAX_RESULTS;
    const page = docs.slice(offset, offset + limit);
    const next = offset + limit < docs.length ? encodePageToken('secrets', offset + limit) : undefined;
    return { SecretList: page.map(secretListEntry), ...(next && { NextToken: next }) };
  }

  putSecretValue(ctx: RequestContext, input: PutSecretValueRequest): Record<string, unknown> {
    const doc = this.resolve(ctx, input.SecretId);
    if (!doc) throw notFound();
    if (doc.deletedAt !== undefined) throw markedForDeletion();
    if (doc.owningService !== undefined) throw managedBy(doc);
    const value = this.#value(input.SecretString, input.SecretBinary, true)!;
    const token = input.ClientRequestToken ?? uuid(this.deps.random);
    const same = doc.versions.find((v) => v.versionId === token);
    if (same) {
      if (sameBytes(same, value.secretString, value.secretBinary)) return { ARN: doc.arn, Name: doc.name, VersionId: same.versionId, VersionStages: [...same.stages] };
      throw smError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
    }
    const stages = [...new Set(input.VersionStages ?? [AWSCURRENT])];
    const versions = doc.versions.map((v) => ({ ...v, stages: v.stages.filter((s) => !stages.includes(s)) }));
    if (stages.includes(AWSCURRENT)) {
      // Moving AWSCURRENT moves AWSPREVIOUS to the version it left (PutSecretValue doc).
      const previous = doc.versions.find((v) => v.stages.includes(AWSCURRENT));
      if (previous) {
        for (const v of versions) v.stages = v.stages.filter((s) => s !== AWSPREVIOUS);
        versions.find((v) => v.versionId === previous.versionId)!.stages.push(AWSPREVIOUS);
      }
    }
    const created: SecretVersionDoc = { versionId: token, stages, createdAt: ctx.now, ...value };
    this.#save({ ...doc, lastChangedAt: ctx.now, versions: [...versions.filter((v) => v.stages.length > 0), created] });
    return { ARN: doc.arn, Name: doc.name, VersionId: token, VersionStages: stages };
  }

  deleteSecret(ctx: RequestContext, input: DeleteSecretRequest): Record<string, unknown> {
    if (input.RecoveryWindowInDays !== undefined && input.ForceDeleteWithoutRecovery !== undefined) {
      throw smError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days = input.RecoveryWindowInDays ?? RECOVERY_WINDOW_DEFAULT_DAYS;
    if (days < RECOVERY_WINDOW_MIN_DAYS || days > RECOVERY_WINDOW_MAX_DAYS) {
      throw smError('InvalidParameterException', `The RecoveryWindowInDays value must be between ${RECOVERY_WINDOW_MIN_DAYS} and ${RECOVERY_WINDOW_MAX_DAYS} days (inclusive), not ${days}.`);
    }
    const doc = this.resolve(ctx, input.SecretId);
    if (input.ForceDeleteWithoutRecovery) {
      // "If you forcibly delete an already deleted or nonexistent secret, the operation does not return ResourceNotFoundException."
      if (!doc) return { ...(input.SecretId.startsWith('arn:') ? { ARN: input.SecretId } : { Name: input.SecretId }), DeletionDate: ctx.now / 1000 };
      if (doc.owningService !== undefined) {
        throw smError('InvalidRequestException', `Secret ${doc.arn} is managed by ${doc.owningService}: schedule its deletion with a recovery window (RecoveryWindowInDays) instead of ForceDeleteWithoutRecovery.`);
      }
      this.deps.store.remove('secret', doc.arn);
      return { ARN: doc.arn, Name: doc.name, DeletionDate: ctx.now / 1000 };
    }
    if (!doc) throw notFound();
    if (doc.deletedAt !== undefined) throw smError('InvalidRequestException', "You can't perform this operation on the secret because it was already scheduled for deletion.");
    const scheduled: SecretDoc = { ...doc, deletedAt: ctx.now, deletionDate: ctx.now + days * DAY_MS, lastChangedAt: ctx.now };
    this.#save(scheduled);
    this.#hooks?.deletionScheduled(scheduled, ctx);
    return { ARN: doc.arn, Name: doc.name, DeletionDate: scheduled.deletionDate! / 1000 };
  }

  restoreSecret(ctx: RequestContext, input: { SecretId: string }): Record<string, unknown> {
    const doc = this.resolve(ctx, input.SecretId);
    if (!doc) throw notFound();
    if (doc.deletedAt !== undefined) {
      const { deletedAt: _d, deletionDate: _dd, ...rest } = doc;
      const restored: SecretDoc = { ...rest, lastChangedAt: ctx.now };
      this.#save(restored);
      this.#hooks?.restored(restored, ctx);
    }
    return { ARN: doc.arn, Name: doc.name };
  }

  tagResource(ctx: RequestContext, input: TagResourceRequest): Record<string, unknown> {
    const doc = this.resolve(ctx, input.SecretId);
    if (!doc) throw notFound();
    this.#save({ ...doc, tags: this.#mergeTags(doc.tags, input.Tags), lastChangedAt: ctx.now });
    return {};
  }

  // ---- helpers ----

  #newArn(ctx: RequestContext, name: string): string {
    for (;;) {
      const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${secretArnSuffix(this.deps.random)}`;
      if (!this.deps.store.get('secret', arn)) return arn;
    }
  }

  #save(doc: SecretDoc): void {
    this.deps.store.put('secret', doc.arn, { region: doc.region, name: doc.name, dueAt: doc.deletionDate }, doc);
  }

  #value(secretString: string | undefined, secretBinary: Uint8Array | undefined, required: boolean): { secretString?: string; secretBinary?: string } | undefined {
    if (secretString !== undefined && secretBinary !== undefined) {
      throw smError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
    }
    if (secretString !== undefined) return { secretString };
    if (secretBinary !== undefined) return { secretBinary: Buffer.from(secretBinary).toString('base64') };
    if (required) throw smError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    return undefined;
  }

  #mergeTags(existing: readonly { key: string; value: string }[], add: readonly WireTag[]): { key: string; value: string }[] {
    const out = existing.map((t) => ({ ...t }));
    const seen = new Set<string>();
    for (const [i, t] of add.entries()) {
      if (t.Key === undefined) throw smError('InvalidParameterException', `Tags.${i + 1}: the tag has no Key`);
      if (t.Key.toLowerCase().startsWith('aws:')) throw smError('InvalidParameterException', `Tags.${i + 1}: the tag key prefix 'aws:' is reserved for AWS's own tags ('${t.Key}')`);
      if (seen.has(t.Key)) throw smError('InvalidParameterException', `Tags: the key '${t.Key}' is given more than once`);
      seen.add(t.Key);
      const value = t.Value ?? '';
      const at = out.find((x) => x.key === t.Key);
      if (at) at.value = value;
      else out.push({ key: t.Key, value });
    }
    if (out.length > MAX_TAGS_PER_RESOURCE) throw smError('InvalidParameterException', `A secret has at most ${MAX_TAGS_PER_RESOURCE} tags; this request would leave ${out.length}.`);
    return out;
  }
}

function managedBy(doc: SecretDoc) {
  return smError('InvalidRequestException', `You can't modify secret ${doc.arn} because it is managed by ${doc.owningService}: change it through ${doc.owningService}.`);
}

/**
 * One ListSecrets filter (API reference, Filter): a prefix match, case-sensitive
 * except for description; `all` splits the value into words and matches any
 * attribute, case-insensitive. Values of one filter are alternatives; a value
 * starting with '!' excludes what it matches.
 */
function matchesFilter(doc: SecretDoc, key: string, values: readonly string[]): boolean {
  const positive = values.filter((v) => !v.startsWith('!'));
  const negative = values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const hit = (v: string) => matchesValue(doc, key, v);
  if (negative.some(hit)) return false;
  return positive.length === 0 || positive.some(hit);
}

function matchesValue(doc: SecretDoc, key: string, value: string): boolean {
  switch (key) {
    case 'name':
      return doc.name.startsWith(value);
    case 'description':
      return (doc.description ?? '').toLowerCase().startsWith(value.toLowerCase());
    case 'tag-key':
      return doc.tags.some((t) => t.key.startsWith(value));
    case 'tag-value':
      return doc.tags.some((t) => t.value.startsWith(value));
    case 'primary-region':
      return doc.region.startsWith(value);
    case 'owning-service':
      return (doc.owningService ?? '').startsWith(value) && doc.owningService !== undefined;
    default: {
      const words = splitWords(value);
      const attrs = [doc.name, doc.description ?? '', ...doc.tags.flatMap((t) => [t.key, t.value])].flatMap(splitWords);
      return words.length > 0 && words.some((w) => attrs.some((a) => a.startsWith(w)));
    }
  }
}

/** Words as the console search cuts them: at case changes, letter/digit changes and punctuation, lower-cased. */
function splitWords(s: string): string[] {
  return (s.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []).map((w) => w.toLowerCase());
}
