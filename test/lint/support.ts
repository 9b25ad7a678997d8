/** ESLint's RuleTester on node:test, for JavaScript and (through typescript-eslint's parser) TypeScript. */
import { describe, it } from 'node:test';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';

// RuleTester builds its own describe/it tree: give it node:test's.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const js = new RuleTester({ languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } });
export const ts = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' } });
