// Lint config: typescript-eslint's recommended rules plus the layer matrix of docs/architecture.md.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * The layer matrix: the other top-level folders of src/ each folder may import (docs/architecture.md).
 * client/ and protocol/ also run in browsers: no node: imports.
 */
export const LAYERS = {
  protocol: [],
  config: ['protocol'],
  audit: [],
  client: ['protocol'],
  redis: [],
  broker: ['protocol'],
  auth: ['protocol', 'redis'],
  store: ['protocol', 'redis'],
  server: ['protocol', 'auth'],
  cluster: ['protocol', 'redis', 'auth', 'broker', 'store'],
  hub: ['protocol', 'config', 'auth', 'broker', 'store', 'cluster', 'server'],
  lint: ['audit'],
  cli: ['protocol', 'config', 'auth', 'hub', 'audit', 'lint'],
};
const BROWSER = new Set(['client', 'protocol']);

for (const folder of readdirSync(new URL('./src/', import.meta.url), { withFileTypes: true })) {
  if (folder.isDirectory() && !(folder.name in LAYERS)) throw new Error(`eslint.config.js: src/${folder.name}/ is missing from LAYERS (the layer matrix); add it and docs/architecture.md`);
}

/** One config block per folder and depth: a relative import leaves the folder only with exactly `depth` "../". */
function layerBlocks(folder) {
  const allowed = LAYERS[folder];
  const refused = Object.keys(LAYERS).filter((f) => f !== folder && !allowed.includes(f));
  const message = `src/${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'no other folder of src/'} (layer matrix in eslint.config.js and docs/architecture.md).`;
  return [1, 2, 3, 4].map((depth) => {
    const up = `^(\\.\\./){${depth}}`;
    const patterns = [];
    if (refused.length) patterns.push({ regex: `${up}(${refused.join('|')})(/|$)`, message });
    if (BROWSER.has(folder)) patterns.push({ group: ['node:*'], message: `src/${folder}/ also runs in browsers: no node: imports.` });
    return { files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
  });
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/vendor/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  ...Object.keys(LAYERS).flatMap(layerBlocks),
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
);
