/**
 * The node image carries no BIRD: a node whose VIF runs BGP with
 * `speaker: bird` is refused, naming the node and the VIF, by everything
 * that would run it in a container (dxlab compose, dxlab k8s, dxlab up with
 * the docker runtime), before anything is made; the builtin speaker is taken.
 */
import { describe, expect, it } from 'vitest';
import { composeFiles, composeImageTag, k8sManifests, labUp, parseTopology } from '../../../src/lab/index.js';
import { routerDxText } from '../../helpers/topology-error.js';

const withBird = (speaker: string) =>
  `${routerDxText()}  vifs:\n    - { name: v, vlan: 7, endpoints: [r:eth1, d:eth1], ipv4: [169.254.0.1/30, 169.254.0.2/30], bgp: { customerAsn: 65000, speaker: { r: ${speaker} } } }\n`;

describe('a BIRD speaker in a container', () => {
  it('the topology helper gives a VIF whose router end can be set to bird', () => {
    expect(parseTopology(withBird('bird'), 'x.yaml').vifs[0]!.bgp!.speaker).toEqual({ r: 'bird' });
  });
  it('dxlab compose and dxlab k8s refuse it, naming node and VIF; the builtin speaker is taken', () => {
    const bird = parseTopology(withBird('bird'), 'x.yaml');
    const o = { image: composeImageTag(), configDir: 'compose/x', captureDir: 'pcaps/x', madeBy: 'test' };
    expect(() => composeFiles(bird, o)).toThrow(/node r: VIF \S+ runs BGP with BIRD .*not carry/);
    expect(() => k8sManifests(bird, 'x', { image: 'dxlab-node:1' })).toThrow(/node r: VIF \S+ runs BGP with BIRD/);
    const builtin = parseTopology(withBird('builtin'), 'x.yaml');
    expect(() => composeFiles(builtin, o)).not.toThrow();
    expect(() => k8sManifests(builtin, 'x', { image: 'dxlab-node:1' })).not.toThrow();
  });
  it('dxlab up with the docker runtime refuses it before anything exists', async () => {
    const t = parseTopology(withBird('bird'), 'x.yaml');
    const docker = { ...t, nodes: t.nodes.map((n) => ({ ...n, runtime: 'docker' })) };
    await expect(labUp(docker, `bird${process.pid % 10000}`)).rejects.toThrow(/x\.yaml: node r: VIF \S+ runs BGP with BIRD/);
  });
});
