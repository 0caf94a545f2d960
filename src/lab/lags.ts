/**
 * LAGs in a topology (`topology.lags`): each bundles 2 to 4 member links
 * between the same two nodes, with one `macsec:` block for the LAG (AWS:
 * "the MACsec-specific configuration is done at the LAG level", one CKN/CAK
 * and one mode for every member) and LACP settings. A VIF over it names the
 * LAG as its port: `dx:lag1`.
 *
 * Each member becomes a link of type `lag` (links/lag.ts) carrying the LAG's
 * MACsec, appended to the topology's links before the schema check, so that
 * every rule a link obeys (AWS's fixed side on a DX device, key chains) holds
 * for each member. The LAG itself is checked here: rule V16 of
 * shared/reference/directconnect-api.md (at most 4 members at 1/10 Gbps, 2 at
 * 100/400 Gbps, all between the same two devices; minimumLinks up to the
 * member count).
 */
import type { Fail } from './kinds/index.js';
import type { Endpoint, TopoLink, TopoNode, TopoVif } from './topology.js';

/** A LAG as the lab runs it. */
export interface TopoLag {
  name: string;
  /** The two nodes it joins. */
  nodes: [string, string];
  /** Indexes (in `links`) of its members, in order: member i has LACP Port Number i + 1 on both sides. */
  members: number[];
  /** Per node, its member ports in member order. */
  ports: Record<string, string[]>;
  /** AWS minimumLinks: members that must be up for the LAG to be. @default 0 */
  minimumLinks: number;
  lacp: { mode: 'active' | 'passive'; rate: 'fast' | 'slow' };
}

/** Members allowed per DX port speed (V16). */
const MAX_MEMBERS: Record<string, number> = { '1G': 4, '10G': 4, '100G': 2, '400G': 2 };

/**
 * The raw topology with each LAG's members appended to `links` as links of
 * type `lag` with the LAG's `macsec`, and which link index belongs to which
 * LAG. Malformed `lags` entries are left for the schema to report.
 */
export function expandLags(raw: Record<string, any>): { raw: Record<string, any>; lagOfLink: Map<number, string>; filePath: (path: Array<string | number>) => Array<string | number> } {
  const lagOfLink = new Map<number, string>();
  /** link index -> [LAG index, member index], for error paths into the file. */
  const memberAt = new Map<number, [number, number]>();
  const filePath = (path: Array<string | number>): Array<string | number> => {
    const m = path[0] === 'topology' && path[1] === 'links' && typeof path[2] === 'number' ? memberAt.get(path[2]) : undefined;
    if (!m) return path;
    // A member's endpoints are the member itself; anything else of it comes from the LAG.
    return path[3] === 'endpoints' ? ['topology', 'lags', m[0], 'members', m[1], ...path.slice(4)] : ['topology', 'lags', m[0], ...path.slice(3)];
  };
  const t = raw?.topology;
  if (!t || typeof t !== 'object' || !Array.isArray(t.lags) || (t.links !== undefined && !Array.isArray(t.links))) return { raw, lagOfLink, filePath };
  // A topology of LAGs only may leave `links` out.
  const links = [...(t.links ?? [])];
  for (const [i, l] of (t.lags as any[]).entries()) {
    if (!l || typeof l !== 'object' || !Array.isArray(l.members)) continue;
    for (const [j, m] of (l.members as unknown[]).entries()) {
      memberAt.set(links.length, [i, j]);
      lagOfLink.set(links.length, String(l.name));
      links.push({ endpoints: m, type: 'lag', ...(l.macsec !== undefined ? { macsec: l.macsec } : {}), ...(l.mtu !== undefined ? { mtu: l.mtu } : {}) });
    }
  }
  return { raw: { ...raw, topology: { ...t, links } }, lagOfLink, filePath };
}

/**
 * Resolves `topology.lags` once the links (members included) are resolved;
 * marks each member link with its LAG.
 * @throws LabError('topology') through `fail`, naming the YAML path.
 */
export function resolveLags(rawLags: any[] | undefined, links: TopoLink[], nodes: TopoNode[], lagOfLink: Map<number, string>, fail: Fail): TopoLag[] {
  for (const l of links) {
    const name = lagOfLink.get(l.index);
    if (name !== undefined) l.lag = name;
    else if (l.type === 'lag') fail(['topology', 'links', l.index, 'type'], "a link of type lag is a LAG member: list it under the LAG's members in topology.lags");
  }
  const names = new Set<string>();
  return (rawLags ?? []).map((raw, i) => {
    const at = ['topology', 'lags', i];
    if (names.has(raw.name)) fail([...at, 'name'], `LAG ${raw.name} is defined twice`);
    names.add(raw.name);
    const members = links.filter((l) => l.lag === raw.name);
    const [first] = members;
    const pair: [string, string] = [first!.a.node, first!.b.node];
    for (const [j, m] of members.entries()) {
      const same = (m.a.node === pair[0] && m.b.node === pair[1]) || (m.a.node === pair[1] && m.b.node === pair[0]);
      if (!same) fail([...at, 'members', j], `every member of LAG ${raw.name} joins ${pair.join(' and ')} (AWS rule V16: all members on the same device), got ${m.a.node} and ${m.b.node}`);
    }
    const dx = nodes.find((n) => pair.includes(n.name) && n.kind === 'dx-device');
    const speed = (dx?.options?.speed as string | undefined) ?? '10G';
    const max = MAX_MEMBERS[speed] ?? 4;
    if (members.length < 2 || members.length > max) {
      fail([...at, 'members'], `AWS rule V16 (directconnect-api.md): a LAG of ${speed} ports has 2 to ${max} members${max === 2 ? ' (2 at 100 and 400 Gbps)' : ''}, got ${members.length}`);
    }
    const minimumLinks = raw.minimumLinks ?? 0;
    if (minimumLinks > members.length) fail([...at, 'minimumLinks'], `${minimumLinks} is more than the LAG's ${members.length} members`);
    for (const node of pair) {
      if (links.some((l) => (l.a.node === node && l.a.port === raw.name) || (l.b.node === node && l.b.port === raw.name))) {
        fail([...at, 'name'], `${node}:${raw.name} is a port on a link already: a LAG's name is the name of its logical port on each node`);
      }
    }
    const ports: Record<string, string[]> = {};
    for (const node of pair) ports[node] = members.map((m) => (m.a.node === node ? m.a.port : m.b.port));
    return {
      name: raw.name,
      nodes: pair,
      members: members.map((m) => m.index),
      ports,
      minimumLinks,
      lacp: { mode: raw.lacp?.mode ?? 'active', rate: raw.lacp?.rate ?? 'fast' },
    };
  });
}

/** The LAG whose logical port `e` names, if it names one. */
export function lagOf(lags: readonly TopoLag[], e: Endpoint): TopoLag | undefined {
  return lags.find((l) => l.name === e.port && l.nodes.includes(e.node));
}

/** For path finding: a LAG's end stands for its first member's port on that node. */
export function throughLag(lags: readonly TopoLag[], e: Endpoint): Endpoint {
  const l = lagOf(lags, e);
  return l ? { node: e.node, port: l.ports[e.node]![0]! } : e;
}

/** A VIF ends on a LAG's logical port, never on one of its members. @throws through `fail`. */
export function checkLagVifEnds(vifs: readonly TopoVif[], links: readonly TopoLink[], fail: Fail): void {
  for (const [i, v] of vifs.entries()) {
    for (const [j, e] of v.ends.entries()) {
      const member = links.find((l) => l.lag !== undefined && ((l.a.node === e.node && l.a.port === e.port) || (l.b.node === e.node && l.b.port === e.port)));
      if (member) fail(['topology', 'vifs', i, 'endpoints', j], `${e.node}:${e.port} is a member of LAG ${member.lag}: a VIF over the LAG ends on ${e.node}:${member.lag}`);
    }
  }
}
