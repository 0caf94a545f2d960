/** Polls `cond` every `stepMs` until it holds; throws after `ms`. */
export async function until(cond: () => boolean, ms = 5000, stepMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
