/** A link type: how a link's two wire ends are made. One module per type (veth.ts), listed in index.ts. */
export interface WireEnd {
  /** The namespace of the node at this end. */
  ns: string;
  /** The interface name (at most 15 characters). */
  name: string;
  /** `dxlab <lab> <node>:<port>`, for `ip link`. */
  alias: string;
  /** Its MAC address (paths.ts wireMac). */
  mac: string;
}

export interface LinkType {
  readonly name: string;
  /** Makes both ends, each in its node's namespace, up, with this MTU. */
  create(a: WireEnd, b: WireEnd, mtu: number): void;
}
