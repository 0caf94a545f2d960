/** The fuzz targets, one per parser a user's input reaches (target.ts says what each must show). */
import type { FuzzTarget } from './target.js';
import { secyTarget } from './targets/secy.js';
import { kayTarget } from './targets/kay.js';
import { bgpTarget } from './targets/bgp.js';
import { pcapTarget } from './targets/pcap.js';
import { nodeConfigTarget, topologyTarget } from './targets/files.js';
import { controlTarget } from './targets/control.js';
import { apiTarget } from './targets/api.js';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [secyTarget, kayTarget, bgpTarget, pcapTarget, topologyTarget, nodeConfigTarget, controlTarget, apiTarget];

export function fuzzTarget(name: string): FuzzTarget {
  const t = FUZZ_TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target '${name}': expected one of ${FUZZ_TARGETS.map((x) => x.name).join(', ')}`);
  return t;
}

export { runTarget, feedOne, HANG_CPU_MS, type FuzzReport, type FuzzTarget, type Finding } from './target.js';
export { saveFinding, savedInputs, MALFORMED_DIR } from './fixtures.js';
