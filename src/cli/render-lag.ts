/**
 * `dxlab show lag` and the LAG lines of `dxlab status`: a node's LAGs from
 * its control socket's `lag` answer (src/node/lag-port.ts status()), with
 * per member the LACP machines, the actor and partner state bits and the
 * member's MACsec (controlled port, MKA).
 */
import type { LagStatus } from '../lacp/index.js';
import { table } from './output.js';

/** A member's MACsec as the LAG's status carries it (a plain member has no `mka`). */
export interface LagMemberAnswer {
  name: string;
  kind: string;
  operational: boolean;
  /** The member's wire: 'down' when its cable is cut (`dxlab wire cut`). */
  carrier?: 'up' | 'down';
  sci?: string;
  controlledPort?: string;
  mka?: { mode: string; secured: boolean; cpState: string; notSecured?: string };
}

/** One LAG as the control socket's `lag` answers it. */
export type LagAnswer = LagStatus & {
  name: string;
  taps: Array<{ name: string; vlan: number | null; mtu: number }>;
  members: LagMemberAnswer[];
  counters: { txNoMember: number; rxNotCollecting: number; txByMember: Record<string, number>; rxByMember: Record<string, number> };
  /** Whether the addon's fast path distributes and collects (lag-port.ts), and what it did. */
  fastPath?: { active: boolean; reason?: string; txFrames?: number; txToJs?: number; rxNotCollecting?: number };
};

/** "2 of 3 distributing": the members that carry frames. */
export function lagSummary(l: LagAnswer): string {
  const n = l.ports.filter((p) => p.distributing).length;
  return `logical port ${l.logicalPortUp ? 'up' : 'down'}, ${n} of ${l.ports.length} members distributing, minimumLinks ${l.minimumLinks}`;
}

/**
 * `dxlab show lag NODE [LAG]`. State letters, one per bit (802.1AX-2014
 * 6.4.2.3 m): A active, T short timeout, G aggregatable, S in sync,
 * C collecting, D distributing, F defaulted, E expired.
 */
export function renderLags(node: string, lags: LagAnswer[]): string {
  const out: string[] = [];
  for (const l of lags) {
    out.push(`node ${node} LAG ${l.name}: ${lagSummary(l)}`);
    out.push(`  system ${l.system} priority ${l.systemPriority} key ${l.key}, LACP ${l.mode} ${l.rate}; partner ${l.partnerSystem ? `${l.partnerSystem} key ${l.partnerKey}` : 'none'}`);
    const rows = [['member', 'receive', 'mux', 'selected', 'actor', 'partner', 'partner port', 'tx', 'rx', 'MACsec']];
    for (const p of l.ports) {
      const m = l.members.find((x) => x.name === p.name);
      const macsec =
        (!m?.mka ? 'plain port' : `${m.mka.mode}, ${m.mka.secured ? 'secured' : `controlled port ${m.controlledPort}${m.mka.notSecured ? ` (${m.mka.notSecured})` : ''}`}`) + (m?.carrier === 'down' ? '; no carrier' : '');
      rows.push([
        p.name,
        p.receive,
        p.mux,
        p.selected,
        p.actorStateLetters,
        p.partner.stateLetters,
        p.partner.port ? `${p.partner.system} #${p.partner.port}` : '-',
        String(l.counters.txByMember[p.name] ?? 0),
        String(l.counters.rxByMember[p.name] ?? 0),
        macsec,
      ]);
    }
    out.push(table(rows));
    const fp = l.fastPath;
    if (fp) out.push(fp.active ? `  data path: the addon's fast path (distributor and collector in C): ${fp.txFrames ?? 0} frames sent, ${fp.txToJs ?? 0} left to JavaScript` : `  data path: JavaScript (${fp.reason ?? 'fast path off'})`);
    out.push(`  TAPs ${l.taps.map((t) => `${t.name}${t.vlan !== null ? ` (VLAN ${t.vlan})` : ''}`).join(', ') || 'none'}; letters: A active, T short timeout, G aggregatable, S in sync, C collecting, D distributing, F defaulted, E expired`);
  }
  return out.join('\n');
}
