/**
 * The text files a user writes: topologies through the topology loader, and
 * node configurations through the node's loader (YAML or JSON). Seeds: the
 * shipped topologies, and one node configuration of each kind. A refused
 * file's error must name the file (and for a topology the line and YAML
 * path, `fuzz.yaml:LINE: PATH: ...`); an error that does not is a finding.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LabError, parseTopology } from '../../../src/lab/index.js';
import { NodeError, resolveNodeConfig } from '../../../src/node/index.js';
import { ROOT } from '../../helpers/cli.js';
import type { FuzzTarget } from '../target.js';
import { mutateText, octetsOf, textOf } from '../mutators.js';

const TOPOLOGIES = join(ROOT, 'topologies');

/** `fuzz.yaml:12: topology.links.0...: ...` or, for a document-level problem, `fuzz.yaml: ...`. */
const NAMES_TOPOLOGY_PLACE = /^fuzz\.yaml(:\d+)?: /;

export const topologyTarget: FuzzTarget = {
  name: 'topology',
  about: 'topology files through the topology loader (schema, node kinds, links, VIFs, keys)',
  seeds: () =>
    readdirSync(TOPOLOGIES)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => octetsOf(readFileSync(join(TOPOLOGIES, f), 'utf8'))),
  mutate: (seed, rand) => octetsOf(mutateText(textOf(seed), rand)),
  setup() {
    // The loader loads yaml and compiles its schemas on first use (the node configuration's for a link's static
    // SAs): that is no input's cost. Each shipped topology once, before counting.
    for (const f of readdirSync(TOPOLOGIES).filter((x) => x.endsWith('.yaml'))) parseTopology(readFileSync(join(TOPOLOGIES, f), 'utf8'), f);
    return {
      feed(input) {
        try {
          parseTopology(textOf(input), 'fuzz.yaml');
          return 'accepted';
        } catch (e) {
          if (!(e instanceof LabError)) throw e;
          if (!NAMES_TOPOLOGY_PLACE.test(e.message)) throw new Error(`a refusal that does not name the file and line: ${e.message}`);
          return `refused ${e.code}`;
        }
      },
    };
  },
};

const KEY = { ckn: 'aa'.repeat(32), cak: 'bb'.repeat(32) };
const NODE_CONFIGS: unknown[] = [
  {
    name: 'rt',
    kind: 'router',
    controlSocket: '/run/dxlab/fuzz/rt.sock',
    captureDir: '/run/dxlab/fuzz/pcaps',
    logLevel: 'info',
    ports: [
      {
        name: 'eth1',
        wire: 'dxl-1a',
        taps: [{ name: 'dxt-r0', vlan: 100, mtu: 1500, mac: '02:00:00:00:00:01', addresses: ['169.254.100.2/30', 'fd00::2/64'], bgp: { speaker: 'builtin', localAsn: 65000, peerAsn: 64512, peerAddress: '169.254.100.1', localAddress: '169.254.100.2', holdTimeS: 90, keepaliveS: 30, md5Key: 'secret', prefixes: ['10.0.0.0/16'], passive: false } }],
        macsec: { mode: 'should_encrypt', cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'], keyChain: [KEY], keyServerPriority: 32, helloTimeMs: 2000, lifeTimeMs: 6000, includeSci: true, replayWindow: 0, confidentialityOffset: 0, clearTextEtherTypes: [0x88cc] },
        capture: { wire: true, clear: true, decrypted: true, keys: true },
      },
    ],
  },
  { name: 'dx', kind: 'dx-device', controlSocket: '/run/dxlab/fuzz/dx.sock', ports: [{ name: 'eth1', wire: 'dxl-1b', taps: [{ name: 'dxt-d0', vlan: 100, addresses: ['169.254.100.1/30'] }], macsec: { mode: 'must_encrypt', keyChain: [KEY], keyServerPriority: 16 } }] },
  { name: 'sw', kind: 'switch', controlSocket: '/run/dxlab/fuzz/sw.sock', ports: [{ name: 'eth1', wire: 'dxl-1a' }, { name: 'eth2', wire: 'dxl-2a', macsec: { keyChain: [KEY] } }] },
];

export const nodeConfigTarget: FuzzTarget = {
  name: 'node-config',
  about: 'node configurations (YAML or JSON) through the node config loader',
  seeds: () => NODE_CONFIGS.map((c) => octetsOf(JSON.stringify(c, null, 2))),
  mutate: (seed, rand) => octetsOf(mutateText(textOf(seed), rand)),
  setup() {
    // The loader compiles its schema on first use: that is no input's cost.
    resolveNodeConfig(NODE_CONFIGS[0], 'warm-up.json');
    return {
      feed(input) {
        let doc: unknown;
        try {
          // As the node's loader parses it; yaml's warnings (odd tags, collection keys) would only fill the test log.
          doc = parseYaml(textOf(input), { logLevel: 'error' });
        } catch {
          // The node's loader refuses it as `not YAML or JSON`, naming the file.
          return 'refused yaml';
        }
        try {
          resolveNodeConfig(doc, 'fuzz.json');
          return 'accepted';
        } catch (e) {
          if (!(e instanceof NodeError)) throw e;
          if (!e.message.startsWith('fuzz.json: ')) throw new Error(`a refusal that does not name the file: ${e.message}`);
          return `refused ${e.code}`;
        }
      },
    };
  },
};
