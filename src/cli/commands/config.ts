/**
 * `dxlab config NODE PORT --vendor cisco-iosxe|cisco-iosxr|junos|eos
 * [--show-keys]`: the MACsec configuration a real customer router needs to
 * match a lab port as it runs now (src/scenario/vendor-config.ts), for an
 * engineer rehearsing a cut-over. The port's live knobs and key chain come
 * from the node; CAKs from the lab's root-only key files, and only with
 * --show-keys.
 */
import type { Argv } from 'yargs';
import { readFileSync } from 'node:fs';
import { KEY_SERVER_PRIORITY, readLabTopology } from '../../lab/index.js';
import { parseKeyFile } from '../../shared/key-file.js';
import { VENDORS, renderVendorConfig, type PortMacsecView, type Vendor } from '../../scenario/index.js';
import { CliError } from '../errors.js';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

interface PortStatus {
  mode: PortMacsecView['mode'];
  sci: string;
  keyChain: Array<{ ckn: string; inUse: boolean }>;
  knobs?: Record<string, unknown>;
  /** 'staticSas' on a port keyed by hand (MacsecPort.status). */
  keying?: 'mka' | 'staticSas';
}

export function configCommand(y: Argv): Argv {
  return y.command(
    'config <node> <port>',
    "the MACsec configuration a real router needs to match a lab port, in a vendor's words (not tested against real routers)",
    (c) =>
      nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }))
        .option('vendor', { choices: VENDORS, demandOption: true, describe: 'whose configuration language' })
        .option('show-keys', { type: 'boolean', default: false, describe: "print the CAKs (from the lab's root-only key files); without it a placeholder says how" })
        .option('json', { type: 'boolean', default: false, describe: 'the settings the text is made from (CAKs only with --show-keys)' }),
    async (a) => {
      const s = labState(a);
      const n = nodeOf(s, String(a.node));
      const port = String(a.port);
      const topo = readLabTopology(s.lab);
      // A LAG's name: its MACsec is one configuration applied to every member (as AWS applies a LAG's
      // mode and keys), so the first member's settings stand for the LAG, with every member's SCI.
      const lag = topo?.lags?.find((l) => l.name === port && l.nodes.includes(n.name));
      const members = lag?.ports[n.name] ?? [];
      const statusPort = members[0] ?? port;
      const st = (await ask(n.socket, { cmd: 'status', port: statusPort }, n.name)) as PortStatus;
      if (!st.knobs || st.mode === undefined) throw new CliError('usage', `${n.name} ${port} is not a MACsec port`);
      // A vendor's MKA configuration does not describe hand-keyed SAs: say so rather than print an empty key chain.
      if (st.keying === 'staticSas') throw new CliError('usage', `${n.name} ${port} runs static SAs (macsec.staticSas), not MKA: dxlab config writes MKA configurations only (a router needs the same SAs by hand, as ip macsec add ... does)`);
      const k = st.knobs;
      // The router facing a DX device should not win key server: the peer's priority as the lab runs it, else the lab's customer default.
      const here = (e: { node: string; port: string }) => e.node === n.name && e.port === statusPort;
      const link = topo?.links.find((l) => here(l.a) || here(l.b));
      const peer = link ? (here(link.a) ? link.b : link.a) : undefined;
      const peerPriority = peer ? link?.macsec?.keyServerPriority[peer.node] : undefined;
      const own = typeof k.keyServerPriority === 'number' ? k.keyServerPriority : undefined;
      const caks = new Map<string, string>();
      if (a['show-keys']) {
        for (const f of s.keyFiles ?? []) {
          try {
            for (const ca of parseKeyFile(readFileSync(f, 'utf8'), f).cas) caks.set(ca.ckn.toLowerCase(), ca.cak);
          } catch {
            // A key file that went away (a lab from an older dxlab) has no CAK to give.
          }
        }
      }
      const view: PortMacsecView = {
        node: n.name,
        port,
        kind: n.kind,
        mode: st.mode,
        cipherSuites: (k.cipherSuites as string[] | null) ?? ['gcm-aes-xpn-256', 'gcm-aes-256'],
        keyChain: st.keyChain.map((x) => ({ ckn: x.ckn, inUse: x.inUse, ...(caks.has(x.ckn.toLowerCase()) ? { cak: caks.get(x.ckn.toLowerCase())! } : {}) })),
        keyServerPriority: n.kind === 'dx-device' ? (peerPriority ?? KEY_SERVER_PRIORITY.customer) : (own ?? KEY_SERVER_PRIORITY.customer),
        ...(n.kind === 'dx-device' && own !== undefined ? { ownKeyServerPriority: own } : {}),
        includeSci: k.includeSci !== false,
        eapolDestination: (k.eapolDestination as string | null) ?? '01:80:c2:00:00:03',
        eapolEtherType: (k.eapolEtherType as number | null) ?? 0x888e,
        replayProtect: k.replayProtect !== false,
        replayWindow: (k.replayWindow as number | null) ?? 0,
        confidentialityOffset: (k.confidentialityOffset as 0 | 'none' | null) ?? 0,
        ...(typeof k.sakRekeyIntervalS === 'number' ? { sakRekeyIntervalS: k.sakRekeyIntervalS } : {}),
        sci: st.sci,
        ...(lag ? { lag: { members: await Promise.all(members.map(async (m) => ({ port: m, sci: ((await ask(n.socket, { cmd: 'status', port: m }, n.name)) as PortStatus).sci }))), lacpRate: lag.lacp.rate } } : {}),
      };
      const hint = `dxlab config ${n.name} ${port} --vendor ${a.vendor} --show-keys${a.name ? ` --name ${a.name}` : ''} prints it (root: the lab's key files)`;
      if (a.json) return printJson(view);
      printLine(renderVendorConfig(view, a.vendor as Vendor, a['show-keys'] ? `not in the lab's key files (added live with dxlab set ... key add: use the CAK given there)` : hint));
    },
  );
}
