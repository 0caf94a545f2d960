/**
 * Kubernetes manifests of a lab (`dxlab k8s TOPOLOGY`): pure, a topology in,
 * plain objects out (write.ts writes them as YAML).
 *
 * - A Namespace per lab, `dxlab-<lab>`, labelled for the Pod Security
 *   "privileged" level: the baseline level forbids both NET_ADMIN and
 *   hostPath volumes (kubernetes.io/docs/concepts/security/pod-security-standards/).
 * - Per node a Pod named after the node, from the node image
 *   (docker/node-image.ts) running `dxlab node --config`, with NET_ADMIN and
 *   NET_RAW only and /dev/net/tun; its node configuration, the one `dxlab up`
 *   writes (lab.ts nodeConfig: MKA, VIFs, BGP), in a ConfigMap; its keys (the
 *   links' key files, a BGP TCP MD5 password) in a Secret mounted as files the
 *   configuration names (`keyFile`, `md5KeyFile`), never inline.
 * - Per node a meshnet-cni `Topology` (networkop.co.uk/v1beta1, named after
 *   its pod) listing its links: uid, peer_pod, local_intf, peer_intf
 *   (networkop/meshnet-cni api/types/v1beta1/topology.go and
 *   manifests/base/crd.yaml, commit d7c306c6). meshnet wires each as a veth
 *   pair between pods on one host, VXLAN between hosts, no bridge in the
 *   path, so EAPOL and LACP pass. No local_ip/peer_ip: a dxlab wire carries
 *   MACsec only; the addresses are on the node's TAPs.
 *
 * /dev/net/tun comes from a hostPath volume of type CharDevice, not a device
 * plugin: it needs nothing installed on the cluster beyond meshnet, and a
 * pod with NET_ADMIN is privileged-level anyway. A hostPath adds no device
 * cgroup rule: a non-privileged container may open the tun device (c 10:200)
 * because runc allows it in every container by default (libcontainer's
 * default device rules since runc's first commit; removed in runc 1.2.0 by
 * opencontainers/runc#3468 and put back in 1.2.4 by #4555/#4556, because
 * Kubernetes gives no easy way to add a device rule). With runc 1.2.0 to
 * 1.2.3, or crun (which dropped it, containers/crun#916), a device plugin
 * that hands out /dev/net/tun is needed instead.
 *
 * meshnet adds a pod's interfaces when its peer pod starts, possibly after
 * the pod's own containers: each pod first runs an init container (as
 * meshnet's README asks of every pod, its `init-wait`) from the same image
 * that waits for every wire and sets its MTU to what `up` gives a veth
 * (the VIF's MTU plus MACsec's 32 octets): meshnet's links have no MTU field.
 */
import { BASE_MTU, WIRE_EXTRA } from '../constants.js';
import { LabError } from '../errors.js';
import { nodeKind } from '../kinds/index.js';
import { inPathSegments, nodeConfig, type LabNodeState, type LabState } from '../lab.js';
import { checkLabName } from '../paths.js';
import { IMAGE_NODE_BIN, IMAGE_PROJECT_DIR, imageCannotRun } from '../docker/node-image.js';
import { NODE_PROCESS_FLAGS } from '../host.js';
import { serializeKeyFile } from '../../shared/key-file.js';
import type { Topology } from '../topology.js';

export const MESHNET_API_VERSION = 'networkop.co.uk/v1beta1';
/** Where a pod's files are (k8s/write.ts and the pod's volume mounts agree). */
export const POD_CONFIG_DIR = '/etc/dxlab/config';
export const POD_CONFIG_FILE = `${POD_CONFIG_DIR}/node.json`;
export const POD_KEY_DIR = '/etc/dxlab/keys';
export const POD_RUN_DIR = '/run/dxlab';
export const POD_CAPTURE_DIR = '/var/lib/dxlab/pcaps';
/** A pod's own interfaces: the cluster network's and the loopback; a wire may not take their names. */
const POD_OWN_INTERFACES = ['eth0', 'lo'];
/** The runtimes whose nodes are a process a container can run (a linux-peer is a VM). */
const POD_RUNTIMES = ['netns-process', 'docker'];
/** Link types whose wire is one veth (links/veth.ts, links/lag.ts, a LAG member): meshnet makes that wire. */
const MESHNET_WIRED_TYPES = ['veth', 'lag'];
/** DNS-1123 label (RFC 1123 as Kubernetes names objects): namespace, pod, ConfigMap and Secret names. */
const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** An image reference the generator writes as given (registry/path:tag or @digest), no spaces or shell characters. */
const IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;

/** One Kubernetes object, as it is applied. */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** The manifests, in files as write.ts writes them (apply order by name); `secret` files hold keys (mode 0600). */
export interface K8sManifests {
  namespace: string;
  files: Array<{ name: string; secret: boolean; objects: K8sObject[] }>;
}

export interface K8sOptions {
  /** The node image (`dxlab image build node` prints it); the cluster's nodes must have it (no registry). */
  image: string;
}

/** @throws LabError('badName') naming `what` unless `name` is a DNS-1123 label of at most 63 characters. */
export function checkDns1123Label(name: string, what: string): void {
  if (name.length > 63 || !DNS1123_LABEL_RE.test(name)) throw new LabError('badName', `${what} '${name}' is not a DNS-1123 label (1 to 63 lower-case letters, digits and dashes, starting and ending with a letter or digit), as Kubernetes names need`);
}

/** The script of a pod's init container: waits for each wire `NAME=MTU` (meshnet adds it), then sets its MTU. */
const WAIT_FOR_WIRES = [
  "const fs = require('fs'), { execFileSync } = require('child_process');",
  "const wires = process.argv.slice(1).map((a) => a.split('='));",
  "const tick = () => { if (!wires.every(([n]) => fs.existsSync('/sys/class/net/' + n))) return setTimeout(tick, 250);",
  "  for (const [n, mtu] of wires) execFileSync('ip', ['link', 'set', 'dev', n, 'mtu', mtu]); };",
  'tick();',
].join('\n');

/**
 * The manifests of `topo` as lab `lab`.
 * @throws LabError('badName') for a lab name that is not a DNS-1123 label,
 *   'topology' for what a pod cannot run (a VM node, static SAs, a wire
 *   named like a pod's own interface), naming the node or link.
 */
export function k8sManifests(topo: Topology, lab: string, o: K8sOptions): K8sManifests {
  checkLabName(lab);
  checkDns1123Label(lab, 'lab name');
  if (!IMAGE_RE.test(o.image)) throw new LabError('badName', `image '${o.image}' is not an image reference`);
  const namespace = `dxlab-${lab}`;
  checkDns1123Label(namespace, 'namespace');
  for (const n of topo.nodes) {
    checkDns1123Label(n.name, `node name`);
    const runtime = n.runtime ?? nodeKind(n.kind).runtime;
    if (runtime && !POD_RUNTIMES.includes(runtime)) throw new LabError('topology', `node ${n.name}: a ${n.kind} runs in the ${runtime} runtime (a virtual machine), which cannot run in a pod; dxlab k8s takes nodes that run as a process (${POD_RUNTIMES.join(', ')})`);
    const why = imageCannotRun(topo, n.name);
    if (why) throw new LabError('topology', why);
  }
  for (const l of topo.links) {
    const what = `link ${l.index + 1} (${l.a.node}:${l.a.port} -- ${l.b.node}:${l.b.port})`;
    if (l.macsec?.staticSas) throw new LabError('topology', `${what}: static SAs put their keys in the node configuration and name each peer's wire MAC before it exists; dxlab k8s takes links keyed by MKA (a key chain)`);
    if (l.type !== undefined && !MESHNET_WIRED_TYPES.includes(l.type)) throw new LabError('topology', `${what}: type ${l.type}; in Kubernetes meshnet wires every link (a veth on one host, VXLAN between hosts)`);
    for (const e of [l.a, l.b]) if (POD_OWN_INTERFACES.includes(e.port)) throw new LabError('topology', `${what}: port ${e.node}:${e.port} has the name of a pod's own interface (${POD_OWN_INTERFACES.join(', ')}); rename the port`);
  }
  const labels = (node?: string) => ({ 'dxlab.lab': lab, ...(node ? { 'dxlab.node': node } : {}) });
  const meta = (name: string, node?: string) => ({ name, namespace, labels: labels(node) });

  // Each node's wires as meshnet names them in its pod: the port's own name (in-path nodes: eth1, eth2).
  const nodes: LabNodeState[] = topo.nodes.map((n) => ({ name: n.name, kind: n.kind, netns: '', pid: 0, socket: `${POD_RUN_DIR}/${n.name}.sock`, config: POD_CONFIG_FILE, log: '', wires: {}, taps: [] }));
  const node = (name: string) => nodes.find((n) => n.name === name)!;
  const meshnetLinks = new Map<string, Array<Record<string, unknown>>>(topo.nodes.map((n) => [n.name, []]));
  const mtuOf = new Map<string, Map<string, number>>(topo.nodes.map((n) => [n.name, new Map()]));
  let uid = 0;
  for (const l of topo.links) {
    const mtu = l.mtu ?? Math.max(BASE_MTU, ...topo.vifs.map((v) => v.mtu)) + WIRE_EXTRA;
    for (const seg of inPathSegments(lab, l)) {
      uid += 1;
      const [x, y] = seg.ends;
      for (const [me, peer] of [[x, y], [y, x]] as const) {
        node(me.node).wires[me.port] = me.port;
        mtuOf.get(me.node)!.set(me.port, mtu);
        meshnetLinks.get(me.node)!.push({ uid, peer_pod: peer.node, local_intf: me.port, peer_intf: peer.port });
      }
    }
  }

  // Key files as `up` writes them (one per distinct key chain), here as entries of each node's Secret.
  const keyFiles = new Map<string, { file: string; text: string }>();
  const keyFileOf = new Map<number, string>();
  for (const l of topo.links) {
    if (!l.macsec || l.macsec.staticSas) continue;
    const chain = l.macsec.keyChain.map((k) => ({ ckn: k.ckn.toLowerCase(), cak: k.cak.toLowerCase() }));
    const id = JSON.stringify(chain);
    if (!keyFiles.has(id)) keyFiles.set(id, { file: keyFiles.size ? `keys${keyFiles.size + 1}.json` : 'keys.json', text: serializeKeyFile({ version: 1, cas: chain, saks: [] }) });
    keyFileOf.set(l.index, `${POD_KEY_DIR}/${keyFiles.get(id)!.file}`);
  }
  const caks = topo.links.flatMap((l) => l.macsec?.keyChain.map((k) => k.cak.toLowerCase()) ?? []).filter(Boolean);

  const state = { captureDir: POD_CAPTURE_DIR, nodes } as unknown as LabState;
  const configMaps: K8sObject[] = [];
  const secretObjects: K8sObject[] = [];
  const pods: K8sObject[] = [];
  const topologies: K8sObject[] = [];
  for (const n of nodes) {
    const config = nodeConfig(topo, lab, n, state, keyFileOf, {});
    // The Secret's entries: the key files this node's ports name, and each TCP MD5 password as a file (md5KeyFile).
    const entries = new Map<string, string>();
    const md5Files = new Map<string, string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o.keyFile === 'string') {
        const k = [...keyFiles.values()].find((f) => `${POD_KEY_DIR}/${f.file}` === o.keyFile)!;
        entries.set(k.file, k.text);
      }
      if (typeof o.md5Key === 'string') {
        const key = o.md5Key;
        if (!md5Files.has(key)) md5Files.set(key, md5Files.size ? `bgp-md5-${md5Files.size + 1}` : 'bgp-md5');
        entries.set(md5Files.get(key)!, key);
        delete o.md5Key;
        o.md5KeyFile = `${POD_KEY_DIR}/${md5Files.get(key)}`;
      }
      Object.values(o).forEach(walk);
    };
    walk(config);
    const configText = JSON.stringify(config, null, 2) + '\n';
    // The promise this module makes: no key in a ConfigMap (every md5Key became an md5KeyFile above). A CAK that got here is a bug, not a topology error.
    for (const s of caks) if (configText.toLowerCase().includes(s)) throw new LabError('topology', `node ${n.name}: a key reached its configuration; nothing written`);
    configMaps.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${n.name}-config`, n.name), data: { 'node.json': configText } });
    if (entries.size) {
      secretObjects.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta(`${n.name}-keys`, n.name), type: 'Opaque', data: Object.fromEntries([...entries].map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    }
    topologies.push({ apiVersion: MESHNET_API_VERSION, kind: 'Topology', metadata: meta(n.name, n.name), spec: { links: meshnetLinks.get(n.name)! } });
    const wires = Object.keys(n.wires).map((w) => `${w}=${mtuOf.get(n.name)!.get(w)}`);
    const netCaps = { capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] }, allowPrivilegeEscalation: false, privileged: false };
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(n.name, n.name),
      spec: {
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 10,
        initContainers: [
          // NET_ADMIN for the MTU only; it exits before the node starts.
          { name: 'wait-for-wires', image: o.image, imagePullPolicy: 'IfNotPresent', command: [IMAGE_NODE_BIN, '-e', WAIT_FOR_WIRES], args: wires, securityContext: { ...netCaps, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } },
        ],
        containers: [
          {
            name: 'node',
            image: o.image,
            imagePullPolicy: 'IfNotPresent',
            command: [IMAGE_NODE_BIN, ...NODE_PROCESS_FLAGS, `${IMAGE_PROJECT_DIR}/bin/dxlab.js`],
            args: ['node', '--config', POD_CONFIG_FILE],
            securityContext: netCaps,
            volumeMounts: [
              { name: 'config', mountPath: POD_CONFIG_DIR, readOnly: true },
              ...(entries.size ? [{ name: 'keys', mountPath: POD_KEY_DIR, readOnly: true }] : []),
              { name: 'dev-net-tun', mountPath: '/dev/net/tun' },
              { name: 'run', mountPath: POD_RUN_DIR },
              { name: 'pcaps', mountPath: POD_CAPTURE_DIR },
            ],
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: `${n.name}-config`, defaultMode: 0o444 } },
          ...(entries.size ? [{ name: 'keys', secret: { secretName: `${n.name}-keys`, defaultMode: 0o400 } }] : []),
          { name: 'dev-net-tun', hostPath: { path: '/dev/net/tun', type: 'CharDevice' } },
          { name: 'run', emptyDir: {} },
          { name: 'pcaps', emptyDir: {} },
        ],
      },
    });
  }
  const ns: K8sObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { ...labels(), 'pod-security.kubernetes.io/enforce': 'privileged' } },
  };
  return {
    namespace,
    files: [
      { name: '00-namespace.yaml', secret: false, objects: [ns] },
      // meshnet reads a pod's Topology when the pod's network is set up: before the pods.
      { name: '10-meshnet-topology.yaml', secret: false, objects: topologies },
      { name: '20-configmaps.yaml', secret: false, objects: configMaps },
      ...(secretObjects.length ? [{ name: '21-secrets.yaml', secret: true, objects: secretObjects }] : []),
      { name: '30-pods.yaml', secret: false, objects: pods },
    ],
  };
}
