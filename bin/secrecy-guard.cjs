#!/usr/bin/env node
// The `secrecy-guard` command (npm link or npx secrecy-guard): runs the TypeScript CLI through tsx.
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`secrecy-guard: internal error: ${e && e.stack ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
