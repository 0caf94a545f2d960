/** One to four random mutations: bit flips, octet sets, truncation, extension, splices. */
export function mutateFrame(seed: Uint8Array, rand: () => number): Uint8Array {
  let f = seed.slice();
  const rounds = 1 + Math.floor(rand() * 4);
  for (let r = 0; r < rounds; r++) {
    const op = Math.floor(rand() * 6);
    const at = Math.floor(rand() * Math.max(1, f.length));
    switch (op) {
      case 0:
        if (f.length) f[at] = f[at]! ^ (1 << Math.floor(rand() * 8));
        break;
      case 1:
        if (f.length) f[at] = Math.floor(rand() * 256);
        break;
      case 2:
        f = f.slice(0, at);
        break;
      case 3: {
        const extra = new Uint8Array(Math.floor(rand() * 64)).map(() => Math.floor(rand() * 256));
        const g = new Uint8Array(f.length + extra.length);
        g.set(f);
        g.set(extra, f.length);
        f = g;
        break;
      }
      case 4:
        // Header octets are where the interesting branches are.
        if (f.length > 20) f[12 + Math.floor(rand() * 8)] = Math.floor(rand() * 256);
        break;
      default:
        if (f.length > 4) {
          const i = Math.floor(rand() * f.length);
          const j = Math.floor(rand() * f.length);
          const t = f[i]!;
          f[i] = f[j]!;
          f[j] = t;
        }
    }
  }
  return f;
}
