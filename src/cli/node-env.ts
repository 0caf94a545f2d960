/**
 * The user-facing environment overrides of a node, read here and nowhere
 * else (README, "The data path"): DXLAB_CRYPTO=node|native picks the GCM
 * engine of every MACsec port, winning over the file's `crypto`, so that one
 * variable reaches every node a lab or `npm run bench:link` starts (the node
 * processes inherit it); DXLAB_FASTPATH=0 turns the addon's fast path off.
 * The inner layers take these as options (NodeOverrides), so a test or an
 * embedding program sets them without touching process.env.
 */
import type { NodeOverrides } from '../node/index.js';
import { CliError } from './errors.js';

/**
 * The overrides from `env`; `crypto` (`dxlab node --crypto`) wins over DXLAB_CRYPTO.
 * @throws CliError('usage') naming the variable for a value it does not take.
 */
export function nodeOverrides(env: NodeJS.ProcessEnv, crypto?: string): NodeOverrides {
  const out: NodeOverrides = {};
  const engine = crypto || env.DXLAB_CRYPTO;
  if (engine) {
    if (engine !== 'node' && engine !== 'native') throw new CliError('usage', `DXLAB_CRYPTO must be "node" or "native", got '${engine}'`);
    out.crypto = engine;
  }
  const fast = env.DXLAB_FASTPATH;
  if (fast !== undefined && fast !== '') {
    if (fast !== '0' && fast !== '1') throw new CliError('usage', `DXLAB_FASTPATH must be 0 (off) or 1 (on, the default), got '${fast}'`);
    out.fastPath = fast === '1';
  }
  return out;
}
