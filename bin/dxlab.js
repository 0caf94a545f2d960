#!/usr/bin/env node
// The dxlab command. The TypeScript sources are compiled to dist/ by
// `npm ci` (the package's prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
