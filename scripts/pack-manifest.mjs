// The packed package.json leaves out `prepare`. In a clone, `npm install` runs `prepare` (the build);
// in an installed tarball, dist/ is already there, npm does not run it, but npm 11 still lists a
// tarball's `prepare` as an install script not covered by allowScripts (a warning on every
// `npm install <tarball>`, an error under --strict-allow-scripts). `prepack` builds instead and calls
// `strip`; `postpack` calls `restore`, which puts back the file byte for byte.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const FILE = 'package.json';
const SAVED = '.tmp/package.json.prepack';
// npm runs these when a package from a tarball, folder or git is installed: none may be packed.
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

const action = process.argv[2];
if (action === 'strip') {
  // A pack that failed between the two leaves the saved file: restore it first, never overwrite it.
  if (existsSync(SAVED)) {
    console.error(`pack-manifest: ${SAVED} is left from an earlier pack: node scripts/pack-manifest.mjs restore`);
    process.exit(1);
  }
  const text = readFileSync(FILE, 'utf8');
  const pkg = JSON.parse(text);
  mkdirSync('.tmp', { recursive: true });
  writeFileSync(SAVED, text);
  for (const s of INSTALL_SCRIPTS) delete pkg.scripts[s];
  writeFileSync(FILE, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (action === 'restore') {
  if (existsSync(SAVED)) renameSync(SAVED, FILE);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
