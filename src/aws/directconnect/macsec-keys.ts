/**
 * AssociateMacSecKey and DisassociateMacSecKey on a connection or a LAG
 * (reference §4, §5 V1 and V3 to V11).
 *
 * A pair given as ckn+cak is stored as a Direct Connect-owned secret
 * (OwningService `directconnect`, named `directconnect!prod/<region>/dxmacsec/<CKN>`
 * after the blog's output; its value `{"ckn":...,"cak":...}`), and the key
 * refers to it by ARN; the CAK lives nowhere else and appears in no answer.
 * A secretARN must name such a secret (V5). Keys start `associating` and
 * become `associated` once validated (at once without a lab); new keys go at
 * the end of the list, which is the order the device tries them in reverse
 * (V7; Terraform reads the new key's ARN from the last element). CKN and CAK
 * are stored in upper case, as the blog shows CKNs.
 */
import { MAX_MACSEC_KEYS } from '../constants.js';
import type { RequestContext } from '../context.js';
import { dxClientError } from '../errors.js';
import { DX_OWNING_SERVICE, dxSecretName, type DirectConnectCore, type StoredKeyPair } from './backend.js';
import type { SecretDoc } from '../secretsmanager/model.js';
import type { ConnectionDoc, KeyDoc, LagDoc } from './model.js';
import { macSecKeyOutput, type AssociateMacSecKeyRequest } from './shapes.js';

const HEX64 = /^[0-9A-Fa-f]{64}$/;

function checkHex64(field: 'ckn' | 'cak', value: string): void {
  if (!HEX64.test(value)) {
    // The CAK itself is never repeated back, only its length.
    const hex = /^[0-9A-Fa-f]*$/.test(value);
    throw dxClientError(`${field} must be exactly 64 hexadecimal characters (32 octets); got ${value.length} characters${hex ? '' : ', not all of them hexadecimal'}`);
  }
}

type Holder = { kind: 'connection'; doc: ConnectionDoc } | { kind: 'lag'; doc: LagDoc };

function holder(core: DirectConnectCore, ctx: RequestContext, id: string): Holder {
  const h = core.liveConnectionOrLag(ctx, id);
  if (!h.doc.macSecCapable) {
    throw dxClientError(`${id} was not requested with MACsec (macSecCapable is false): MACsec must be requested when the ${h.kind === 'lag' ? 'LAG' : 'connection'} is created`);
  }
  if (h.kind === 'connection' && h.doc.lagId !== undefined) {
    throw dxClientError(`Connection ${id} is a member of ${h.doc.lagId}: MACsec keys of a LAG are associated with the LAG`);
  }
  return h;
}

function save(core: DirectConnectCore, ctx: RequestContext, h: Holder, keys: KeyDoc[], afterRemoval: boolean): void {
  if (h.kind === 'connection') {
    const c = afterRemoval ? core.afterKeyRemoved({ ...h.doc, keys }) : { ...h.doc, keys };
    core.saveConnection(c);
    core.pushPort(ctx, c);
  } else {
    const l = afterRemoval ? core.afterKeyRemoved({ ...h.doc, keys }) : { ...h.doc, keys };
    core.saveLag(l);
    core.pushLagPorts(ctx, l);
  }
}

export function associateMacSecKey(core: DirectConnectCore, ctx: RequestContext, input: AssociateMacSecKeyRequest): Record<string, unknown> {
  // V4: exactly one of secretARN or the ckn+cak pair.
  if (input.secretARN !== undefined && (input.ckn !== undefined || input.cak !== undefined)) {
    throw dxClientError('give either secretARN or ckn and cak, not both');
  }
  if (input.secretARN === undefined && (input.ckn === undefined || input.cak === undefined)) {
    throw dxClientError(input.ckn === undefined && input.cak === undefined ? 'give secretARN, or ckn and cak' : `${input.ckn === undefined ? 'ckn' : 'cak'} is required with ${input.ckn === undefined ? 'cak' : 'ckn'}`);
  }
  const h = holder(core, ctx, input.connectionId);
  let secretArn: string;
  let ckn: string;
  if (input.secretARN !== undefined) {
    const secret = core.secrets.resolve(ctx, input.secretARN);
    if (!secret || secret.arn !== input.secretARN) throw dxClientError(`secretARN ${input.secretARN.slice(0, 256)} does not name a secret in ${ctx.region}; give the full ARN of a secret Direct Connect created`);
    if (secret.owningService !== DX_OWNING_SERVICE) {
      throw dxClientError(`secretARN ${secret.arn} was not created by Direct Connect: only a secret from an earlier AssociateMacSecKey with ckn and cak can be reused`);
    }
    if (secret.deletedAt !== undefined) throw dxClientError(`secretARN ${secret.arn} is scheduled for deletion: restore it (RestoreSecret) first`);
    const value = core.secrets.current(secret)?.secretString;
    if (value === undefined) throw dxClientError(`secretARN ${secret.arn} holds no CKN/CAK pair`);
    secretArn = secret.arn;
    ckn = (JSON.parse(value) as StoredKeyPair).ckn;
  } else {
    checkHex64('ckn', input.ckn!);
    checkHex64('cak', input.cak!);
    ckn = input.ckn!.toUpperCase();
    const cak = input.cak!.toUpperCase();
    const name = dxSecretName(ctx.region, ckn);
    const existing = core.store.findByName<SecretDoc>('secret', ctx.region, name);
    if (existing) {
      if (existing.deletedAt !== undefined) throw dxClientError(`The secret of CKN ${ckn} (${existing.arn}) is scheduled for deletion: restore it (RestoreSecret) or use another CKN`);
      const stored = JSON.parse(core.secrets.current(existing)?.secretString ?? '{}') as Partial<StoredKeyPair>;
      // V6: a stored pair is never changed; the same pair is reused (on another connection or the LAG).
      if (stored.cak !== cak) throw dxClientError(`CKN ${ckn} is already stored (${existing.arn}) with a different CAK; a stored key cannot be modified: use another CKN`);
      secretArn = existing.arn;
    } else {
      secretArn = core.secrets.createOwned(ctx, {
        name,
        owningService: DX_OWNING_SERVICE,
        description: 'MACsec CKN/CAK pair stored by AWS Direct Connect',
        secretString: JSON.stringify({ ckn, cak } satisfies StoredKeyPair),
      }).arn;
    }
  }
  const keys = h.doc.keys;
  if (keys.some((k) => k.ckn === ckn)) {
    throw dxClientError(`CKN ${ckn} is already associated with ${input.connectionId}; an associated key cannot be modified: disassociate it first`);
  }
  if (keys.length >= MAX_MACSEC_KEYS) {
    throw dxClientError(`${input.connectionId} already has ${keys.length} MACsec keys, the most its key chain holds: disassociate one first`);
  }
  const added: KeyDoc = { secretArn, ckn, state: 'associating', stateSince: ctx.now, startOn: ctx.now };
  const all = [...keys, added];
  save(core, ctx, h, all, false);
  return { connectionId: input.connectionId, macSecKeys: all.map((k) => macSecKeyOutput(k)) };
}

export function disassociateMacSecKey(core: DirectConnectCore, ctx: RequestContext, input: { connectionId: string; secretARN: string }): Record<string, unknown> {
  const h = holder(core, ctx, input.connectionId);
  const key = h.doc.keys.find((k) => k.secretArn === input.secretARN);
  if (!key) throw dxClientError(`No MACsec key with secretARN ${input.secretARN.slice(0, 256)} is associated with ${input.connectionId}.`);
  // V10 in save(): must_encrypt without a key falls back to should_encrypt.
  save(
    core,
    ctx,
    h,
    h.doc.keys.filter((k) => k !== key),
    true,
  );
  return { connectionId: input.connectionId, macSecKeys: [macSecKeyOutput(key, 'disassociated')] };
}
