/**
 * A linux-peer guest under QEMU and a shell on its serial console: the
 * control channel. A command is written as one line followed by an echo of
 * a marker carrying its exit status; what the console printed before the
 * marker is its output. The guest's init turned echo off (stty -echo), so
 * the output holds only what the command printed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LabError } from '../errors.js';
import { READY_MARK, qemuArgs, type LinuxPeerImage } from './linux-peer.js';

export interface CommandResult {
  status: number;
  output: string;
}

export class GuestConsole {
  private buf = '';
  private waiters: (() => void)[] = [];
  private exited: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly qemu: ChildProcessWithoutNullStreams) {
    const feed = (b: Buffer): void => {
      this.buf += b.toString('latin1').replace(/\r/g, '');
      for (const w of this.waiters.splice(0)) w();
    };
    qemu.stdout.on('data', feed);
    qemu.stderr.on('data', feed);
    qemu.on('exit', (code, sig) => {
      this.exited = `qemu exited (${sig ?? code})`;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Boots the image; resolves once the guest's shell reads commands. */
  static async boot(img: LinuxPeerImage, opts: { extra?: string[]; timeoutMs?: number; memMb?: number } = {}): Promise<GuestConsole> {
    const qemu = spawn('qemu-system-x86_64', qemuArgs(img, opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    const g = new GuestConsole(qemu);
    qemu.on('error', (e) => {
      g.exited = `cannot run qemu-system-x86_64: ${e.message} (scripts/setup.sh installs it)`;
    });
    try {
      await g.waitFor((b) => b.includes(READY_MARK), opts.timeoutMs ?? 120_000, 'boot');
    } catch (e) {
      g.kill();
      throw e;
    }
    g.buf = g.buf.slice(g.buf.indexOf(READY_MARK) + READY_MARK.length);
    // dash on a terminal is interactive: no prompt to mix into outputs, and a
    // first empty command takes its "can't access tty" note off the console.
    await g.run('export PS1= PS2=');
    await g.run('true');
    return g;
  }

  private waitFor(test: (buf: string) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new LabError('timeout', `linux-peer guest: no answer to ${what} within ${timeoutMs / 1000} s; console ends: ${this.buf.slice(-300)}`)), timeoutMs);
      const check = (): void => {
        if (test(this.buf)) {
          clearTimeout(timer);
          done();
        } else if (this.exited) {
          clearTimeout(timer);
          fail(new LabError('process', `linux-peer guest: ${this.exited} during ${what}; console ends: ${this.buf.slice(-300)}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Runs one shell command line in the guest; commands run one at a time, in order. */
  run(line: string, timeoutMs = 60_000): Promise<CommandResult> {
    const next = this.queue.then(() => this.runNow(line, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(line: string, timeoutMs: number): Promise<CommandResult> {
    if (line.includes('\n')) throw new LabError('process', 'a guest command is one line');
    const tag = `DXLAB-END-${randomBytes(4).toString('hex')}`;
    const re = new RegExp(`${tag} (\\d+)\\n`);
    this.buf = '';
    // The marker is built from two halves so that an echo of the line itself could never match it.
    const half = tag.length >> 1;
    this.qemu.stdin.write(`${line}\n echo "${tag.slice(0, half)}""${tag.slice(half)} $?"\n`);
    await this.waitFor((b) => re.test(b), timeoutMs, `'${line.slice(0, 40)}'`);
    const m = re.exec(this.buf)!;
    const output = this.buf.slice(0, m.index);
    this.buf = this.buf.slice(m.index + m[0].length);
    return { status: Number(m[1]), output };
  }

  /** Powers the guest off (SysRq o: the minbase root has no poweroff command, no init system to ask), killing QEMU if it does not go. */
  async shutdown(timeoutMs = 20_000): Promise<void> {
    if (this.exited) return;
    this.qemu.stdin.write('echo o >/proc/sysrq-trigger\n');
    try {
      await this.waitFor(() => false, timeoutMs, 'poweroff');
    } catch {
      this.kill();
    }
  }

  kill(): void {
    if (!this.exited) this.qemu.kill('SIGKILL');
  }
}
