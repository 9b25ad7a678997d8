import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { WsguardConfigError } from '../../src/protocol/failures.js';
import { configDoc } from '../../scripts/gen-config-docs.js';

const SECRET = 's'.repeat(32);

function fails(env: NodeJS.ProcessEnv, key: string, path?: string): void {
  assert.throws(() => loadConfig(env, path), (e: unknown) => {
    assert.ok(e instanceof WsguardConfigError, String(e));
    assert.equal(e.key, key);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('defaults: loopback dev mode with a random secret', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.devMode, true);
  assert.ok(c.jwt.secret && c.jwt.secret.length >= 32);
  assert.notEqual(loadConfig({}).jwt.secret, c.jwt.secret);
  assert.equal(c.db, './data/wsguard.db');
  assert.equal(c.redis, undefined);
});

test('a bad value stops start-up with one line naming the key', () => {
  fails({ WSGUARD_PORT: 'eighty' }, 'WSGUARD_PORT');
  fails({ WSGUARD_PORT: '70000' }, 'WSGUARD_PORT');
  fails({ WSGUARD_JWT_SECRET: 'short' }, 'WSGUARD_JWT_SECRET');
  fails({ WSGUARD_ALLOWED_ORIGINS: 'https://a.example/path' }, 'WSGUARD_ALLOWED_ORIGINS');
  fails({ WSGUARD_REDIS_URL: 'http://x' }, 'WSGUARD_REDIS_URL');
  // A typo in the port is a config error naming the key, not the URL parser's bare "Invalid URL" at connect time.
  for (const bad of ['redis://127.0.0.1:6379x', 'redis://127.0.0.1:70000', 'redis://127.0.0.1:0', 'redis://', 'redis://h/abc', 'redis:127.0.0.1', '127.0.0.1:6379']) {
    fails({ WSGUARD_REDIS_URL: bad }, 'WSGUARD_REDIS_URL');
  }
  fails({ WSGUARD_RETENTION_MAX_AGE: 'forever' }, 'WSGUARD_RETENTION_MAX_AGE');
  fails({ WSGUARD_LOG_LEVEL: 'loud' }, 'WSGUARD_LOG_LEVEL');
  fails({ WSGUARD_TLS_CERT: '/x.pem' }, 'WSGUARD_TLS_KEY');
});

test('durations need a unit, numbers are digits only, and no value may silently destroy history', () => {
  fails({ WSGUARD_RETENTION_MAX_AGE: '7' }, 'WSGUARD_RETENTION_MAX_AGE'); // 7 what? once read as 7 ms
  fails({ WSGUARD_RETENTION_MAX_AGE: '30s' }, 'WSGUARD_RETENTION_MAX_AGE'); // prunes before clients resume
  fails({ WSGUARD_RETENTION_MAX_EVENTS: '1e3' }, 'WSGUARD_RETENTION_MAX_EVENTS');
  fails({ WSGUARD_RETENTION_MAX_EVENTS: '0x10' }, 'WSGUARD_RETENTION_MAX_EVENTS');
  fails({ WSGUARD_RETENTION_MAX_EVENTS: ' ' }, 'WSGUARD_RETENTION_MAX_EVENTS');
  fails({ WSGUARD_IDLE_TIMEOUT: '600' }, 'WSGUARD_IDLE_TIMEOUT');
  fails({ WSGUARD_PORT: ' ' }, 'WSGUARD_PORT'); // Number(' ') is 0: a random port, silently
  fails({ WSGUARD_PORT: '8e3' }, 'WSGUARD_PORT');
  assert.equal(loadConfig({ WSGUARD_RETENTION_MAX_AGE: '0' }).retention.maxAgeMs, 0);
  assert.equal(loadConfig({ WSGUARD_RETENTION_MAX_AGE: '1m' }).retention.maxAgeMs, 60_000);
  assert.equal(loadConfig({ WSGUARD_RETENTION_MAX_EVENTS: '250' }).retention.maxEvents, 250);
  assert.equal(loadConfig({}).idleTimeoutMs, 600_000);
  assert.equal(loadConfig({ WSGUARD_IDLE_TIMEOUT: '0' }).idleTimeoutMs, 0);
  assert.equal(loadConfig({ WSGUARD_IDLE_TIMEOUT: '90s' }).idleTimeoutMs, 90_000);
});

test('0 is refused for a cap that must be at least 1, and taken where the key says what 0 means', () => {
  // A cap of 0 would refuse every connection, ticket or replay: a typo, stopped at start-up naming the key.
  for (const name of ['WSGUARD_MAX_CONNECTIONS', 'WSGUARD_REPLAY_PER_USER', 'WSGUARD_MAX_CHANNELS', 'WSGUARD_MAX_TICKETS', 'WSGUARD_REVOCATION_RATE']) {
    fails({ [name]: '0' }, name);
    assert.throws(() => loadConfig({ [name]: '0' }), /at least 1/);
  }
  // Digits only for these too (z.coerce once took '1e3' and ' 7 ').
  fails({ WSGUARD_MAX_CHANNELS: '1e3' }, 'WSGUARD_MAX_CHANNELS');
  fails({ WSGUARD_REPLAY_PER_CONNECTION: ' 2 ' }, 'WSGUARD_REPLAY_PER_CONNECTION');
  assert.equal(loadConfig({ WSGUARD_MAX_CONNECTIONS: '1' }).maxConnections, 1);
  assert.equal(loadConfig({ WSGUARD_MAX_CHANNELS: '5' }).channels?.max, 5);
  // "0 = unlimited" / "0 = no cap", as their descriptions say.
  assert.equal(loadConfig({ WSGUARD_RETENTION_MAX_EVENTS: '0' }).retention.maxEvents, 0);
  assert.equal(loadConfig({ WSGUARD_MAX_TCP_PER_IP: '0' }).maxTcpPerIp, 0);
});

test('refuses a non-loopback bind without secret, origins, and TLS or a trusted proxy', () => {
  fails({ WSGUARD_HOST: '0.0.0.0' }, 'WSGUARD_JWT_SECRET');
  fails({ WSGUARD_HOST: '0.0.0.0', WSGUARD_JWT_SECRET: SECRET }, 'WSGUARD_ALLOWED_ORIGINS');
  fails({ WSGUARD_HOST: '0.0.0.0', WSGUARD_JWT_SECRET: SECRET, WSGUARD_ALLOWED_ORIGINS: 'https://app.example' }, 'WSGUARD_TLS_CERT');
  const c = loadConfig({ WSGUARD_HOST: '0.0.0.0', WSGUARD_JWT_SECRET: SECRET, WSGUARD_ALLOWED_ORIGINS: 'https://app.example', WSGUARD_TRUST_PROXY: '10.0.0.1' });
  assert.equal(c.devMode, false);
  assert.deepEqual(c.allowedOrigins, ['https://app.example']);
});

test('config file: same keys, environment wins, unknown keys and bad JSON refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ port: 9001, allowed_origins: ['https://a.example', 'https://b.example'], retention_max_age: '1h' }));
  const c = loadConfig({}, file);
  assert.equal(c.port, 9001);
  assert.deepEqual(c.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(c.retention.maxAgeMs, 3_600_000);
  assert.equal(loadConfig({ WSGUARD_PORT: '9002' }, file).port, 9002);
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  fails({}, `prot (in ${file})`, file);
  writeFileSync(file, JSON.stringify({ port: 'x' }));
  fails({}, `port (in ${file})`, file);
  writeFileSync(file, '{');
  fails({}, 'WSGUARD_CONFIG', file);
  fails({}, 'WSGUARD_CONFIG', join(dir, 'missing.json'));
});

test('docs/configuration.md is generated from the key table (run: npx tsx scripts/gen-config-docs.ts)', () => {
  assert.equal(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8'), configDoc());
});

test('a valid Redis URL is accepted as written; the error for a bad one never echoes it (it may hold a password)', () => {
  for (const ok of ['redis://127.0.0.1:6379', 'rediss://:pw@redis.example:6380/2', 'redis://[::1]', 'redis://h/']) {
    assert.equal(loadConfig({ WSGUARD_REDIS_URL: ok }).redis?.url, ok);
  }
  assert.throws(() => loadConfig({ WSGUARD_REDIS_URL: 'redis://:hunter2-secret@127.0.0.1:6379x' }), (e: unknown) => {
    assert.ok(e instanceof WsguardConfigError && e.key === 'WSGUARD_REDIS_URL', String(e));
    assert.match(e.message, /not a valid URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    assert.ok(!e.message.includes('hunter2'), e.message);
    return true;
  });
});
