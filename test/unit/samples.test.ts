import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSamples } from '../../scripts/samples.js';
import { ROOT } from '../helpers/cli.js';

describe('pcaps/samples', () => {
  it('the committed samples are what dxlab\'s SecY makes from the Annex C frames (npm run samples)', () => {
    for (const s of makeSamples()) {
      expect(readFileSync(join(ROOT, 'pcaps/samples', `${s.name}.pcap`)).equals(Buffer.from(s.pcap)), s.name).toBe(true);
      expect(readFileSync(join(ROOT, 'pcaps/samples', `${s.name}.keys.json`), 'utf8')).toBe(s.keys);
    }
  });
});
