/** The web view's fixed values. */

/** The first port a lab's web view tries (the next free one is taken, services.ts). */
export const WEB_BASE_PORT = 8480;

/**
 * How often the nodes are asked for status and counters: nodes have no push
 * channel for counters (issue 22 asks for 1 s or faster).
 */
export const WEB_POLL_MS = 1000;

/** Counter samples kept per port for the charts (five minutes at one a second). */
export const WEB_HISTORY_SAMPLES = 300;

/** KaY events kept for a page that connects later. */
export const WEB_EVENTS_KEPT = 2000;

/** The header an action carries its token in (the page reads it from its URL's `token`). */
export const WEB_TOKEN_HEADER = 'x-dxlab-token';

/** The service's name in the lab's state file (`dxlab status` lists it). */
export const WEB_SERVICE_NAME = 'ui';
