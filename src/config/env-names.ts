/**
 * The environment is checked like the JSON file: a `WSGUARD_*` variable that is neither a config key
 * nor one of the project's other variables is a typo (`WSGUARD_IDLE_TIMOUT`) that would otherwise be
 * ignored silently, and the hub would start with the default the operator meant to change.
 */
import { closest } from 'fastest-levenshtein';
import { CONFIG_KEYS } from './keys.js';

/**
 * Every `WSGUARD_*` variable the project reads that is not a config key (test/config/env-names.test.ts
 * checks this list against the names used in src/, scripts/, bench/, test/ and the docs).
 */
export const OTHER_ENV_VARS: readonly string[] = [
  'WSGUARD_CONFIG', // the JSON config file (serve)
  'WSGUARD_ADMIN_TOKEN', // wsguard revoke
  'WSGUARD_URL', // wsguard revoke --url default
  'WSGUARD_DEBUG', // stack traces from the CLI
  'WSGUARD_TOKEN', // docs/client.md example
  'WSGUARD_CHECKS_MD', // docs/audit.md: the shared checks catalogue
  'WSGUARD_PAGE_SCREENSHOT', // docs/page.md: refresh the page screenshot
  'WSGUARD_BENCH_REDIS_URL', // bench
  'WSGUARD_TEST_REDIS_URL', // tests
  'WSGUARD_TEST_VERBOSE', // tests
  'WSGUARD_DRILL_HUB', // scripts/drill.ts children
  'WSGUARD_DRILL_ROLE',
  'WSGUARD_DRILL_BYSTANDER',
];

const CONFIG_ENV = Object.values(CONFIG_KEYS).map((k) => k.env);
const KNOWN = new Set([...CONFIG_ENV, ...OTHER_ENV_VARS]);

/** The config key a misspelt name most likely meant. */
export function closestKey(name: string): string {
  return closest(name, CONFIG_ENV);
}

/** `WSGUARD_*` names in `env` that nothing reads, in order. */
export function unknownEnvNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env).filter((name) => name.startsWith('WSGUARD_') && !KNOWN.has(name)).sort();
}
