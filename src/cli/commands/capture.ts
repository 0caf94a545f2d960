/**
 * `dxlab capture NODE PORT --wire|--clear|--decrypted`: a port to pcapng,
 * until Ctrl-C (or SIGTERM) or --duration; `--stop [FILE]` ends captures
 * running in the node.
 */
import type { Argv } from 'yargs';
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ask, labState, nameOpt, nodeOf } from '../lab-context.js';
import { outPath, runCapture, stopCapture, type Ask } from '../capture-session.js';
import { openCaptureStream } from '../capture-stream.js';
import { CliError } from '../errors.js';
import { note, printJson, printLine } from '../output.js';

export function captureCommand(y: Argv): Argv {
  return y.command(
    'capture <node> <port>',
    'capture a port to pcapng until Ctrl-C or --duration; --stop ends a running capture',
    (c) =>
      nameOpt(c.positional('node', { type: 'string', demandOption: true }).positional('port', { type: 'string', demandOption: true }))
        .option('wire', { type: 'boolean', describe: 'MACsec and MKPDUs as on the wire' })
        .option('clear', { type: 'boolean', describe: 'the cleartext of the controlled side' })
        .option('decrypted', { type: 'boolean', describe: 'the wire with MACsec frames decrypted' })
        .option('out', { type: 'string', nargs: 1, describe: 'pcapng file, relative to the current folder (default: NODE-PORT-SIDE.pcapng in the capture folder); - streams pcapng to stdout, e.g. | wireshark -k -i -' })
        .option('duration', { type: 'number', describe: 'seconds (default: until Ctrl-C or SIGTERM)' })
        .option('stop', { type: 'string', describe: 'stop the capture writing FILE, or with no FILE every capture of the port' })
        .option('json', { type: 'boolean', default: false })
        .check((x) => {
          const sides = [x.wire, x.clear, x.decrypted].filter(Boolean).length;
          if (x.stop !== undefined) {
            if (sides || x.out !== undefined || x.duration !== undefined) throw new CliError('usage', '--stop takes no --wire, --clear, --decrypted, --out or --duration');
            return true;
          }
          if (sides !== 1) throw new CliError('usage', 'give one of --wire, --clear, --decrypted (or --stop)');
          if (x.duration !== undefined && !(x.duration > 0)) throw new CliError('usage', `--duration must be a positive number of seconds, got ${x.duration}`);
          return true;
        }),
    async (a) => {
      const lab = labState(a);
      const n = nodeOf(lab, String(a.node));
      // A node in a container (the docker runtime) sees of the host only its mounted folders: of those, it writes captures in the lab's capture folder.
      const inContainer = n.runtime === 'docker';
      if (inContainer && a.out !== undefined && a.out !== '-' && relative(lab.captureDir, resolve(a.out)).startsWith('..')) {
        throw new CliError('usage', `--out: node ${n.name} runs in a container, which writes captures only in the lab's capture folder ${lab.captureDir}: give a file there, or no --out`);
      }
      const target = { node: n.name, port: String(a.port) };
      const toNode: Ask = (req) => ask(n.socket, req, n.name);
      if (a.stop !== undefined) {
        const stopped = await stopCapture(toNode, target, a.stop || undefined);
        if (a.json) printJson({ node: n.name, port: a.port, stopped });
        else if (stopped.length === 0) note(`no capture was running on ${n.name} ${a.port}`);
        else for (const c of stopped) printLine(c.path);
        return;
      }
      const side = a.wire ? 'wire' : a.clear ? 'clear' : 'decrypted';
      if (a.out === '-') {
        // pcapng on stdout (capture-stream.ts); what people read goes to stderr.
        if (inContainer) mkdirSync(lab.captureDir, { recursive: true });
        const stream = openCaptureStream(process.stdout, inContainer ? lab.captureDir : undefined);
        try {
          const run = await runCapture(toNode, target, { side, out: stream.fifo, durationS: a.duration, abort: stream.readerGone }, () => {
            stream.start();
            note(`capturing ${n.name} ${a.port} (${side}) to stdout; ${a.duration === undefined ? 'Ctrl-C to stop' : `for ${a.duration} s (Ctrl-C stops earlier)`}`);
          });
          // The node closed the FIFO when the capture stopped: what it wrote last still crosses to stdout.
          await stream.finished(5000);
          note(`${run.frames} frames (${run.ended === 'abort' ? 'the reader went away' : run.ended})`);
        } finally {
          stream.close();
        }
        return;
      }
      const out = a.out === undefined ? undefined : await outPath(a.out);
      const run = await runCapture(toNode, target, { side, out, durationS: a.duration }, (path) => {
        if (!a.json) note(`capturing ${n.name} ${a.port} (${side}) to ${path}; ${a.duration === undefined ? 'Ctrl-C to stop' : `for ${a.duration} s (Ctrl-C stops earlier)`}`);
      });
      if (run.ended === 'stopped') note(`the capture to ${run.path} was stopped elsewhere (dxlab capture --stop)`);
      if (a.json) printJson({ node: n.name, port: a.port, side, path: run.path, frames: run.frames, ended: run.ended });
      else printLine(run.path);
    },
  );
}
