// Bundles the client SDK for browsers (ESM, minified) into public/vendor/wsguard-client.js,
// which the hub's page loads, and prints its minified and gzipped sizes.
// Fails if anything from node_modules (zod...) ends up in the bundle: the client needs only protocol types.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { CLIENT_BUNDLE_FILE, CLIENT_BUNDLE_OPTIONS } from './client-bundle.js';

const result = await build({ ...CLIENT_BUNDLE_OPTIONS, outfile: CLIENT_BUNDLE_FILE, logLevel: 'warning' });

const foreign = Object.keys(result.metafile.inputs).filter((p) => p.includes('node_modules') || !/^src\/(client|protocol)\//.test(p));
if (foreign.length > 0) {
  console.error(`build-client: unexpected inputs in the browser bundle: ${foreign.join(', ')}`);
  process.exit(1);
}
const code = readFileSync(CLIENT_BUNDLE_FILE);
console.log(`${CLIENT_BUNDLE_FILE}: ${code.length} bytes minified, ${gzipSync(code, { level: 9 }).length} bytes gzipped`);
