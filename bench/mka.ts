/**
 * MKA figures for `npm run bench`, added once the KaY exists (src/mka).
 */
export async function mkaBench(): Promise<{ lines: string[]; [k: string]: unknown }> {
  return { lines: [] };
}
