#!/usr/bin/env node
// The dxlab command. The TypeScript sources are compiled to dist/ by
// `npm ci` (the package's prepare script). entry.js sends a node process or
// a lab's supervisor straight to its code, everything else to the full
// command line (src/cli/entry.ts).
import { entry } from '../dist/cli/entry.js';

entry(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
