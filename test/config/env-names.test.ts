/**
 * A misspelt or empty environment variable stops start-up with one line naming it (the JSON file's
 * unknown keys already did), and the list of the project's non-config variables stays complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_KEYS, loadConfig } from '../../src/config/index.js';
import { WsguardConfigError } from '../../src/protocol/failures.js';
import { OTHER_ENV_VARS } from '../../src/config/env-names.js';

function refused(env: NodeJS.ProcessEnv, key: string, message: RegExp): void {
  assert.throws(() => loadConfig(env), (e: unknown) => {
    assert.ok(e instanceof WsguardConfigError, String(e));
    assert.equal(e.key, key);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

test('a misspelt WSGUARD_ variable is refused, naming it and the closest key', () => {
  refused({ WSGUARD_IDLE_TIMOUT: '20s' }, 'WSGUARD_IDLE_TIMOUT'.replace('TIMEOUT', 'TIMOUT'), /unknown variable; did you mean WSGUARD_IDLE_TIMEOUT\?/);
  refused({ WSGUARD_JWT_SECRETS: 's'.repeat(32) }, 'WSGUARD_JWT_SECRETS', /did you mean WSGUARD_JWT_SECRET\?/);
  refused({ WSGUARD_PROT: '9000', WSGUARD_PORT: '9000' }, 'WSGUARD_PROT', /did you mean WSGUARD_PORT\?/);
});

test('an unknown key in the JSON file names the closest key too', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wsguard.json');
  writeFileSync(file, JSON.stringify({ idle_timout: '20s' }));
  assert.throws(() => loadConfig({}, file), (e: unknown) => e instanceof WsguardConfigError && /^invalid configuration: idle_timout \(in .*\): unknown key; did you mean idle_timeout\?$/.test(e.message));
});

test('an empty config variable is refused, not read as the default', () => {
  refused({ WSGUARD_IDLE_TIMEOUT: '' }, 'WSGUARD_IDLE_TIMEOUT', /empty; give a value or unset the variable/);
  refused({ WSGUARD_PORT: '' }, 'WSGUARD_PORT', /empty/);
});

test('the project\'s other variables and unrelated ones are accepted', () => {
  const env: NodeJS.ProcessEnv = { PATH: '/bin', WSGUARDIAN: 'x', NOT_WSGUARD_X: 'y' };
  for (const name of OTHER_ENV_VARS) if (name !== 'WSGUARD_CONFIG') env[name] = 'x';
  assert.equal(loadConfig(env).port, 8080);
});

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|js|mjs|md|sh|service|json|yml|yaml)$/.test(name)) out.push(p);
  }
  return out;
}

test('every WSGUARD_ name the project uses is a config key or listed in OTHER_ENV_VARS', () => {
  const known = new Set([...Object.values(CONFIG_KEYS).map((k) => k.env), ...OTHER_ENV_VARS]);
  const used = new Map<string, string>();
  for (const dir of ['src', 'scripts', 'bench', 'test', 'docs', 'examples', 'deploy']) {
    let list: string[];
    try {
      list = files(dir);
    } catch {
      continue;
    }
    for (const f of list) for (const m of readFileSync(f, 'utf8').matchAll(/\bWSGUARD_[A-Z0-9_]*[A-Z0-9]\b/g)) used.set(m[0], f);
  }
  for (const m of readFileSync('README.md', 'utf8').matchAll(/\bWSGUARD_[A-Z0-9_]*[A-Z0-9]\b/g)) used.set(m[0], 'README.md');
  // The misspellings these tests, test/cli/serve.test.ts and docs/configuration.md show on purpose.
  const typos = new Set(['WSGUARD_IDLE_TIMOUT', 'WSGUARD_JWT_SECRETS', 'WSGUARD_PROT', 'WSGUARD_X']);
  const missing = [...used].filter(([name]) => !known.has(name) && !typos.has(name));
  assert.deepEqual(missing, [], 'add each to OTHER_ENV_VARS (src/config/env-names.ts) or CONFIG_KEYS');
  assert.ok(used.size > 20, 'the scan found the names');
});
