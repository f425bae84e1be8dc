// Run after a successful `npm run build:web`: marks dist/ as built from the sources as they are now, so the tests'
// ensureWebBuild (test/support/web-build.ts) uses this build instead of making the same one again (CI builds first).
const { existsSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', '..', 'dist');
if (existsSync(dist)) {
  writeFileSync(path.join(dist, '.build-stamp'), new Date().toISOString());
}
