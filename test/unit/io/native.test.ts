import { describe, expect, it } from 'vitest';
import { IoError } from '../../../src/io/index.js';
import { ioErrorFromNative } from '../../../src/io/errors.js';
import { loadNative, loadNativeFrom, nativeAvailable, type NativeHandle } from '../../../src/io/native.js';
import { netnsPath } from '../../../src/io/native-frame-io.js';

/** An error shaped as handle.c dxio_make_error makes them. */
function nativeError(code: string, syscall: string, iface: string): Error {
  return Object.assign(new Error(`${syscall} ${iface}: ${code} (text)`), { code, syscall, interface: iface });
}

describe('addon loading', () => {
  it('says why the addon cannot load, how to build it, and that root is needed', () => {
    let err: unknown;
    try {
      loadNativeFrom('/nonexistent/dxio.node');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IoError);
    const e = err as IoError;
    expect(e.code).toBe('addonNotLoaded');
    expect(e.message).toContain('/nonexistent/dxio.node');
    expect(e.message).toContain('has not been built');
    expect(e.message).toContain('npm rebuild');
    expect(e.message).toContain('node-gyp rebuild');
    expect(e.message).toContain('root');
  });

  it('reports a file that is not an addon with the loader message', () => {
    expect(() => loadNativeFrom(new URL(import.meta.url).pathname)).toThrow(expect.objectContaining({ code: 'addonNotLoaded' }));
  });
});

describe('ioErrorFromNative', () => {
  it.each([
    ['EPERM', 'socket(AF_PACKET)', 'permission'],
    ['EACCES', 'open(/dev/net/tun)', 'permission'],
    ['ENODEV', 'SIOCGIFINDEX', 'notFound'],
    ['ENXIO', 'bind(AF_PACKET)', 'notFound'],
    ['ENOENT', 'setns', 'notFound'],
    ['EBUSY', 'TUNSETIFF', 'busy'],
    ['ENETDOWN', 'recvmmsg', 'socket'],
    ['ECLOSED', '-', 'closed'],
    ['EALREADY', '-', 'alreadyStarted'],
  ] as const)('%s from %s becomes %s', (errno, syscall, code) => {
    const e = ioErrorFromNative(nativeError(errno, syscall, 'veth7'), 'open veth7', 'socket');
    expect(e).toBeInstanceOf(IoError);
    expect(e.code).toBe(code);
    expect(e.interface).toBe('veth7');
    expect(e.message).toMatch(/^open veth7: /);
    expect(e.cause).toBeInstanceOf(Error);
    if (errno.startsWith('E') && code !== 'closed' && code !== 'alreadyStarted') {
      expect(e.errno).toBe(errno);
      expect(e.syscall).toBe(syscall);
    }
  });

  it('says root is needed on EPERM', () => {
    expect(ioErrorFromNative(nativeError('EPERM', 'TUNSETIFF', 'tap0'), 'open TAP tap0', 'tap').message).toContain('need root');
  });

  it('gives a TAP system error the code tap', () => {
    expect(ioErrorFromNative(nativeError('EIO', 'write', 'tap0'), 'send on tap0', 'tap').code).toBe('tap');
  });

  it('turns the addon argument errors into invalidArgument', () => {
    expect(ioErrorFromNative(new TypeError('ifname must be 1 to 15 characters'), 'open x', 'socket').code).toBe('invalidArgument');
  });
});

describe('netnsPath', () => {
  it('puts a bare name under /run/netns and keeps a path', () => {
    expect(netnsPath('dxlab-t1-dx')).toBe('/run/netns/dxlab-t1-dx');
    expect(netnsPath('/proc/1/ns/net')).toBe('/proc/1/ns/net');
  });
});

describe.skipIf(!nativeAvailable())('handle arguments', () => {
  // Every external of the addon (handle, GCM key, fast path) opens with its
  // own mark: one passed where another is expected is refused, not read as
  // the other's memory.
  it('refuses a GCM key or a fast path where a frame I/O handle is expected', () => {
    const addon = loadNative() as unknown as Record<string, (...a: unknown[]) => unknown>;
    const key = addon.gcmCreate!(new Uint8Array(16));
    const fastPath = addon.fpCreate!();
    for (const wrong of [key, fastPath] as unknown as NativeHandle[]) {
      for (const fn of ['info', 'stats', 'mtu', 'mac', 'stop', 'close'] as const) {
        expect(() => addon[fn]!(wrong), fn).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: 'expected a dxio handle' }));
      }
    }
    // The key survived close(key) above: it still seals.
    const out = new Uint8Array(16);
    addon.gcmSeal!(key, new Uint8Array(12), new Uint8Array(0), new Uint8Array(0), out, 0);
    expect(Buffer.from(out).toString('hex')).toBe('58e2fccefa7e3061367f1d57a4e7455a');
  });
});

describe.skipIf(!nativeAvailable())('the data-path experiments\' options', () => {
  // Checked before any socket or TAP is made: a bad value opens nothing.
  it.each([
    ['openPacket', { busyPollUs: 1001 }, 'busyPollUs must be 0..1000'],
    ['openTap', { busyPollUs: 5000 }, 'busyPollUs must be 0..1000'],
    ['openPacket', { serve: 'both' }, "serve must be 'own', 'wire' or 'tap'"],
    ['openTap', { serve: 'first' }, "serve must be 'own', 'wire' or 'tap'"],
    ['openPacket', { soBusyPoll: 1001 }, 'soBusyPoll must be 0..1000'],
    ['openPacket', { busyPollUs: '5' }, 'invalid option type'],
  ] as const)('%s with %j is refused: %s', (fn, opts, message) => {
    const addon = loadNative() as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => addon[fn]!('dxnoexist0', opts)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message }));
  });
});
