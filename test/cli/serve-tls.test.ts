/**
 * `wsguard serve` with TLS, as an operator runs it: SIGHUP reloads the certificate files (the file
 * poll is off here, so only the signal can do it), a broken pair on SIGHUP is refused with one log
 * line and the process keeps serving the old certificate, and a weakening override is warned about.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, X509Certificate } from 'node:crypto';
import { runCli, spawnCli, waitForOutput, type Cli } from './support.js';
import { caSignedCert, expiredCert, hasOpenssl, notYetValidCert } from '../fixtures/tls-certs.js';

const SECRET = randomBytes(32).toString('base64url');
const dir = mkdtempSync(join(tmpdir(), 'wsguard-serve-tls-'));
const clis: Cli[] = [];
after(async () => {
  for (const c of clis) {
    if (c.child.exitCode !== null) continue;
    c.child.kill('SIGTERM');
    await Promise.race([c.exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (c.child.exitCode === null) c.child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

const skip = !hasOpenssl() && 'needs the openssl CLI';

function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
  });
}

async function until(what: string, pred: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('SIGHUP serves the rotated certificate to new handshakes; a broken pair is refused and the hub keeps running', { skip }, async () => {
  const [a, b, c] = [caSignedCert(90), caSignedCert(60), caSignedCert(30)];
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, a.cert);
  writeFileSync(keyFile, a.key);
  const cli = spawnCli(['serve'], {
    WSGUARD_PORT: '0',
    WSGUARD_LOG_LEVEL: 'info',
    WSGUARD_JWT_SECRET: SECRET,
    WSGUARD_DB: join(dir, 'events.db'),
    WSGUARD_TLS_CERT: certFile,
    WSGUARD_TLS_KEY: keyFile,
    WSGUARD_TLS_RELOAD_INTERVAL: '0',
  });
  clis.push(cli);
  const port = Number((await waitForOutput(cli, /WebSocket wss:\/\/127\.0\.0\.1:(\d+)\/ws/))[1]);
  const fp = (pem: string) => new X509Certificate(pem).fingerprint256;
  assert.equal(await servedFingerprint(port), fp(a.cert));

  replace(keyFile, b.key);
  replace(certFile, b.cert);
  cli.child.kill('SIGHUP');
  await until('the new certificate', async () => (await servedFingerprint(port)) === fp(b.cert));

  replace(keyFile, c.key); // c's key with b's certificate
  cli.child.kill('SIGHUP');
  await until('the refusal line', () => /new certificate refused.*key does not match the certificate/.test(cli.stdout));
  assert.equal(cli.child.exitCode, null, 'still running');
  assert.equal(await servedFingerprint(port), fp(b.cert), 'still serving the last good certificate');
  assert.equal(cli.stdout.match(/new certificate refused/g)?.length, 1, 'one line for one refusal');
});

test('a weakening override is logged as a warning at start-up', { skip }, async () => {
  const a = caSignedCert(90);
  const certFile = join(dir, 'weak-cert.pem');
  const keyFile = join(dir, 'weak-key.pem');
  writeFileSync(certFile, a.cert);
  writeFileSync(keyFile, a.key);
  const cli = spawnCli(['serve'], {
    WSGUARD_PORT: '0',
    WSGUARD_LOG_LEVEL: 'warn',
    WSGUARD_JWT_SECRET: SECRET,
    WSGUARD_DB: join(dir, 'weak.db'),
    WSGUARD_TLS_CERT: certFile,
    WSGUARD_TLS_KEY: keyFile,
    WSGUARD_TLS_CIPHERS: 'HIGH',
    WSGUARD_TLS_MIN_VERSION: 'TLSv1.1',
  });
  clis.push(cli);
  await waitForOutput(cli, /WebSocket wss:\/\//);
  assert.match(cli.stdout, /weakens the TLS profile: minimum version TLSv1\.1 \(profile: TLSv1\.2\); ciphers outside the profile: HIGH/);
});

test('an expired or not yet valid certificate stops start-up: exit 2, one line naming WSGUARD_TLS_CERT and why', { skip }, async () => {
  for (const [name, pair, reason] of [
    ['expired', expiredCert(), /^wsguard: invalid configuration: WSGUARD_TLS_CERT: the certificate expired on 2020-02-01T00:00:00\.000Z \(.*expired-cert\.pem\)$/],
    ['future', notYetValidCert(), /^wsguard: invalid configuration: WSGUARD_TLS_CERT: the certificate is not valid before 2090-01-01T00:00:00\.000Z \(.*future-cert\.pem\)$/],
  ] as const) {
    const certFile = join(dir, `${name}-cert.pem`);
    const keyFile = join(dir, `${name}-key.pem`);
    writeFileSync(certFile, pair.cert);
    writeFileSync(keyFile, pair.key);
    const cli = spawnCli(['serve'], { WSGUARD_PORT: '0', WSGUARD_JWT_SECRET: SECRET, WSGUARD_DB: join(dir, `${name}.db`), WSGUARD_TLS_CERT: certFile, WSGUARD_TLS_KEY: keyFile });
    clis.push(cli);
    assert.equal(await cli.exited, 2, `${name}: ${cli.stdout} ${cli.stderr}`);
    assert.match(cli.stderr.trim(), reason);
    assert.equal(cli.stdout, '', `${name}: nothing served`);
  }
});

const configDoc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

test('docs: SIGHUP goes to the node process only (systemd ExecReload with $MAINPID), never to every process of the unit', () => {
  // `systemctl kill -s HUP` also signals npm/npx wrappers, for which SIGHUP means "terminate".
  assert.doesNotMatch(configDoc, /(?<!Do not use `)systemctl kill/, 'systemctl kill is only mentioned as what not to do');
  assert.match(configDoc, /ExecStart=\/usr\/bin\/node \S+\/dist\/cli\/main\.js serve\nExecReload=\/bin\/kill -HUP \$MAINPID/);
  assert.match(configDoc, /--deploy-hook "systemctl reload wsguard"/);
});

test('the documented TLS audit command gates CI: exit 1 on a weakened profile, 0 on the default one', { skip }, async () => {
  const documented = /`(wsguard audit wss:\/\/HOST:PORT\/ws [^`]*--only TLS[^`]*)`/.exec(configDoc)?.[1];
  assert.ok(documented, 'docs/configuration.md shows the TLS audit command');
  assert.match(documented, /--fail-on medium/, 'the default --fail-on (high) lets a medium TLS finding pass');
  const pair = caSignedCert(90);
  const files = { cert: join(dir, 'gate-cert.pem'), key: join(dir, 'gate-key.pem'), ca: join(dir, 'gate-ca.pem') };
  writeFileSync(files.cert, pair.cert);
  writeFileSync(files.key, pair.key);
  writeFileSync(files.ca, pair.ca!);
  const exitOf = async (name: string, extra: NodeJS.ProcessEnv) => {
    const cli = spawnCli(['serve'], { WSGUARD_PORT: '0', WSGUARD_LOG_LEVEL: 'silent', WSGUARD_JWT_SECRET: SECRET, WSGUARD_DB: join(dir, `${name}.db`), WSGUARD_TLS_CERT: files.cert, WSGUARD_TLS_KEY: files.key, ...extra });
    clis.push(cli);
    const hostPort = (await waitForOutput(cli, /WebSocket wss:\/\/([^/\s]+)\/ws/))[1]!;
    const args = documented.replace('HOST:PORT', hostPort).replace('ca.pem', files.ca).split(' ').slice(1);
    const r = await runCli(args);
    cli.child.kill('SIGTERM');
    await cli.exited;
    return { code: r.code, out: r.stdout + r.stderr };
  };
  const weak = await exitOf('gate-weak', { WSGUARD_TLS_CIPHERS: 'HIGH:@SECLEVEL=0', WSGUARD_TLS_MIN_VERSION: 'TLSv1' });
  assert.equal(weak.code, 1, weak.out.slice(-1500));
  assert.match(weak.out, /WSG-TLS-02/);
  const strong = await exitOf('gate-strong', {});
  assert.equal(strong.code, 0, strong.out.slice(-1500));
});
