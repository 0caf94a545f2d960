/**
 * Per-peer route tables: Adj-RIB-In, the routes learned from one peer as
 * received (RFC 4271 §3.2, §9), and Adj-RIB-Out reduced to the prefixes
 * advertised to it, for the received/advertised counts `show` prints.
 *
 * An UPDATE is applied as RFC 4271 §9 reads: withdrawn routes first, then
 * the advertised ones, a prefix already present being replaced (implicit
 * withdraw, §3.1). An UPDATE flagged treat-as-withdraw (RFC 7606 §2) removes
 * every prefix it names. Best-path selection and the FIB are the driver's.
 */
import { AFI_IPV4, AFI_IPV6 } from './constants.js';
import type { PathAttributes, Update } from './messages.js';

/** One route learned from the peer. `attributes` excludes the MP attributes, whose content is in `prefix` and the next hops. */
export interface Route {
  readonly prefix: string;
  readonly afi: number;
  readonly nextHop: string;
  /** IPv6 link-local next hop when the peer sent two (RFC 2545 §3). */
  readonly linkLocalNextHop?: string;
  readonly attributes: PathAttributes;
}

/** What applying an UPDATE changed. */
export interface RibChange {
  readonly installed: Route[];
  readonly withdrawn: string[];
}

/** Which families to accept, and routes to leave out (AS loops, policy). */
export interface RibFilter {
  readonly families: ReadonlySet<number>;
  /** Returns false to ignore an announced route (it is then withdrawn if present). */
  readonly accept?: (route: Route) => boolean;
}

function stripMp(a: PathAttributes): PathAttributes {
  const { mpReach: _r, mpUnreach: _u, ...rest } = a;
  return rest;
}

export class AdjRibIn {
  private readonly routes = new Map<string, Route>();

  /**
   * Applies one UPDATE. Prefixes of families not in `filter.families` are ignored.
   * @returns the routes installed or replaced, and the prefixes actually removed.
   */
  apply(update: Update, filter: RibFilter): RibChange {
    const withdrawn: string[] = [];
    const installed: Route[] = [];
    const remove = (prefix: string) => {
      if (this.routes.delete(prefix)) withdrawn.push(prefix);
    };
    const v4 = filter.families.has(AFI_IPV4);
    const mpReach = update.attributes.mpReach;
    const mpUnreach = update.attributes.mpUnreach;
    const mpOk = (afi: number | undefined) => afi !== undefined && filter.families.has(afi);

    if (v4) update.withdrawn.forEach(remove);
    if (mpUnreach && mpOk(mpUnreach.afi)) mpUnreach.withdrawn.forEach(remove);

    if (update.treatAsWithdraw) {
      if (v4) update.nlri.forEach(remove);
      if (mpReach && mpOk(mpReach.afi)) mpReach.nlri.forEach(remove);
      return { installed, withdrawn };
    }

    const attributes = stripMp(update.attributes);
    const announce = (route: Route) => {
      if (filter.accept && !filter.accept(route)) {
        remove(route.prefix);
        return;
      }
      this.routes.set(route.prefix, route);
      installed.push(route);
    };
    if (v4 && update.attributes.nextHop !== undefined) {
      for (const prefix of update.nlri) announce({ prefix, afi: AFI_IPV4, nextHop: update.attributes.nextHop, attributes });
    }
    if (mpReach && mpOk(mpReach.afi) && mpReach.nextHops[0] !== undefined) {
      const [nextHop, linkLocal] = mpReach.nextHops;
      for (const prefix of mpReach.nlri) {
        announce(linkLocal === undefined ? { prefix, afi: mpReach.afi, nextHop, attributes } : { prefix, afi: mpReach.afi, nextHop, linkLocalNextHop: linkLocal, attributes });
      }
    }
    return { installed, withdrawn };
  }

  /** Removes everything (session down, RFC 4271 §8.2.2 "deletes all routes"), returning the prefixes removed. */
  clear(): string[] {
    const all = [...this.routes.keys()];
    this.routes.clear();
    return all;
  }

  get(prefix: string): Route | undefined {
    return this.routes.get(prefix);
  }

  /** Routes of one AFI, or all. */
  list(afi?: number): Route[] {
    const all = [...this.routes.values()];
    return afi === undefined ? all : all.filter((r) => r.afi === afi);
  }

  get size(): number {
    return this.routes.size;
  }

  /** Prefix counts per family. */
  counts(): { ipv4: number; ipv6: number } {
    let ipv4 = 0;
    let ipv6 = 0;
    for (const r of this.routes.values()) {
      if (r.afi === AFI_IPV6) ipv6++;
      else ipv4++;
    }
    return { ipv4, ipv6 };
  }
}

/** The prefixes currently advertised to the peer (Adj-RIB-Out without attributes). */
export class AdvertisedPrefixes {
  private readonly v4 = new Set<string>();
  private readonly v6 = new Set<string>();

  /** Records an UPDATE that was sent. */
  record(update: Update): void {
    for (const p of update.withdrawn) this.v4.delete(p);
    const un = update.attributes.mpUnreach;
    if (un) for (const p of un.withdrawn) this.setOf(un.afi).delete(p);
    for (const p of update.nlri) this.v4.add(p);
    const re = update.attributes.mpReach;
    if (re) for (const p of re.nlri) this.setOf(re.afi).add(p);
  }

  private setOf(afi: number): Set<string> {
    return afi === AFI_IPV6 ? this.v6 : this.v4;
  }

  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }

  counts(): { ipv4: number; ipv6: number } {
    return { ipv4: this.v4.size, ipv6: this.v6.size };
  }

  has(prefix: string): boolean {
    return this.v4.has(prefix) || this.v6.has(prefix);
  }
}
