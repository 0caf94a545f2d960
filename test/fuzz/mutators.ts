/**
 * Mutations that know the shape of what they change: octets of a frame or
 * message (test/helpers/mutate.ts, plus lengths at their limits), lines and
 * tokens of a text (YAML or JSON), members of a JSON object.
 */
import { mutateFrame } from '../helpers/mutate.js';
import type { Rand } from './target.js';

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Octet mutations, and now and then a 16-bit length field set to 0, 1, its maximum or one past what the input holds. */
export function mutateOctets(seed: Uint8Array, r: Rand, lengthFields: readonly number[] = []): Uint8Array {
  const f = mutateFrame(seed, r);
  if (lengthFields.length && r() < 0.25) {
    const at = pick(r, lengthFields);
    if (at + 1 < f.length) {
      const v = pick(r, [0, 1, 0xffff, f.length - at, f.length - at - 1, f.length - at + 1]);
      f[at] = (v >> 8) & 0xff;
      f[at + 1] = v & 0xff;
    }
  }
  return f;
}

/** Values that sit at the edges of what a field takes. */
const EDGE_TOKENS = ['0', '-1', '1', '255', '256', '65535', '65536', '4294967295', '4294967296', '1e309', '0x', '""', "''", 'null', '~', '[]', '{}', 'true', 'no', '.nan', '&a', '*a', '!!binary', '<<', '-', '?', '|', '>', '#', '"\\u0000"', 'ä', '\t'];

/** Line and token mutations of a text: lines dropped, doubled or swapped, tokens replaced by edge values, characters changed. */
export function mutateText(seed: string, r: Rand): string {
  let lines = seed.split('\n');
  const rounds = 1 + Math.floor(r() * 3);
  for (let n = 0; n < rounds; n++) {
    const i = Math.floor(r() * lines.length);
    switch (Math.floor(r() * 7)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 2: {
        const j = Math.floor(r() * lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      }
      case 3:
      case 4: {
        // A value: the last token of a line, or a word inside it.
        const line = lines[i] ?? '';
        const tokens = line.split(/([\s,:[\]{}]+)/);
        const words = tokens.map((t, k) => (/^[\s,:[\]{}]*$/.test(t) ? -1 : k)).filter((k) => k >= 0);
        if (words.length) tokens[pick(r, words)] = pick(r, EDGE_TOKENS);
        lines[i] = tokens.join('');
        break;
      }
      case 5: {
        const line = lines[i] ?? '';
        const at = Math.floor(r() * (line.length + 1));
        lines[i] = line.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + line.slice(at + 1);
        break;
      }
      default:
        lines = lines.slice(0, Math.max(1, Math.floor(r() * lines.length)));
    }
  }
  return lines.join('\n');
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const textOf = (b: Uint8Array): string => dec.decode(b);
export const octetsOf = (s: string): Uint8Array => enc.encode(s);
