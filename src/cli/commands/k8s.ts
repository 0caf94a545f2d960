/**
 * `dxlab k8s TOPOLOGY [--out DIR]`: the lab as Kubernetes manifests
 * (src/lab/k8s/): a namespace, per node a pod from the node image, its
 * configuration as a ConfigMap and its keys as a Secret, and the links as
 * meshnet-cni Topology resources; `kubectl apply -f DIR` applies them.
 */
import type { Argv } from 'yargs';
import { LabError, k8sManifests, loadTopology, nodeImageTag, writeK8sManifests } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { topologyPath, wrap } from '../lab-context.js';
import { note, printLine } from '../output.js';

export function k8sCommand(y: Argv): Argv {
  return y.command(
    'k8s [topology]',
    'write the lab as Kubernetes manifests (pods, ConfigMaps, Secrets, meshnet-cni Topology links) into --out DIR',
    (c) =>
      c
        .positional('topology', { type: 'string', describe: 'topology file (default: the one *.yaml here)' })
        .option('topo', { alias: 't', type: 'string', describe: 'topology file (same as the positional)' })
        .option('name', { type: 'string', describe: "lab name, its namespace dxlab-NAME (default: the topology's name)" })
        .option('out', { type: 'string', describe: 'the folder the manifests go to (default: k8s/NAME here); a path with .. is refused' })
        .option('image', { type: 'string', describe: "the node image (default: this checkout's, as dxlab image build node tags it)" }),
    (a) => {
      const topo = (() => {
        try {
          return loadTopology(topologyPath(a));
        } catch (e) {
          return wrap(e);
        }
      })();
      const lab = a.name ?? topo.name;
      try {
        const m = k8sManifests(topo, lab, { image: a.image ?? nodeImageTag() });
        const files = writeK8sManifests(m, a.out ?? `k8s/${lab}`);
        for (const f of files) printLine(f);
        note(`namespace ${m.namespace}: kubectl apply -f ${a.out ?? `k8s/${lab}`} (meshnet-cni installed, the node image on the cluster's nodes)`);
      } catch (e) {
        if (e instanceof LabError && e.code === 'unsafePath') throw new CliError('usage', e.message, { cause: e });
        wrap(e);
      }
    },
  );
}
