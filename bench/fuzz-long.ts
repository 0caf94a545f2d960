/**
 * `npm run fuzz:long [-- FRAMES]`: the SecY mutation fuzz test at a larger
 * count than CI runs (default 2,000,000 frames).
 */
import { spawnSync } from 'node:child_process';

const frames = process.argv[2] ?? '2000000';
const r = spawnSync('npx', ['vitest', 'run', 'test/unit/macsec/fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, DXLAB_FUZZ_FRAMES: frames },
});
process.exit(r.status ?? 1);
