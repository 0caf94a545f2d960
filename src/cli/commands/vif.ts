/**
 * `dxlab vif move NODE VIF PORT`: the customer side of the blog's step 4.
 * AWS moves its end of a VIF with AssociateVirtualInterface (the lab's AWS
 * API drives the DX device); the customer moves its own end onto the new
 * connection, which is what this does on a router or switch of the lab: the
 * VIF's TAP (addresses, MAC) stays and now rides PORT (optionally on another
 * VLAN), its BGP session restarts over the new port (the node's `moveVif`).
 */
import type { Argv } from 'yargs';
import { writeStateFile } from '../../lab/index.js';
import { CliError } from '../errors.js';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { printJson, printLine } from '../output.js';

export function vifCommand(y: Argv): Argv {
  return y.command('vif', "a VIF's end on a customer node: move it to another port (the blog's step 4)", (c) =>
    c
      .command(
        'move <node> <vif> <port>',
        "move the VIF's TAP of a router or switch onto another port (its BGP session restarts there); AWS's end moves with aws directconnect associate-virtual-interface",
        (m) =>
          nameOpt(m.positional('node', { type: 'string', demandOption: true }).positional('vif', { type: 'string', demandOption: true, describe: "the VIF's name in the topology" }).positional('port', { type: 'string', demandOption: true }))
            .option('vlan', { type: 'number', describe: 'the 802.1Q VLAN on the new port (default: the one it has)' })
            .option('json', { type: 'boolean', default: false }),
        async (a) => {
          const s = labState(a);
          const n = nodeOf(s, String(a.node));
          if (n.kind === 'dx-device') throw new CliError('usage', `${n.name} is the DX device: its end of a VIF belongs to the AWS API (aws directconnect associate-virtual-interface)`);
          if (a.vlan !== undefined && (!Number.isInteger(a.vlan) || a.vlan < 1 || a.vlan > 4094)) throw new CliError('usage', `--vlan must be 1 to 4094, not ${a.vlan}`);
          const tap = n.taps.find((t) => t.vif === a.vif);
          if (!tap) throw new CliError('usage', `node ${n.name} has no end of a VIF named '${a.vif}' (its VIFs: ${n.taps.map((t) => t.vif).join(', ') || 'none'})`);
          const port = String(a.port);
          if (!(port in n.wires)) throw new CliError('usage', `node ${n.name} has no port '${port}' (ports: ${Object.keys(n.wires).join(', ')})`);
          const from = tap.port;
          const r = await ask(n.socket, { cmd: 'moveVif', name: tap.name, to: port, ...(a.vlan !== undefined && { vlan: a.vlan }) }, n.name);
          tap.port = port;
          if (a.vlan !== undefined) tap.vlan = a.vlan;
          writeStateFile(s.lab, s);
          if (a.json) return printJson({ node: n.name, vif: tap.vif, tap: tap.name, from, to: port, ...(a.vlan !== undefined && { vlan: a.vlan }), result: r });
          printLine(`${n.name} VIF ${tap.vif}: ${from} -> ${port}${a.vlan !== undefined ? ` (VLAN ${a.vlan})` : ''}; its BGP session restarts over ${port}`);
        },
      )
      .demandCommand(1, 'vif needs a subcommand: move'),
  );
}
