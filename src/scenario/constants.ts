/** Defaults of the scenario runner (lab/README.md lists them with the steps). */

/** How long a `wait` step waits when its file gives no timeoutS: MKA's default Life Time (6 s) several times over, loose for a loaded machine. */
export const DEFAULT_WAIT_TIMEOUT_S = 30;
/** How often a `wait` step asks the node again. */
export const WAIT_POLL_MS = 200;
/** A counting ping's default interval (ping -i 0.1: ten a second, enough to count what a fallback or a rekey loses). */
export const DEFAULT_PING_INTERVAL_MS = 100;
/**
 * EtherTypes a capture check does not count as cleartext: MACsec (0x88E5,
 * 802.1AE-2018 9.2) and EAPOL, whose MKPDUs are sent unprotected on the
 * uncontrolled port (0x888E, 802.1X-2020 11.1; 0x876F, Cisco's alternate
 * EtherType, which eapolEtherType may set).
 */
export const NOT_CLEARTEXT_ETHERTYPES: readonly number[] = [0x88e5, 0x888e, 0x876f];
export const ETHERTYPE_MACSEC = 0x88e5;
export const ETHERTYPE_EAPOL = 0x888e;
/**
 * A TCP stream's defaults: 2 Mbit/s in 16 KiB writes (iperf3 -b 2M -l 16K), sixteen writes a second,
 * so that a half-second interval with nothing written is a stall, not the gap between two writes;
 * slow enough not to load a shared machine whose MACsec runs in userspace.
 */
export const DEFAULT_TCP_RATE_MBPS = 2;
export const TCP_WRITE_OCTETS = 16 * 1024;
/** iperf3's report interval: a stall is measured in these. */
export const TCP_INTERVAL_S = 0.5;
/** The first iperf3 port a scenario's streams listen on (iperf3's own default, 5201), one more per stream. */
export const TCP_FIRST_PORT = 5201;
