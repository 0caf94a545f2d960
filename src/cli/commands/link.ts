/**
 * `dxlab link up|down|status`: two namespaces, a veth, a DX device and a
 * customer router node securing it with MKA: a shorthand for a generated
 * two-node topology run as any lab (`dxlab status --name NAME` works on it).
 */
import type { Argv } from 'yargs';
import { CRYPTO_CHOICES } from '../../io/index.js';
import { linkDown, linkUp, readLinkState } from '../../lab/index.js';
import { controlRequest } from '../../node/index.js';
import type { KayStatus } from '../../mka/index.js';
import { CAK_FILE_HELP, CAK_HELP, cknCakPairs } from '../cak-args.js';
import { CliError } from '../errors.js';
import { wrap } from '../lab-context.js';
import { note, printJson, printLine, table } from '../output.js';

export function linkCommand(y: Argv): Argv {
  return y
    .command(
      'up [name]',
      'create two namespaces joined by a veth and start a DX device and a router node on it',
      (c) =>
        c
          .positional('name', { type: 'string', default: 'link', describe: 'lab name (namespaces dxlab-<name>-rt and -dx)' })
          .option('mtu', { type: 'number', default: 1500, describe: 'TAP MTU (1500, or 9001 as on a DX jumbo VIF)' })
          .option('mode', { choices: ['should_encrypt', 'must_encrypt', 'no_encrypt'] as const, default: 'should_encrypt' as const })
          .option('cipher', { type: 'string', default: 'gcm-aes-xpn-256', describe: 'cipher suite both nodes use (one AWS does not take, such as gcm-aes-128, lifts AWS\'s rules on dx: awsStrict false, and says so)' })
          .option('fast', { type: 'boolean', default: false, describe: 'MKA hello 0.5 s and life 1.5 s (default 2 s and 6 s)' })
          .option('vlan', { type: 'number', array: true, describe: 'add a TAP on this 802.1Q VLAN to both nodes (169.254.101.x/30, ...)' })
          .option('crypto', { choices: CRYPTO_CHOICES, describe: 'AES-GCM engine of both nodes: native (the fastest of the addon: ipsec-mb, else openssl), or one forced (default: native where the addon loads)' })
          .option('capture', { type: 'boolean', default: false, describe: 'capture wire, clear and decrypted sides of both ports, and export the keys, to pcaps/<name>/' })
          .option('ckn', { type: 'string', describe: 'CKN of the pair both nodes use (hex, 1 to 32 octets); default: a fresh 32-octet pair drawn for the lab, in /run/dxlab/<name>/keys.json' })
          .option('cak', { type: 'string', describe: CAK_HELP })
          .option('cak-file', { type: 'string', describe: CAK_FILE_HELP, requiresArg: true })
          .option('json', { type: 'boolean', default: false }),
      async (a) => {
        const [pair] = cknCakPairs(a, { max: 1 });
        const state = await linkUp({
          name: a.name!,
          mtu: a.mtu,
          mode: a.mode,
          cipherSuites: [a.cipher],
          fast: a.fast,
          vlans: (a.vlan ?? []).map((vlan) => ({ vlan })),
          capture: a.capture,
          ...(a.crypto ? { crypto: a.crypto } : {}),
          ...(pair ? { ckn: pair.ckn, cak: pair.cak } : {}),
        }).catch(wrap);
        if (a.json) printJson(state);
        else {
          for (const n of state.notes) note(n);
          printLine(table([['node', 'netns', 'pid', 'TAP', 'address', 'control socket'], ...state.nodes.map((n) => [n.node, n.netns, String(n.pid), n.tap, n.address, n.socket])]));
          note(`watch MKA: dxlab node events --socket ${state.nodes[0]!.socket} --follow`);
          note(`ping through MACsec: ip netns exec ${state.nodes[0]!.netns} ping 169.254.100.2`);
          note(`CKN/CAK pair: ${state.keyFile} (root-only)`);
          note(`tear down: dxlab link down ${a.name}`);
        }
      },
    )
    .command(
      'down [name]',
      'stop the nodes and remove the namespaces, veth and TAPs of a link',
      (c) => c.positional('name', { type: 'string', default: 'link' }).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const r = await linkDown(a.name!).catch(wrap);
        for (const n of r.notes) note(n);
        if (a.json) printJson(r);
        else printLine(r.removed.length ? `removed ${r.removed.join(', ')}` : `nothing of lab ${a.name} was left`);
        if (r.leftover.length) throw new CliError('failed', `still present: ${r.leftover.join(', ')}`);
      },
    )
    .command(
      'status [name]',
      'whether each node is secured, with its peer and SAK',
      (c) => c.positional('name', { type: 'string', default: 'link' }).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const state = (() => {
          try {
            return readLinkState(a.name!);
          } catch (e) {
            return wrap(e);
          }
        })();
        if (!state) throw new CliError('usage', `no lab named '${a.name}' (dxlab link up ${a.name})`);
        const rows = await Promise.all(
          state.nodes.map(async (n) => {
            try {
              const s = (await controlRequest(n.socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus };
              return { node: n.node, pid: n.pid, secured: s.kay.secured, controlledPort: s.kay.controlledPort, reason: s.kay.notSecured?.reason ?? '', sak: s.kay.sak ?? null };
            } catch (e) {
              return { node: n.node, pid: n.pid, secured: false, controlledPort: 'unknown', reason: (e as Error).message, sak: null };
            }
          }),
        );
        if (a.json) printJson({ lab: state.lab, nodes: rows });
        else printLine(table([['node', 'pid', 'port', 'SAK', 'why not secured'], ...rows.map((r) => [r.node, String(r.pid), r.secured ? 'secured' : r.controlledPort, r.sak ? `KN ${r.sak.kn} AN ${r.sak.an} ${r.sak.cipherSuite}` : '-', r.reason])]));
      },
    )
    .demandCommand(1, 'link needs up, down or status');
}
