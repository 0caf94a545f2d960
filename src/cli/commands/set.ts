/**
 * `dxlab set NODE PORT KNOB VALUE|key|rekey ...`: live changes to a MACsec port, each told in one line; the knobs are those of src/node/knobs.ts.
 * PORT may name a LAG: the change is made on every member, one after the other (AWS: UpdateLag's encryption mode and a LAG's keys apply to every member, directconnect-api.md V8, V15);
 * on a DX device a LAG's mode and keys go through the lab's AWS API once, on the LAG (UpdateLag, AssociateMacSecKey with its lagId), which changes every member on the node at once.
 */
import type { Argv } from 'yargs';
import type { KayStatus } from '../../mka/index.js';
import { CAK_FILE_HELP, CAK_HELP, cknCakPairs } from '../cak-args.js';
import { CliError } from '../errors.js';
import { ask, labState, nameOpt, nodeOf, wrap } from '../lab-context.js';
import { checkKindSet, readLabTopology } from '../../lab/index.js';
import { KNOB_NAMES, NodeError, controlRequest, isMacsecKnob, parseKnobWord, resolveMacsecKnob, type KnobApply } from '../../node/index.js';
import { printJson, printLine } from '../output.js';
import { renderSet, type SetChange } from '../render.js';
import { setThroughApi, type ApiSetRequest } from '../set-through-api.js';

/** `dxlab set PROVIDER KNOB VALUE`: latencyMs, jitterMs, lossPercent, reorderPercent, mtu, sVlan or mode, live. */
async function setProviderKnob(n: { name: string; socket: string }, knob: string, args: string[], json: boolean): Promise<void> {
  if (args.length !== 1) throw new CliError('usage', `set ${n.name} ${knob} needs one VALUE`);
  // The node reads the word as its knob takes it (a number, a mode, none) and names the knob when it cannot.
  const r = (await ask(n.socket, { cmd: 'provider', knob, value: args[0] }, n.name)) as { knob: string; from: unknown; to: unknown };
  if (json) return printJson(r);
  printLine(`${n.name}: ${r.knob} ${r.from ?? 'none'} -> ${r.to ?? 'none'} (applied live)`);
}

export function setCommand(y: Argv): Argv {
  return y.command(
    'set <node> <port> <what> [args..]',
    'change a MACsec port (or every member of a LAG; a provider: set NODE KNOB VALUE): a knob (mode, cipherSuites, keyServerPriority, replayWindow, validateFrames, ...: the README lists them all) to VALUE, key add, key remove, rekey',
    (c) =>
      nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }).positional('what', { type: 'string', demandOption: true, describe: 'a knob, key or rekey' }).positional('args', { type: 'string', array: true }))
        .option('ckn', { type: 'string', describe: 'CAK name, 1 to 32 octets of hex' })
        .option('cak', { type: 'string', describe: CAK_HELP })
        .option('cak-file', { type: 'string', describe: CAK_FILE_HELP, requiresArg: true })
        .option('json', { type: 'boolean', default: false }),
    async function handler(a): Promise<void> {
      const state = labState(a);
      const n = nodeOf(state, String(a.node));
      // A provider has knobs of its own, no ports to name: `set NODE KNOB VALUE`.
      if (n.kind === 'provider') return setProviderKnob(n, String(a.port), [String(a.what), ...((a.args as string[] | undefined) ?? [])], !!a.json);
      const port = String(a.port);
      const members = await lagMembers(state.lab, n, port);
      // A DX device's LAG: its mode and keys are the API LAG's, changed once for every member (set-through-api.ts).
      const lagThroughApi = n.kind === 'dx-device' && (a.what === 'mode' || a.what === 'key');
      if (members && !lagThroughApi) {
        for (const m of members) await handler({ ...a, port: m });
        return;
      }
      const args = (a.args as string[] | undefined) ?? [];
      let req: Record<string, unknown>;
      const what = String(a.what);
      if (what !== 'mode' && what !== 'key' && what !== 'rekey') {
        if (!isMacsecKnob(what)) throw new CliError('usage', `set: unknown knob '${what}': expected key, rekey or one of ${KNOB_NAMES.join(', ')}`);
        if (args.length !== 1) throw new CliError('usage', `set ${a.node} ${a.port} ${what} needs one VALUE`);
        const parsed = parseKnobWord(what, args[0]!);
        if ('error' in parsed) throw new CliError('usage', parsed.error);
        // Checked here as the node will check it, so that a bad value is a usage error before anything is asked.
        try {
          resolveMacsecKnob(what, parsed.value);
        } catch (e) {
          if (e instanceof NodeError) throw new CliError('usage', e.message);
          throw e;
        }
        // The node's kind has its own rules (AWS's fixed side on a DX device), as `up` applied them to the topology.
        try {
          checkKindSet(state.lab, n.name, { knob: what, value: parsed.value });
        } catch (e) {
          wrap(e);
        }
        const r = (await ask(n.socket, { cmd: 'set', port, knob: what, value: parsed.value }, n.name)) as { knob: string; from: unknown; to: unknown; applied: KnobApply };
        if (a.json) return printJson(r);
        return printLine(renderSet(n.name, port, { what: 'knob', knob: r.knob, from: r.from, to: r.to, applied: r.applied }));
      }
      if (what === 'mode') {
        if (!['no_encrypt', 'should_encrypt', 'must_encrypt'].includes(args[0] ?? '')) throw new CliError('usage', `set ${a.node} ${a.port} mode needs no_encrypt, should_encrypt or must_encrypt`);
        req = { cmd: 'setMode', mode: args[0] };
      } else if (a.what === 'rekey') req = { cmd: 'rekey' };
      else if (args[0] === 'add') {
        const [pair] = cknCakPairs(a, { max: 1 });
        if (!pair) throw new CliError('usage', 'key add needs --ckn HEX and --cak-file FILE (or --cak HEX)');
        try {
          checkKindSet(state.lab, n.name, { key: { ckn: pair.ckn, cak: pair.cak } });
        } catch (e) {
          wrap(e);
        }
        req = { cmd: 'addKey', ckn: pair.ckn, cak: pair.cak };
      } else if (args[0] === 'remove') {
        if (!a.ckn) throw new CliError('usage', 'key remove needs --ckn HEX');
        req = { cmd: 'removeKey', ckn: a.ckn };
      } else throw new CliError('usage', 'set ... key needs add or remove');
      if (n.kind === 'dx-device' && (req.cmd === 'setMode' || req.cmd === 'addKey' || req.cmd === 'removeKey')) {
        // AWS's side belongs to the lab's AWS API: its rules and stored secrets apply (set-through-api.ts).
        const apiReq: ApiSetRequest = req.cmd === 'setMode' ? { what: 'mode', mode: String(req.mode) } : req.cmd === 'addKey' ? { what: 'keyAdd', ckn: String(req.ckn), cak: String(req.cak) } : { what: 'keyRemove', ckn: String(req.ckn) };
        const r = await setThroughApi(state, n.name, port, apiReq);
        if (a.json) return printJson(r);
        const change: SetChange = r.mode !== undefined ? { what: 'mode', from: r.from ?? null, to: r.mode } : { what: apiReq.what === 'keyAdd' ? 'keyAdd' : 'keyRemove', ckn: String(a.ckn).toLowerCase(), keyChain: r.keyChain ?? [] };
        return printLine(`${renderSet(n.name, port, change)} (AWS API ${r.operation} on ${r.resource})`);
      }
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

/**
 * The member ports of LAG `port` on node `n`: from the lab's kept topology,
 * or, for a lab that kept none, from the node; undefined when `port` is not
 * a LAG of the node.
 */
async function lagMembers(lab: string, n: { name: string; socket: string }, port: string): Promise<string[] | undefined> {
  const topo = readLabTopology(lab);
  if (topo) return topo.lags?.find((l) => l.name === port && l.nodes.includes(n.name))?.ports[n.name];
  let answer: { lags?: Array<{ name: string; members: Array<{ name: string }> }> };
  try {
    answer = (await controlRequest(n.socket, { cmd: 'lag' }, undefined, { node: n.name })).result as typeof answer;
  } catch (e) {
    // A node that knows no LAGs (`lag` is an unknown command to it) has none.
    if (e instanceof NodeError && (e as NodeError & { remoteCode?: string }).remoteCode === 'unknownCommand') return undefined;
    return wrap(e);
  }
  return (answer.lags ?? []).find((l) => l.name === port)?.members.map((m) => m.name);
}
