/**
 * Fuzzing the endpoint in-process (no sockets): 20,000 requests made from
 * valid ones of every operation by replacing, dropping or adding members,
 * corrupting the JSON text, and mangling the target, content type, method,
 * path and Authorization headers, half of them against --strict-auth.
 * Every answer is AWS's (JSON with `__type`, or the XML of a non-JSON
 * request), never a throw and never a 5xx; no Direct Connect answer carries
 * a CAK; afterwards every key still has its secret and every Direct Connect
 * secret its key. Seeded: a failure names its seed and iteration.
 */
import { describe, expect, it } from 'vitest';
import type { RawRequest } from '../../../src/aws/index.js';
import { seededRandom } from '../../helpers/random.js';
import { API_SEED, CAKS, apiWithResources, mutateBody, mutateHeaders, mutateJsonText } from '../../fuzz/targets/api.js';
import type { Rand } from '../../fuzz/target.js';

const ITERATIONS = 20_000;
const SEED = API_SEED;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

describe('fuzzing the endpoint in-process', () => {
  it(`answers ${ITERATIONS} mangled requests with AWS errors only: no throw, no 5xx, no CAK`, async () => {
    const { store, lenient, strict, requests } = await apiWithResources();

    const r = seededRandom(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < ITERATIONS; i++) {
      const [target, body] = pick(r, requests);
      const { method, url, headers } = mutateHeaders(r, target);
      const c = r();
      const raw: Uint8Array = c < 0.6 ? Buffer.from(JSON.stringify(mutateBody(r, body))) : c < 0.9 ? mutateJsonText(r, JSON.stringify(body)) : Buffer.from(JSON.stringify(body));
      const req: RawRequest = { method, url, headers, body: raw, tooLarge: r() < 0.01 };
      const h = await (i % 2 ? strict : lenient)(req);
      const where = `seed ${SEED} iteration ${i}: ${method} ${url} ${JSON.stringify(headers)} ${Buffer.from(raw).toString('utf8').slice(0, 300)}`;
      statuses.set(h.answer.status, (statuses.get(h.answer.status) ?? 0) + 1);
      expect(h.answer.status, where).toBeLessThan(500);
      if (h.answer.contentType === 'application/xml') {
        expect(h.answer.body, where).toBe('<UnknownOperationException/>\n');
        continue;
      }
      const json = JSON.parse(h.answer.body);
      if (h.answer.status !== 200) expect(typeof json.__type, where).toBe('string');
      if (String(headers['x-amz-target']).startsWith('OvertureService.')) {
        for (const cak of CAKS) expect(h.answer.body.toUpperCase(), where).not.toContain(cak);
      }
    }
    // The fuzz reached the operations, not only the front end's refusals.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(ITERATIONS / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(ITERATIONS / 4);

    // Nothing half done: keys and Direct Connect secrets still pair up.
    const docs = store.dump();
    const keyArns = new Set(docs.flatMap((d) => (d.kind === 'connection' || d.kind === 'lag' ? ((d.doc as { keys: { secretArn: string }[] }).keys ?? []).map((k) => k.secretArn) : [])));
    const dxSecrets = docs.filter((d) => d.kind === 'secret' && (d.doc as { owningService?: string }).owningService === 'directconnect').map((d) => d.id);
    for (const k of keyArns) expect(dxSecrets.includes(k) || docs.some((d) => d.id === k), `key ${k} has its secret`).toBe(true);
    store.close();
  });
});
