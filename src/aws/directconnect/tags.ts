/**
 * Direct Connect tags: on create operations and through TagResource,
 * UntagResource and DescribeTags by the resource's ARN
 * (`arn:aws:directconnect:<region>:<account>:dxcon/dxcon-...`, as the AWS
 * CLI examples show it). At most 50 per resource (TooManyTagsException), a
 * key once per request (DuplicateTagKeysException), the `aws:` prefix is
 * AWS's own.
 */
import { MAX_TAGS_PER_RESOURCE } from '../constants.js';
import type { RequestContext } from '../context.js';
import { dxClientError, dxError } from '../errors.js';
import type { DirectConnectCore } from './backend.js';
import type { ConnectionDoc, LagDoc, TagDoc, VifDoc } from './model.js';
import { resourceTagsOutput, tagsFromWire, type WireTag } from './shapes.js';

/** Tags after adding `add` to `existing` (a key given again takes the new value). */
export function mergeTags(existing: readonly TagDoc[], add: readonly WireTag[] | undefined, field = 'tags'): TagDoc[] {
  const seen = new Set<string>();
  for (const t of add ?? []) {
    if (t.key.toLowerCase().startsWith('aws:')) throw dxClientError(`${field}: the tag key prefix 'aws:' is reserved ('${t.key.slice(0, 128)}')`);
    if (seen.has(t.key)) throw dxError('DuplicateTagKeysException', `${field}: the tag key '${t.key}' is given more than once`);
    seen.add(t.key);
  }
  const out = existing.map((t) => ({ ...t }));
  for (const t of tagsFromWire(add)) {
    const i = out.findIndex((x) => x.key === t.key);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  if (out.length > MAX_TAGS_PER_RESOURCE) throw dxError('TooManyTagsException', `A resource has at most ${MAX_TAGS_PER_RESOURCE} tags; this request would leave ${out.length}.`);
  return out;
}

export function resourceArn(ctx: { region: string; accountId: string }, id: string): string {
  return `arn:aws:directconnect:${ctx.region}:${ctx.accountId}:${id.slice(0, id.indexOf('-'))}/${id}`;
}

type Tagged = { kind: 'connection'; doc: ConnectionDoc } | { kind: 'lag'; doc: LagDoc } | { kind: 'vif'; doc: VifDoc };

function resolveArn(core: DirectConnectCore, ctx: RequestContext, arn: string): Tagged {
  const m = /^arn:aws:directconnect:([a-z0-9-]+):(\d{12}):(dxcon|dxlag|dxvif)\/(.+)$/.exec(arn);
  if (!m) throw dxClientError(`resourceArn '${arn.slice(0, 128)}' is not a Direct Connect resource ARN (arn:aws:directconnect:<region>:<account>:dxcon/dxcon-...)`);
  const [, region, account, type, id] = m;
  if (region !== ctx.region || account !== ctx.accountId) throw dxClientError(`Resource ${arn} does not exist in account ${ctx.accountId}, region ${ctx.region}.`);
  if (type === 'dxcon') return { kind: 'connection', doc: core.connection(ctx, id!, 'resourceArn') };
  if (type === 'dxlag') return { kind: 'lag', doc: core.lag(ctx, id!, 'resourceArn') };
  return { kind: 'vif', doc: core.vif(ctx, id!) };
}

function save(core: DirectConnectCore, r: Tagged, tags: TagDoc[]): void {
  if (r.kind === 'connection') core.saveConnection({ ...r.doc, tags });
  else if (r.kind === 'lag') core.saveLag({ ...r.doc, tags });
  else core.saveVif({ ...r.doc, tags });
}

export function tagResource(core: DirectConnectCore, ctx: RequestContext, input: { resourceArn: string; tags: WireTag[] }): Record<string, never> {
  const r = resolveArn(core, ctx, input.resourceArn);
  save(core, r, mergeTags(r.doc.tags, input.tags));
  return {};
}

export function untagResource(core: DirectConnectCore, ctx: RequestContext, input: { resourceArn: string; tagKeys: string[] }): Record<string, never> {
  const r = resolveArn(core, ctx, input.resourceArn);
  save(
    core,
    r,
    r.doc.tags.filter((t) => !input.tagKeys.includes(t.key)),
  );
  return {};
}

export function describeTags(core: DirectConnectCore, ctx: RequestContext, input: { resourceArns: string[] }): Record<string, unknown> {
  if (input.resourceArns.length === 0) throw dxClientError('resourceArns: give at least one ARN');
  if (input.resourceArns.length > 20) throw dxClientError(`resourceArns: at most 20 ARNs per request, not ${input.resourceArns.length}`);
  return { resourceTags: input.resourceArns.map((arn) => resourceTagsOutput(arn, resolveArn(core, ctx, arn).doc.tags)) };
}
