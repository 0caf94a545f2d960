/** `dxlab set NODE PORT mode|key|rekey ...`: live changes to a MACsec port, each told in one line. */
import type { Argv } from 'yargs';
import type { KayStatus } from '../../mka/index.js';
import { CAK_FILE_HELP, CAK_HELP, cknCakPairs } from '../cak-args.js';
import { CliError } from '../errors.js';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { printJson, printLine } from '../output.js';
import { renderSet, type SetChange } from '../render.js';

export function setCommand(y: Argv): Argv {
  return y.command(
    'set <node> <port> <what> [args..]',
    'change a MACsec port: mode (no_encrypt, should_encrypt, must_encrypt), key add, key remove, rekey',
    (c) =>
      nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }).positional('what', { choices: ['mode', 'key', 'rekey'] as const }).positional('args', { type: 'string', array: true }))
        .option('ckn', { type: 'string', describe: 'CAK name, 1 to 32 octets of hex' })
        .option('cak', { type: 'string', describe: CAK_HELP })
        .option('cak-file', { type: 'string', describe: CAK_FILE_HELP, requiresArg: true })
        .option('json', { type: 'boolean', default: false }),
    async (a) => {
      const n = nodeOf(labState(a), String(a.node));
      const port = String(a.port);
      const args = (a.args as string[] | undefined) ?? [];
      let req: Record<string, unknown>;
      if (a.what === 'mode') {
        if (!['no_encrypt', 'should_encrypt', 'must_encrypt'].includes(args[0] ?? '')) throw new CliError('usage', `set ${a.node} ${a.port} mode needs no_encrypt, should_encrypt or must_encrypt`);
        req = { cmd: 'setMode', mode: args[0] };
      } else if (a.what === 'rekey') req = { cmd: 'rekey' };
      else if (args[0] === 'add') {
        const [pair] = cknCakPairs(a, { max: 1 });
        if (!pair) throw new CliError('usage', 'key add needs --ckn HEX and --cak-file FILE (or --cak HEX)');
        req = { cmd: 'addKey', ckn: pair.ckn, cak: pair.cak };
      } else if (args[0] === 'remove') {
        if (!a.ckn) throw new CliError('usage', 'key remove needs --ckn HEX');
        req = { cmd: 'removeKey', ckn: a.ckn };
      } else throw new CliError('usage', 'set ... key needs add or remove');
      // The port before the change: the mode it had, the key server a rekey depends on.
      const before = ((await ask(n.socket, { cmd: 'status', port })) as { kay?: KayStatus }).kay;
      const r = (await ask(n.socket, { ...req, port })) as { mode?: string; keyChain?: string[] };
      if (a.json) return printJson(r);
      const principal = before?.participants.find((p) => p.principal);
      const change: SetChange =
        req.cmd === 'setMode'
          ? { what: 'mode', from: before?.mode ?? null, to: String(r.mode) }
          : req.cmd === 'rekey'
            ? { what: 'rekey', keyServer: principal?.keyServer ? (principal.keyServer.self ? 'self' : principal.keyServer.sci) : null }
            : { what: req.cmd === 'addKey' ? 'keyAdd' : 'keyRemove', ckn: String(a.ckn).toLowerCase(), keyChain: r.keyChain ?? [] };
      printLine(renderSet(n.name, port, change));
    },
  );
}
