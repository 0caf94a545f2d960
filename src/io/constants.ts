/**
 * Defaults of the frame I/O layer, with the reason for each.
 */

/** ETH_P_ALL (linux/if_ether.h): an AF_PACKET socket bound to it sees every EtherType. */
export const ETH_P_ALL = 0x0003;

/** Ethernet header (destination, source, EtherType). */
export const ETHERNET_HEADER_OCTETS = 14;

/** An 802.1Q tag. */
export const VLAN_TAG_OCTETS = 4;

/**
 * Frames read per system call and handed to JavaScript per callback. 64
 * amortises the call into JavaScript; more adds latency without speed
 * (bench/io.ts).
 */
export const DEFAULT_BATCH_FRAMES = 64;

/** The largest frame read whole; longer ones are counted in `rxTruncated`. */
export const DEFAULT_MAX_FRAME_OCTETS = 65535;

/**
 * AF_PACKET receive buffer. The kernel doubles it for bookkeeping and charges
 * each frame's truesize (about 12-16 KiB for a 9000-octet frame), so 32 MiB
 * holds a burst of 1000 jumbo frames sent while this process was busy.
 * Set with SO_RCVBUFFORCE, which passes net.core.rmem_max (root only).
 */
export const DEFAULT_RCVBUF_OCTETS = 32 * 1024 * 1024;

/** AF_PACKET send buffer (SO_SNDBUFFORCE). */
export const DEFAULT_SNDBUF_OCTETS = 8 * 1024 * 1024;

/**
 * TAP txqueuelen: the kernel queues at most this many frames for the reader
 * and drops the rest. With the default 1000 a TAP drops exactly as many
 * frames as TCP retransmits (DESIGN.md, measured).
 */
export const DEFAULT_TAP_TXQUEUELEN = 10000;


/** Frames a stopped memory endpoint holds before dropping. */
export const DEFAULT_MEMORY_QUEUE_FRAMES = 10000;

/** Where `ip netns add NAME` puts the namespace file. */
export const NETNS_RUN_DIR = '/run/netns';
