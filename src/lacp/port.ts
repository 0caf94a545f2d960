/**
 * One Aggregation Port's LACP machines (IEEE 802.1AX-2014 6.4; figure numbers
 * as in 802.1AX-2014, the machines are the same in 802.1AX-2020): the Receive
 * machine (6.4.12, figure 6-18), the Periodic Transmission machine (6.4.13,
 * figure 6-19), the Mux machine with independent control of collection and
 * distribution (6.4.15, figure 6-21) and the Transmit machine (6.4.16). The
 * Selection Logic (6.4.14) spans ports and lives in the {@link Lag}.
 *
 * Each `step*` method evaluates its machine once at `now`, takes at most one
 * transition (running the new state's entry actions, as the standard's
 * state-diagram conventions in 802.1AX-2014 6.4.3 say) and reports whether it
 * moved, so the Lag can run all machines to a fixed point after each input.
 * Timers are absolute deadlines on the caller's clock; "timer expired" is
 * `now >= deadline`.
 *
 * Churn Detection (6.4.17) is not implemented: it only raises an alarm for
 * management (docs/lacp-decisions.md §5).
 */
import {
  AGGREGATE_WAIT_TIME_MS,
  FAST_PERIODIC_TIME_MS,
  LONG_TIMEOUT_TIME_MS,
  MAX_LACPDUS_PER_FAST_PERIOD,
  SHORT_TIMEOUT_TIME_MS,
  SLOW_PERIODIC_TIME_MS,
  STATE,
} from './constants.js';
import { encodeLacpdu, samePortInformation, type Lacpdu, type PortInformation } from './lacpdu.js';
import { hasBit, withBit } from './state.js';

/** Receive machine states (802.1AX-2014 figure 6-18). */
export type RxState = 'INITIALIZE' | 'PORT_DISABLED' | 'EXPIRED' | 'LACP_DISABLED' | 'DEFAULTED' | 'CURRENT';
/** Periodic Transmission machine states (802.1AX-2014 figure 6-19). */
export type PeriodicState = 'NO_PERIODIC' | 'FAST_PERIODIC' | 'SLOW_PERIODIC' | 'PERIODIC_TX';
/** Mux machine states, independent control (802.1AX-2014 figure 6-21). */
export type MuxState = 'DETACHED' | 'WAITING' | 'ATTACHED' | 'COLLECTING' | 'DISTRIBUTING';
/** The Selected variable (802.1AX-2014 6.4.8). */
export type Selected = 'UNSELECTED' | 'SELECTED' | 'STANDBY';
/** Which machine a transition belongs to. */
export type LacpMachine = 'receive' | 'periodic' | 'mux' | 'selection';

/** Per-port statistics, named as 802.1AX-2014 7.3.3.1 names them (aAggPortStats...). */
export interface LacpPortCounters {
  lacpdusRx: number;
  markerPdusRx: number;
  markerResponsePdusRx: number;
  /** Slow Protocols frames of a subtype other than LACP and Marker. */
  unknownRx: number;
  /** LACPDUs and Marker PDUs that failed to decode. */
  illegalRx: number;
  lacpdusTx: number;
  markerResponsePdusTx: number;
}

/** What the machines need from the system and the aggregator. */
export interface PortContext {
  now: number;
  system: Uint8Array;
  systemPriority: number;
  collectorMaxDelay: number;
  /** Every port WAITING for this aggregator has its Ready_N (802.1AX-2014 6.4.8 Ready). */
  ready: boolean;
  /** Called for each transition the machines take. */
  transition(port: AggregationPort, machine: LacpMachine, from: string, to: string, reason: string): void;
}

/** The static identity of a port: its name in the node, its MAC, its Port Number and Priority. */
export interface PortIdentity {
  name: string;
  mac: Uint8Array;
  portNumber: number;
  portPriority: number;
}

function emptyInfo(state: number): PortInformation {
  return { systemPriority: 0, system: new Uint8Array(6), key: 0, portPriority: 0, port: 0, state };
}

/** Partner-state bits update_NTT compares (802.1AX-2014 6.4.9 update_NTT). */
const NTT_STATE_BITS = STATE.lacpActivity | STATE.lacpTimeout | STATE.synchronization | STATE.aggregation;

export class AggregationPort {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly portNumber: number;
  readonly portPriority: number;

  /** Actor_Oper_Port_Key (802.1AX-2014 6.4.7). */
  actorKey: number;
  /** Actor_Oper_Port_State. */
  actorState: number;
  /** Partner_Admin_*: what a port without a partner records (recordDefault). */
  partnerAdmin: PortInformation;
  /** Partner_Oper_*. */
  partner: PortInformation;

  /** Port_Enabled: the MAC is operational (in dxlab: the member's wire up and its controlled port enabled). */
  portEnabled = false;
  /** LACP_Enabled: the port runs LACP (802.1AX-2014 6.4.8; full duplex links). */
  lacpEnabled = true;
  /** port_moved: this port's partner now shows up on another port (6.4.8). */
  portMoved = false;
  selected: Selected = 'UNSELECTED';
  /** Ready_N: the wait_while_timer expired (6.4.8). */
  readyN = false;
  /** NTT, Need To Transmit (6.4.7). */
  ntt = false;

  rx: RxState = 'INITIALIZE';
  periodic: PeriodicState = 'NO_PERIODIC';
  mux: MuxState = 'DETACHED';

  currentWhileTimer?: number;
  periodicTimer?: number;
  waitWhileTimer?: number;
  /** Send times of the latest LACPDUs, for the three-per-Fast_Periodic_Time limit (6.4.16). */
  private txTimes: number[] = [];

  readonly counters: LacpPortCounters = { lacpdusRx: 0, markerPdusRx: 0, markerResponsePdusRx: 0, unknownRx: 0, illegalRx: 0, lacpdusTx: 0, markerResponsePdusTx: 0 };

  constructor(id: PortIdentity, key: number, adminState: number, partnerAdminState: number) {
    this.name = id.name;
    this.mac = id.mac;
    this.portNumber = id.portNumber;
    this.portPriority = id.portPriority;
    this.actorKey = key;
    this.actorState = adminState;
    this.partnerAdmin = emptyInfo(partnerAdminState);
    this.partner = emptyInfo(partnerAdminState);
  }

  /** The actor's information as this port sends it. */
  actorInfo(ctx: Pick<PortContext, 'system' | 'systemPriority'>): PortInformation {
    return { systemPriority: ctx.systemPriority, system: ctx.system, key: this.actorKey, portPriority: this.portPriority, port: this.portNumber, state: this.actorState };
  }

  /** BEGIN: every machine to its initial state (802.1AX-2014 6.4.8 BEGIN). */
  begin(ctx: PortContext): void {
    this.enterRx(ctx, 'INITIALIZE', 'BEGIN');
    this.enterPeriodic(ctx, 'NO_PERIODIC', 'BEGIN');
    this.enterMux(ctx, 'DETACHED', 'BEGIN');
  }

  // ---------------------------------------------------------------- receive

  /**
   * One evaluation of the Receive machine (figure 6-18). `pdu` is an LACPDU
   * received since the last evaluation ("CtrlMuxN:M_UNITDATA.indication
   * (LACPDU)"); it is consumed by the first transition that takes it.
   */
  stepRx(ctx: PortContext, pdu: Lacpdu | undefined): { moved: boolean; consumed: boolean } {
    const expired = this.currentWhileTimer !== undefined && ctx.now >= this.currentWhileTimer;
    // Global transition: (!Port_Enabled) && (!port_moved) from any state.
    if (!this.portEnabled && !this.portMoved && this.rx !== 'PORT_DISABLED' && this.rx !== 'INITIALIZE') {
      this.enterRx(ctx, 'PORT_DISABLED', 'port disabled');
      return { moved: true, consumed: false };
    }
    switch (this.rx) {
      case 'INITIALIZE':
        this.enterRx(ctx, 'PORT_DISABLED', 'UCT');
        return { moved: true, consumed: false };
      case 'PORT_DISABLED':
        if (this.portMoved) this.enterRx(ctx, 'INITIALIZE', 'port_moved: the partner shows up on another port');
        else if (this.portEnabled && this.lacpEnabled) this.enterRx(ctx, 'EXPIRED', 'port enabled, LACP enabled');
        else if (this.portEnabled && !this.lacpEnabled) this.enterRx(ctx, 'LACP_DISABLED', 'port enabled, LACP disabled');
        else return { moved: false, consumed: false };
        return { moved: true, consumed: false };
      case 'LACP_DISABLED':
        if (!this.lacpEnabled) return { moved: false, consumed: false };
        this.enterRx(ctx, 'PORT_DISABLED', 'LACP enabled');
        return { moved: true, consumed: false };
      case 'EXPIRED':
      case 'DEFAULTED':
      case 'CURRENT':
        if (pdu) {
          this.enterRx(ctx, 'CURRENT', 'LACPDU received', pdu);
          return { moved: true, consumed: true };
        }
        if (expired && this.rx === 'EXPIRED') {
          this.enterRx(ctx, 'DEFAULTED', 'current_while_timer expired');
          return { moved: true, consumed: false };
        }
        if (expired && this.rx === 'CURRENT') {
          this.enterRx(ctx, 'EXPIRED', 'current_while_timer expired');
          return { moved: true, consumed: false };
        }
        return { moved: false, consumed: false };
    }
  }

  private enterRx(ctx: PortContext, to: RxState, reason: string, pdu?: Lacpdu): void {
    const from = this.rx;
    this.rx = to;
    switch (to) {
      case 'INITIALIZE':
        this.selected = 'UNSELECTED';
        this.recordDefault();
        this.actorState = withBit(this.actorState, STATE.expired, false);
        this.portMoved = false;
        break;
      case 'PORT_DISABLED':
        this.partner.state = withBit(this.partner.state, STATE.synchronization, false);
        this.currentWhileTimer = undefined;
        break;
      case 'EXPIRED':
        this.partner.state = withBit(this.partner.state, STATE.synchronization, false);
        this.partner.state = withBit(this.partner.state, STATE.lacpTimeout, true);
        this.currentWhileTimer = ctx.now + SHORT_TIMEOUT_TIME_MS;
        this.actorState = withBit(this.actorState, STATE.expired, true);
        break;
      case 'LACP_DISABLED':
        this.selected = 'UNSELECTED';
        this.recordDefault();
        this.partner.state = withBit(this.partner.state, STATE.aggregation, false);
        this.actorState = withBit(this.actorState, STATE.expired, false);
        this.currentWhileTimer = undefined;
        break;
      case 'DEFAULTED':
        this.updateDefaultSelected();
        this.recordDefault();
        this.actorState = withBit(this.actorState, STATE.expired, false);
        this.currentWhileTimer = undefined;
        break;
      case 'CURRENT':
        this.updateSelected(pdu!);
        this.updateNtt(ctx, pdu!);
        this.recordPdu(ctx, pdu!);
        this.currentWhileTimer = ctx.now + (hasBit(this.actorState, STATE.lacpTimeout) ? SHORT_TIMEOUT_TIME_MS : LONG_TIMEOUT_TIME_MS);
        this.actorState = withBit(this.actorState, STATE.expired, false);
        break;
    }
    ctx.transition(this, 'receive', from, to, reason);
  }

  /**
   * recordPDU (802.1AX-2014 6.4.9): the PDU's Actor information becomes the
   * Partner_Oper information, Defaulted is cleared, and the partner counts as
   * in sync when it says it is and either it has our current information or
   * it is an individual link, and LACP will keep the link up (one end active).
   */
  private recordPdu(ctx: PortContext, pdu: Lacpdu): void {
    const actorActive = hasBit(this.actorState, STATE.lacpActivity);
    const pduActorActive = hasBit(pdu.actor.state, STATE.lacpActivity);
    const pduPartnerActive = hasBit(pdu.partner.state, STATE.lacpActivity);
    const maintained = pduActorActive || (actorActive && pduPartnerActive);
    const matches = samePortInformation(pdu.partner, this.actorInfo(ctx)) && hasBit(pdu.partner.state, STATE.aggregation) === hasBit(this.actorState, STATE.aggregation);
    const sync = hasBit(pdu.actor.state, STATE.synchronization) && maintained && (matches || !hasBit(pdu.actor.state, STATE.aggregation));
    this.partner = { ...pdu.actor, system: pdu.actor.system.slice(), state: withBit(pdu.actor.state, STATE.synchronization, sync) };
    this.actorState = withBit(this.actorState, STATE.defaulted, false);
  }

  /** recordDefault (6.4.9): Partner_Admin values become Partner_Oper, Defaulted set. */
  private recordDefault(): void {
    this.partner = { ...this.partnerAdmin, system: this.partnerAdmin.system.slice() };
    this.actorState = withBit(this.actorState, STATE.defaulted, true);
  }

  /** update_Selected (6.4.9): a partner that is not the one recorded unselects the port. */
  private updateSelected(pdu: Lacpdu): void {
    if (!samePortInformation(pdu.actor, this.partner) || hasBit(pdu.actor.state, STATE.aggregation) !== hasBit(this.partner.state, STATE.aggregation)) {
      this.selected = 'UNSELECTED';
    }
  }

  /** update_Default_Selected (6.4.9): the same against the Partner_Admin values. */
  private updateDefaultSelected(): void {
    if (!samePortInformation(this.partnerAdmin, this.partner) || hasBit(this.partnerAdmin.state, STATE.aggregation) !== hasBit(this.partner.state, STATE.aggregation)) {
      this.selected = 'UNSELECTED';
    }
  }

  /** update_NTT (6.4.9): the partner's view of us is out of date, so tell it. */
  private updateNtt(ctx: PortContext, pdu: Lacpdu): void {
    const me = this.actorInfo(ctx);
    if (!samePortInformation(pdu.partner, me) || (pdu.partner.state & NTT_STATE_BITS) !== (me.state & NTT_STATE_BITS)) this.ntt = true;
  }

  // --------------------------------------------------------------- periodic

  /** One evaluation of the Periodic Transmission machine (figure 6-19). */
  stepPeriodic(ctx: PortContext): boolean {
    const noPeriodic = !this.lacpEnabled || !this.portEnabled || (!hasBit(this.actorState, STATE.lacpActivity) && !hasBit(this.partner.state, STATE.lacpActivity));
    if (noPeriodic) {
      if (this.periodic === 'NO_PERIODIC') return false;
      this.enterPeriodic(ctx, 'NO_PERIODIC', !this.portEnabled ? 'port disabled' : !this.lacpEnabled ? 'LACP disabled' : 'actor and partner both passive');
      return true;
    }
    const expired = this.periodicTimer !== undefined && ctx.now >= this.periodicTimer;
    const partnerShort = hasBit(this.partner.state, STATE.lacpTimeout);
    switch (this.periodic) {
      case 'NO_PERIODIC':
        this.enterPeriodic(ctx, 'FAST_PERIODIC', 'UCT');
        return true;
      case 'FAST_PERIODIC':
        if (expired) this.enterPeriodic(ctx, 'PERIODIC_TX', 'periodic_timer expired');
        else if (!partnerShort) this.enterPeriodic(ctx, 'SLOW_PERIODIC', 'partner asks for long timeouts');
        else return false;
        return true;
      case 'SLOW_PERIODIC':
        if (!expired && !partnerShort) return false;
        this.enterPeriodic(ctx, 'PERIODIC_TX', expired ? 'periodic_timer expired' : 'partner asks for short timeouts');
        return true;
      case 'PERIODIC_TX':
        this.enterPeriodic(ctx, partnerShort ? 'FAST_PERIODIC' : 'SLOW_PERIODIC', partnerShort ? 'partner short timeout' : 'partner long timeout');
        return true;
    }
  }

  private enterPeriodic(ctx: PortContext, to: PeriodicState, reason: string): void {
    const from = this.periodic;
    this.periodic = to;
    if (to === 'NO_PERIODIC') this.periodicTimer = undefined;
    else if (to === 'FAST_PERIODIC') this.periodicTimer = ctx.now + FAST_PERIODIC_TIME_MS;
    else if (to === 'SLOW_PERIODIC') this.periodicTimer = ctx.now + SLOW_PERIODIC_TIME_MS;
    else {
      this.periodicTimer = undefined;
      this.ntt = true;
    }
    ctx.transition(this, 'periodic', from, to, reason);
  }

  // -------------------------------------------------------------------- mux

  /** One evaluation of the Mux machine, independent control (figure 6-21). */
  stepMux(ctx: PortContext): boolean {
    if (this.mux === 'WAITING' && this.waitWhileTimer !== undefined && ctx.now >= this.waitWhileTimer) {
      this.readyN = true;
      this.waitWhileTimer = undefined;
    }
    const s = this.selected;
    const pSync = hasBit(this.partner.state, STATE.synchronization);
    const pCollecting = hasBit(this.partner.state, STATE.collecting);
    switch (this.mux) {
      case 'DETACHED':
        if (s === 'UNSELECTED') return false;
        this.enterMux(ctx, 'WAITING', s === 'SELECTED' ? 'selected' : 'standby');
        return true;
      case 'WAITING':
        if (s === 'UNSELECTED') this.enterMux(ctx, 'DETACHED', 'unselected');
        else if (s === 'SELECTED' && ctx.ready) this.enterMux(ctx, 'ATTACHED', 'selected and ready');
        else return false;
        return true;
      case 'ATTACHED':
        if (s !== 'SELECTED') this.enterMux(ctx, 'DETACHED', s.toLowerCase());
        else if (pSync) this.enterMux(ctx, 'COLLECTING', 'partner in sync');
        else return false;
        return true;
      case 'COLLECTING':
        if (s !== 'SELECTED' || !pSync) this.enterMux(ctx, 'ATTACHED', s !== 'SELECTED' ? s.toLowerCase() : 'partner out of sync');
        else if (pCollecting) this.enterMux(ctx, 'DISTRIBUTING', 'partner collecting');
        else return false;
        return true;
      case 'DISTRIBUTING':
        if (s === 'SELECTED' && pSync && pCollecting) return false;
        this.enterMux(ctx, 'COLLECTING', s !== 'SELECTED' ? s.toLowerCase() : !pSync ? 'partner out of sync' : 'partner not collecting');
        return true;
    }
  }

  private enterMux(ctx: PortContext, to: MuxState, reason: string): void {
    const from = this.mux;
    this.mux = to;
    switch (to) {
      case 'DETACHED':
        // Detach_Mux_From_Aggregator, Disable_Distributing, Disable_Collecting.
        this.actorState = withBit(this.actorState, STATE.synchronization | STATE.collecting | STATE.distributing, false);
        this.waitWhileTimer = undefined;
        this.ntt = true;
        break;
      case 'WAITING':
        this.readyN = false;
        this.waitWhileTimer = ctx.now + AGGREGATE_WAIT_TIME_MS;
        break;
      case 'ATTACHED':
        // Attach_Mux_To_Aggregator; Disable_Collecting.
        this.actorState = withBit(withBit(this.actorState, STATE.synchronization, true), STATE.collecting, false);
        this.ntt = true;
        break;
      case 'COLLECTING':
        // Enable_Collecting; Disable_Distributing.
        this.actorState = withBit(withBit(this.actorState, STATE.collecting, true), STATE.distributing, false);
        this.ntt = true;
        break;
      case 'DISTRIBUTING':
        // Enable_Distributing. 802.1AX-2014 sets no NTT here: the partner
        // learns at the next periodic LACPDU, as its mux does not wait on it.
        this.actorState = withBit(this.actorState, STATE.distributing, true);
        break;
    }
    ctx.transition(this, 'mux', from, to, reason);
  }

  // --------------------------------------------------------------- transmit

  /**
   * The Transmit machine (6.4.16): an LACPDU when NTT is set, never in
   * NO_PERIODIC (NTT is then dropped), and no more than three in any
   * Fast_Periodic_Time. Returns the frame, or the time from which a held
   * NTT may go out.
   */
  transmit(ctx: PortContext): { frame?: Uint8Array; retryAt?: number } {
    if (!this.ntt) return {};
    if (this.periodic === 'NO_PERIODIC' || !this.portEnabled || !this.lacpEnabled) {
      this.ntt = false;
      return {};
    }
    this.txTimes = this.txTimes.filter((t) => t > ctx.now - FAST_PERIODIC_TIME_MS);
    if (this.txTimes.length >= MAX_LACPDUS_PER_FAST_PERIOD) return { retryAt: this.txTimes[0]! + FAST_PERIODIC_TIME_MS };
    this.txTimes.push(ctx.now);
    this.ntt = false;
    this.counters.lacpdusTx++;
    return {
      frame: encodeLacpdu({ source: this.mac, actor: this.actorInfo(ctx), partner: this.partner, collectorMaxDelay: ctx.collectorMaxDelay }),
    };
  }

  /** The earliest deadline of this port's timers. */
  nextDeadline(): number {
    let d = Infinity;
    for (const t of [this.currentWhileTimer, this.periodicTimer, this.mux === 'WAITING' ? this.waitWhileTimer : undefined]) if (t !== undefined && t < d) d = t;
    return d;
  }
}
