// The browser bundle of the client SDK: one set of esbuild options for the build script and its test.
import type { BuildOptions } from 'esbuild';

export const CLIENT_BUNDLE_FILE = 'public/vendor/wsguard-client.js';

export const CLIENT_BUNDLE_OPTIONS = {
  entryPoints: ['src/client/index.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  metafile: true,
} satisfies BuildOptions;
