/** Polls `cond` every `stepMs` until it holds; throws after `ms`. */
export async function until(cond: () => boolean, ms = 5000, stepMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Polls `cond` every 250 ms until it holds, counting a throw as not yet (a
 * command that fails while a lab comes up); throws "WHAT within MS ms".
 */
export async function untilHolds(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (cond()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
