/**
 * The parts of a node's `status` answer (control socket `{ cmd: 'status' }`)
 * that the VIF tests read: each port's MACsec state and each VIF with its
 * BGP sessions.
 */
export interface PortStatus {
  name: string;
  mode: string;
  secured: boolean;
  keyChain: Array<{ ckn: string; inUse: boolean }>;
  cknInUse: string | null;
  controlledPort: string;
  kay: { notSecured?: { code: string; reason: string }; counters: { outMkpdu: number } };
  counters?: unknown;
}

export interface Vif {
  name: string;
  port: string;
  vlan: number | null;
  addresses: string[];
  bgp: Array<{ peerAddress: string; state: string }>;
}

export interface NodeStatus {
  ports: PortStatus[];
  vifs: Vif[];
}
