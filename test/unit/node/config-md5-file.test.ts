/**
 * A BGP session's TCP MD5 password from a file (`md5KeyFile`), as a pod
 * mounts it from a Kubernetes Secret (dxlab k8s): read whole, one final
 * newline dropped, never shown in an error; md5Key and md5KeyFile exclude
 * each other.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeError, resolveNodeConfig } from '../../../src/node/index.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('dxlab-k8s-md5-');
const KEY = 'k8s-md5-Secret';

function config(bgp: Record<string, unknown>) {
  return {
    name: 'rt',
    kind: 'router',
    ports: [{ name: 'eth1', wire: 'w', taps: [{ name: 't0', addresses: ['169.254.1.1/30'], bgp: { localAsn: 65000, peerAsn: 64512, peerAddress: '169.254.1.2', ...bgp } }] }],
  };
}

function err(doc: unknown): NodeError {
  try {
    resolveNodeConfig(doc, 'rt.json');
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    return e as NodeError;
  }
  throw new Error('no error');
}

describe('node configuration: md5KeyFile', () => {
  it('reads the password from the file, without its final newline', () => {
    const f = join(tmp, 'bgp-md5');
    writeFileSync(f, `${KEY}\n`, { mode: 0o400 });
    const c = resolveNodeConfig(config({ md5KeyFile: f }), 'rt.json');
    const s = c.ports[0]!.taps[0]!.bgp!.md5Key!;
    expect(Buffer.from(s.expose()).toString()).toBe(KEY);
    expect(JSON.stringify(c)).not.toContain(KEY);
  });

  it('refuses md5Key with md5KeyFile, a missing file, an empty one and a relative path, naming the field and never the key', () => {
    const f = join(tmp, 'bgp-md5-2');
    writeFileSync(f, KEY, { mode: 0o400 });
    const both = err(config({ md5Key: KEY, md5KeyFile: f }));
    expect(both.message).toMatch(/bgp\/md5KeyFile.*give md5Key or md5KeyFile, not both/);
    expect(both.message).not.toContain(KEY);
    expect(err(config({ md5KeyFile: join(tmp, 'none') })).message).toMatch(/bgp\/md5KeyFile.*cannot read .*ENOENT/);
    const empty = join(tmp, 'empty');
    writeFileSync(empty, '\n');
    expect(err(config({ md5KeyFile: empty })).message).toMatch(/md5KeyFile.*1 to 80 octets, got 0/);
    expect(err(config({ md5KeyFile: 'keys/bgp-md5' })).message).toMatch(/md5KeyFile/);
    // A device or a folder named by mistake: refused, not read.
    expect(err(config({ md5KeyFile: '/dev/zero' })).message).toMatch(/md5KeyFile: \/dev\/zero must be a file holding a password of 1 to 80 octets/);
    expect(err(config({ md5KeyFile: tmp })).message).toMatch(/must be a file/);
  });
});
