/** `dxlab status` of one host's part of a lab across hosts (hosts.ts): the host in the heading, a line per VXLAN tunnel. */
import { describe, expect, it } from 'vitest';
import { renderLabStatus } from '../../../src/cli/render.js';

describe('dxlab status of a host part', () => {
  it('names the host and each tunnel under the table', () => {
    const text = renderLabStatus({ lab: 'l', topology: '/t.yaml', nodes: [], host: { name: 'a', tunnels: [{ a: 'router:eth1', b: 'dx:eth1', vni: 4242, local: '192.0.2.1', remote: '192.0.2.2', remoteHost: 'b', port: 4789 }] } });
    const lines = text.split('\n');
    expect(lines[0]).toBe("lab l (/t.yaml), host a's part");
    expect(lines).toContain('link router:eth1 -- dx:eth1 to host b: VXLAN VNI 4242, 192.0.2.1 -> 192.0.2.2 port 4789');
    expect(renderLabStatus({ lab: 'l', topology: '/t.yaml', nodes: [] })).not.toMatch(/host|VXLAN/);
  });
});
