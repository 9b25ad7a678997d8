// Lint config: typescript-eslint's recommended rules plus the layering rule from DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noServerOrHub = {
  patterns: [{ group: ['**/server/*', '**/server', '**/hub/*', '**/hub'], message: 'client/ and audit/ must not import server/ or hub/ (DESIGN.md layering).' }],
};
const nodeOnly = {
  patterns: [{ group: ['node:*'], message: 'client/ is isomorphic: no node: imports.' }],
};

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
  { files: ['src/audit/**/*.ts'], rules: { 'no-restricted-imports': ['error', noServerOrHub] } },
  { files: ['src/client/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...noServerOrHub.patterns, ...nodeOnly.patterns] }] } },
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
);
