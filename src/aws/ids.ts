/**
 * Identifiers in AWS's formats, made from an injected source of random
 * octets so that tests can fix them: `dxcon-`, `dxlag-`, `dxvif-`,
 * `dxpeer-` + 8 characters of [a-z0-9] (as in the AWS CLI's examples,
 * `dxcon-fg31dyv6`), the 6-character suffix of a secret's ARN
 * ([A-Za-z0-9], botocore SecretARNType doc), UUIDs (request ids, secret
 * version ids).
 */

/** Fills `n` random octets. */
export type RandomSource = (n: number) => Uint8Array;

const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` characters drawn evenly from `alphabet` (rejection sampling, no modulo bias). */
export function randomChars(random: RandomSource, alphabet: string, n: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < n) {
    for (const b of random(n * 2)) {
      if (b >= limit) continue;
      out += alphabet[b % alphabet.length];
      if (out.length === n) break;
    }
  }
  return out;
}

export type DxIdPrefix = 'dxcon' | 'dxlag' | 'dxvif' | 'dxpeer';

/** `dxcon-` + 8 characters, and so on. */
export function dxId(random: RandomSource, prefix: DxIdPrefix): string {
  return `${prefix}-${randomChars(random, LOWER_DIGITS, 8)}`;
}

/** The 6 characters Secrets Manager appends to a secret's name in its ARN. */
export function secretArnSuffix(random: RandomSource): string {
  return randomChars(random, MIXED_DIGITS, 6);
}

/** A version 4 UUID (RFC 9562 §5.4). */
export function uuid(random: RandomSource): string {
  const b = random(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A BGP MD5 password as AWS makes one when none is given (24 characters, like `0x123pK5_VBqv.UQ3kJ4123_`). */
export function bgpAuthKey(random: RandomSource): string {
  return `0x${randomChars(random, MIXED_DIGITS + '_.', 22)}`;
}
