/**
 * `dxlab k8s`: the manifests of every shipped topology a pod can run,
 * validated as a cluster would take them: Namespace, ConfigMap, Secret and
 * Pod against the Kubernetes API schemas (the kubernetes-models package,
 * its validate()), each meshnet Topology against meshnet-cni's CRD schema
 * (test/vectors/meshnet/, with ajv), each node configuration against the
 * node's own schema. No key outside a Secret; bad names and --out paths
 * refused with nothing written.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Pod, Secret } from 'kubernetes-models/v1';
import { LabError, checkOutDir, k8sManifests, loadTopology, parseTopology, writeK8sManifests, type K8sObject, type Topology } from '../../../src/lab/index.js';
import { dxlab, ROOT } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const require = createRequire(import.meta.url);
const Ajv = (require('ajv') as typeof import('ajv')).Ajv;
const ajv = new Ajv({ allErrors: true, strict: false, formats: { int64: true } });
const CRD_SCHEMA = JSON.parse(readFileSync(join(ROOT, 'test/vectors/meshnet/topology-crd.schema.json'), 'utf8')) as Record<string, unknown>;
const validateTopologyCr = ajv.compile(CRD_SCHEMA);
const validateNodeConfig = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'src/node/config.schema.json'), 'utf8')) as object);
const IMAGE = 'dxlab-node:0.1.0-0123456789ab';
const tmp = tempDir('dxlab-k8s-unit-');

/** Fields of `obj` the schema does not name: a structural CRD schema prunes them silently, so each would be a mistake of ours. */
function unknownFields(schema: any, obj: unknown, at = ''): string[] {
  if (Array.isArray(obj)) return obj.flatMap((x, i) => unknownFields(schema?.items, x, `${at}/${i}`));
  if (!obj || typeof obj !== 'object' || !schema?.properties) return [];
  return Object.entries(obj).flatMap(([k, v]) => (k in schema.properties ? unknownFields(schema.properties[k], v, `${at}/${k}`) : [`${at}/${k}`]));
}

/** Validates one object as the API server would (kubernetes-models), or as meshnet's CRD. @throws what is wrong. */
function validate(o: K8sObject): void {
  switch (o.kind) {
    case 'Namespace':
      return new Namespace(o as any).validate();
    case 'ConfigMap':
      return new ConfigMap(o as any).validate();
    case 'Secret':
      return new Secret(o as any).validate();
    case 'Pod':
      return new Pod(o as any).validate();
    case 'Topology': {
      expect(o.apiVersion).toBe('networkop.co.uk/v1beta1');
      const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = o;
      if (!validateTopologyCr(rest)) throw new Error(`Topology ${o.metadata.name}: ${ajv.errorsText(validateTopologyCr.errors)}`);
      expect(unknownFields(CRD_SCHEMA, rest)).toEqual([]);
      return;
    }
    default:
      throw new Error(`unexpected kind ${o.kind}`);
  }
}

const topologies = readdirSync(join(ROOT, 'topologies')).filter((f) => f.endsWith('.yaml'));
const objects = (m: ReturnType<typeof k8sManifests>) => m.files.flatMap((f) => f.objects);
const caksOf = (t: Topology) => t.links.flatMap((l) => l.macsec?.keyChain.map((k) => k.cak.toLowerCase()) ?? []);
const md5Of = (t: Topology) => t.vifs.flatMap((v) => (v.bgp?.md5Key ? [v.bgp.md5Key] : []));

describe('dxlab k8s manifests', () => {
  const refused: Record<string, RegExp> = {
    'linux-peer-dx.yaml': /node peer: a linux-peer runs in the qemu-vm runtime \(a virtual machine\), which cannot run in a pod/,
    'linux-peer-static.yaml': /node peer: a linux-peer runs in the qemu-vm runtime/,
    'static-sas.yaml': /link 1 \(.*\): static SAs put their keys in the node configuration/,
  };

  it.each(topologies)('%s: every object valid against the Kubernetes API schemas and meshnet\'s CRD, or refused by name', (file) => {
    const t = loadTopology(join(ROOT, 'topologies', file));
    if (refused[file]) {
      expect(() => k8sManifests(t, 'k8sunit', { image: IMAGE })).toThrow(refused[file]);
      return;
    }
    const m = k8sManifests(t, 'k8sunit', { image: IMAGE });
    expect(m.namespace).toBe('dxlab-k8sunit');
    const all = objects(m);
    for (const o of all) {
      validate(o);
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('dxlab-k8sunit');
    }
    const pods = all.filter((o) => o.kind === 'Pod');
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(t.nodes.map((n) => n.name).sort());
    // The node configurations: the node's own schema takes them; they name key files, never hold a key.
    for (const cm of all.filter((o) => o.kind === 'ConfigMap')) {
      const config = JSON.parse((cm.data as Record<string, string>)['node.json']!) as unknown;
      expect(validateNodeConfig(config), ajv.errorsText(validateNodeConfig.errors)).toBe(true);
    }
    for (const f of m.files.filter((x) => !x.secret)) {
      const text = JSON.stringify(f.objects).toLowerCase();
      for (const k of [...caksOf(t), ...md5Of(t).map((x) => x.toLowerCase())]) expect(text).not.toContain(k);
    }
    // meshnet's links, one per wire: each seen from both pods under one uid, ends swapped.
    const links = all.filter((o) => o.kind === 'Topology').flatMap((o) => ((o.spec as any).links as any[]).map((l) => ({ pod: o.metadata.name, ...l })));
    for (const l of links) {
      const back = links.filter((x) => x.uid === l.uid && x.pod === l.peer_pod);
      expect(back).toEqual([{ pod: l.peer_pod, uid: l.uid, peer_pod: l.pod, local_intf: l.peer_intf, peer_intf: l.local_intf }]);
    }
  });

  it('the validators are live: a pod, a Secret and a meshnet Topology with a wrong field are refused', () => {
    const all = objects(k8sManifests(loadTopology(join(ROOT, 'topologies/router-dx.yaml')), 'k8sunit', { image: IMAGE }));
    const copy = <T>(o: T): any => JSON.parse(JSON.stringify(o));
    const pod = copy(all.find((o) => o.kind === 'Pod'));
    pod.spec.containers[0].securityContext.capabilities.add = 'NET_ADMIN';
    expect(() => validate(pod)).toThrow(/capabilities\/add must be array/);
    const secret = copy(all.find((o) => o.kind === 'Secret'));
    secret.data = 'keys';
    expect(() => validate(secret)).toThrow(/data must be object/);
    const topo = copy(all.find((o) => o.kind === 'Topology'));
    delete topo.spec.links[0].peer_intf;
    expect(() => validate(topo)).toThrow(/must have required property 'peer_intf'/);
    topo.spec.links[0].peer_intf = 'eth1';
    topo.spec.links[0].peerIntf = 'eth1';
    expect(() => validate(topo)).toThrow();
  });

  it('router-dx.yaml: the pod runs dxlab node with NET_ADMIN and NET_RAW only, /dev/net/tun from the host, config and keys as mounted files', () => {
    const t = loadTopology(join(ROOT, 'topologies/router-dx.yaml'));
    const all = objects(k8sManifests(t, 'k8sunit', { image: IMAGE }));
    const pod = all.find((o) => o.kind === 'Pod' && o.metadata.name === 'router')! as any;
    const node = pod.spec.containers[0];
    expect(node.image).toBe(IMAGE);
    expect([...node.command, ...node.args].join(' ')).toMatch(/^\/usr\/local\/bin\/node .*\/opt\/dxlab\/bin\/dxlab\.js node --config \/etc\/dxlab\/config\/node\.json$/);
    expect(node.securityContext).toEqual({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] }, allowPrivilegeEscalation: false, privileged: false });
    expect(pod.spec.volumes.find((v: any) => v.name === 'dev-net-tun').hostPath).toEqual({ path: '/dev/net/tun', type: 'CharDevice' });
    expect(pod.spec.volumes.find((v: any) => v.name === 'keys').secret).toEqual({ secretName: 'router-keys', defaultMode: 0o400 });
    // Every mount names a volume of the pod.
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) for (const vm of c.volumeMounts ?? []) expect(pod.spec.volumes.map((v: any) => v.name)).toContain(vm.name);
    // The init container waits for the wire meshnet adds and gives it `up`'s MTU (1500 + MACsec and a VLAN tag).
    expect(pod.spec.initContainers[0].args).toEqual(['eth1=1536']);
    const config = JSON.parse(all.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'router-config')!.data!['node.json' as never]);
    const port = config.ports[0];
    expect(port.wire).toBe('eth1');
    expect(port.macsec).toMatchObject({ mode: 'should_encrypt', keyFile: '/etc/dxlab/keys/keys.json', keyServerPriority: 32 });
    const bgp = port.taps[0].bgp;
    expect(bgp.map((b: any) => [b.localAsn, b.peerAsn, b.md5KeyFile, b.md5Key])).toEqual([
      [65000, 64512, '/etc/dxlab/keys/bgp-md5', undefined],
      [65000, 64512, '/etc/dxlab/keys/bgp-md5', undefined],
    ]);
    const secret = all.find((o) => o.kind === 'Secret' && o.metadata.name === 'router-keys')! as any;
    const keys = JSON.parse(Buffer.from(secret.data['keys.json'], 'base64').toString());
    expect(keys.cas).toEqual([{ ckn: t.links[0]!.macsec!.keyChain[0]!.ckn, cak: t.links[0]!.macsec!.keyChain[0]!.cak }]);
    expect(Buffer.from(secret.data['bgp-md5'], 'base64').toString()).toBe('dxlab-lab-md5');
  });

  it('refuses lab names that are not DNS-1123 labels, a bad image, and a wire named eth0, naming each', () => {
    const t = loadTopology(join(ROOT, 'topologies/router-dx.yaml'));
    for (const bad of ['Lab', 'lab-', 'a_b', '../etc/passwd', '', 'x'.repeat(64)]) {
      expect(() => k8sManifests(t, bad, { image: IMAGE }), bad).toThrow(LabError);
      try {
        k8sManifests(t, bad, { image: IMAGE });
      } catch (e) {
        expect((e as LabError).code).toBe('badName');
        expect((e as LabError).message).toContain(`'${bad}'`);
      }
    }
    expect(() => k8sManifests(t, 'ok', { image: 'x; rm -rf /' })).toThrow(/image 'x; rm -rf \/' is not an image reference/);
    const eth0 = parseTopology(readFileSync(join(ROOT, 'topologies/router-dx.yaml'), 'utf8').replaceAll('router:eth1', 'router:eth0'), 'eth0.yaml');
    expect(() => k8sManifests(eth0, 'ok', { image: IMAGE })).toThrow(/port router:eth0 has the name of a pod's own interface/);
  });

  it('writes the files into --out (the Secrets 0600), and refuses .., a symbolic link or a file as --out with nothing written', () => {
    const m = k8sManifests(loadTopology(join(ROOT, 'topologies/router-dx.yaml')), 'k8sunit', { image: IMAGE });
    const out = join(tmp, 'out');
    const files = writeK8sManifests(m, out);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['00-namespace.yaml', '10-meshnet-topology.yaml', '20-configmaps.yaml', '21-secrets.yaml', '30-pods.yaml']);
    for (const f of files) expect(statSync(f).mode & 0o777, f).toBe(f.endsWith('secrets.yaml') ? 0o600 : 0o644);
    // Read back as YAML: the same objects.
    const back = files.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()));
    expect(back).toEqual(objects(m));

    const link = join(tmp, 'link');
    symlinkSync('/etc', link);
    const file = join(tmp, 'file');
    writeFileSync(file, '');
    for (const [dir, why] of [['../etc/passwd', /'\.\.' is refused/], [`${tmp}/x/../../etc`, /'\.\.' is refused/], [link, /symbolic link/], [file, /not a folder/], ['', /give a folder/]] as const) {
      expect(() => writeK8sManifests(m, dir), dir).toThrow(why);
      expect(() => checkOutDir(dir)).toThrow(LabError);
    }
    expect(existsSync(join(tmp, 'x'))).toBe(false);
    expect(readdirSync(tmp).sort()).toEqual(['file', 'link', 'out']);
    // A generated file's name taken by a symbolic link in --out: refused before any file is written.
    const out2 = join(tmp, 'out2');
    mkdirSync(out2);
    symlinkSync('/etc/passwd', join(out2, '30-pods.yaml'));
    expect(() => writeK8sManifests(m, out2)).toThrow(/30-pods\.yaml exists and is not a plain file/);
    expect(readdirSync(out2)).toEqual(['30-pods.yaml']);
  });

  it('dxlab k8s on the command line: usage errors (exit 2) for a bad name and an --out with ..; the files with --image', () => {
    const bad = dxlab('k8s', 'topologies/router-dx.yaml', '--name', 'Bad_Name', '--image', IMAGE, '--out', join(tmp, 'cli'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/lab name 'Bad_Name'/);
    const up = dxlab('k8s', 'topologies/router-dx.yaml', '--image', IMAGE, '--out', '../../etc/passwd');
    expect(up.status).toBe(2);
    expect(up.stderr).toMatch(/--out \.\.\/\.\.\/etc\/passwd: a path with '\.\.' is refused/);
    const linuxPeer = dxlab('k8s', 'topologies/linux-peer-dx.yaml', '--image', IMAGE, '--out', join(tmp, 'cli'));
    expect(linuxPeer.status).toBe(2);
    expect(linuxPeer.stderr).toMatch(/node peer: a linux-peer runs in the qemu-vm runtime/);
    expect(existsSync(join(tmp, 'cli'))).toBe(false);
    const ok = dxlab('k8s', 'topologies/router-dx.yaml', '--name', 'k8scli', '--image', IMAGE, '--out', join(tmp, 'cli'));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(5);
    expect(ok.stderr).toContain('kubectl apply -f');
    expect(ok.stdout + ok.stderr).not.toContain('8899aabbccddeeff');
  });
});
