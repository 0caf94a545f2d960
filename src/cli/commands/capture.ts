/** `dxlab capture NODE PORT --wire|--clear|--decrypted`: a port to pcapng. */
import type { Argv } from 'yargs';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { note, printJson, printLine } from '../output.js';

export function captureCommand(y: Argv): Argv {
  return y.command(
    'capture <node> <port>',
    'capture a port to pcapng until Ctrl-C or --duration',
    (c) =>
      nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }))
        .option('wire', { type: 'boolean', describe: 'MACsec and MKPDUs as on the wire' })
        .option('clear', { type: 'boolean', describe: 'the cleartext of the controlled side' })
        .option('decrypted', { type: 'boolean', describe: 'the wire with MACsec frames decrypted' })
        .option('out', { type: 'string' })
        .option('duration', { type: 'number' })
        .option('json', { type: 'boolean', default: false })
        .check((x) => {
          if ([x.wire, x.clear, x.decrypted].filter(Boolean).length !== 1) throw new Error('give one of --wire, --clear, --decrypted');
          return true;
        }),
    async (a) => {
      const n = nodeOf(labState(a), String(a.node));
      const side = a.wire ? 'wire' : a.clear ? 'clear' : 'decrypted';
      const r = (await ask(n.socket, { cmd: 'capture', port: a.port, side, ...(a.out ? { path: a.out } : {}), ...(a.duration ? { durationS: a.duration } : {}) })) as { path: string };
      if (a.duration === undefined) {
        if (!a.json) note(`capturing ${n.name} ${a.port} (${side}) to ${r.path}; Ctrl-C to stop`);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        await ask(n.socket, { cmd: 'capture', port: a.port, stop: r.path });
      } else await new Promise((resolve) => setTimeout(resolve, a.duration! * 1000 + 300));
      if (a.json) printJson({ node: n.name, port: a.port, side, path: r.path });
      else printLine(r.path);
    },
  );
}
