/**
 * examples/wsguard.service: valid for systemd (systemd-analyze verify when it is installed, else a
 * parse of the unit), and the command it runs is this package's CLI and starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNIT = readFileSync(join(ROOT, 'examples/wsguard.service'), 'utf8');
const INSTALLED = '/opt/wsguard/node_modules/wsguard/';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

/** [section, key, value] of every setting, in order. */
function parseUnit(text: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  let section = '';
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[([A-Za-z]+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(kv && section !== '', `line ${i + 1} is not a setting: ${line}`);
    out.push([section, kv[1]!, kv[2]!]);
  }
  return out;
}

const settings = parseUnit(UNIT);
const get = (section: string, key: string) => settings.filter(([s, k]) => s === section && k === key).map(([, , v]) => v);

test('the unit parses, runs node itself (not npm) on the package bin, stops with SIGTERM and does not restart on a config error', () => {
  assert.deepEqual([...new Set(settings.map(([s]) => s))], ['Unit', 'Service', 'Install']);
  const [exec] = get('Service', 'ExecStart');
  const argv = exec!.split(/\s+/);
  assert.equal(argv[0], '/usr/bin/node');
  assert.ok(argv[1]!.startsWith(INSTALLED), argv[1]);
  assert.equal(argv[1]!.slice(INSTALLED.length), pkg.bin.wsguard!.replace(/^\.\//, ''));
  assert.deepEqual(argv.slice(2), ['serve']);
  assert.deepEqual(get('Service', 'KillSignal'), ['SIGTERM']);
  assert.deepEqual(get('Service', 'RestartPreventExitStatus'), ['2']);
  // Every Environment= value is a valid configuration.
  const env = Object.fromEntries(get('Service', 'Environment').map((e) => e.split('=', 2) as [string, string]));
  assert.equal(loadConfig(env).db, '/var/lib/wsguard/wsguard.db');
});

test('the example environment file is a valid configuration', () => {
  const env = Object.fromEntries(readFileSync(join(ROOT, 'examples/wsguard.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const c = loadConfig(env);
  assert.equal(c.devMode, false);
  assert.equal(c.host, '0.0.0.0');
});

test('the command it runs exists and starts: `serve --help` exits 0', () => {
  const script = join(ROOT, pkg.bin.wsguard!);
  // dist/ is built by `npm ci` (prepare); from a bare checkout, run the same module from source.
  const args = existsSync(script) ? [script, 'serve', '--help'] : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--help'];
  const r = spawnSync('/usr/bin/node', args, { encoding: 'utf8', cwd: ROOT, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: wsguard serve/);
});

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;
test('systemd-analyze verify accepts the unit with no warning', { skip: !analyze && 'systemd-analyze not installed (the parse above still ran)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-unit-'));
  try {
    // The installed path does not exist here: point it at this checkout's CLI.
    const file = join(dir, 'wsguard.service');
    writeFileSync(file, UNIT.replaceAll(INSTALLED, ROOT));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    // It exits 0 on unknown keys and bad values ("ignoring"), so any line about our file fails the test.
    const about = r.stderr.split('\n').filter((l) => l.includes('wsguard.service'));
    assert.deepEqual(about, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
