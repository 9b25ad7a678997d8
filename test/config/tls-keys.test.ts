/** The TLS keys of `wsguard serve`: validated at start-up, one line naming the key; files kept for reload. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/index.js';

function fails(env: NodeJS.ProcessEnv, key: string, message: RegExp): void {
  assert.throws(() => loadConfig(env), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.key, key);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('TLS keys: the files, cipher list, minimum version and reload interval are read; bad values name their key', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-tls-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');
  const files = { WSGUARD_TLS_CERT: cert, WSGUARD_TLS_KEY: key };

  const plain = loadConfig(files).tls!;
  assert.deepEqual(plain, { cert: 'CERT', key: 'KEY', certFile: cert, keyFile: key, ciphers: undefined, minVersion: undefined, reloadIntervalMs: 60_000 });
  const tuned = loadConfig({ ...files, WSGUARD_TLS_CIPHERS: 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384', WSGUARD_TLS_MIN_VERSION: 'TLSv1.3', WSGUARD_TLS_RELOAD_INTERVAL: '0' }).tls!;
  assert.equal(tuned.ciphers, 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384');
  assert.equal(tuned.minVersion, 'TLSv1.3');
  assert.equal(tuned.reloadIntervalMs, 0);

  fails({ ...files, WSGUARD_TLS_CIPHERS: 'NOT-A-CIPHER' }, 'WSGUARD_TLS_CIPHERS', /OpenSSL cipher list/);
  fails({ ...files, WSGUARD_TLS_MIN_VERSION: 'SSLv3' }, 'WSGUARD_TLS_MIN_VERSION', /TLSv1\.2/);
  fails({ ...files, WSGUARD_TLS_RELOAD_INTERVAL: 'often' }, 'WSGUARD_TLS_RELOAD_INTERVAL', /duration/);
  // Without a certificate the hub serves plain HTTP: a profile key alone is a mistake, not a no-op.
  fails({ WSGUARD_TLS_CIPHERS: 'ECDHE-RSA-AES256-GCM-SHA384' }, 'WSGUARD_TLS_CIPHERS', /only with WSGUARD_TLS_CERT/);
  fails({ WSGUARD_TLS_MIN_VERSION: 'TLSv1.3' }, 'WSGUARD_TLS_MIN_VERSION', /only with WSGUARD_TLS_CERT/);
});
