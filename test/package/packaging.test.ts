/**
 * The package as users install it: a wsguard/client or wsguard/server user never installs the hub's
 * dependencies (better-sqlite3's native build, ioredis, helmet), wsguard/server works with what
 * `npm install wsguard` installs, the hub says in one line which package is missing, and the tarball holds a LICENSE and no
 * source maps pointing at sources it does not ship.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadWithPeers, MissingPeerError } from '../../src/hub/peers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};
const HUB_ONLY = ['better-sqlite3', 'helmet', 'ioredis'];
const LINT_PEERS = ['eslint', 'typescript-eslint']; // wsguard lint loads them only when it runs

test('dependencies: the small pure-JS ones the server and client need; the rest are optional peers, installed in a clone as dev dependencies', () => {
  // pino and prom-client are imported by wsguard/server itself: as optional peers, an app that
  // skipped them got Node's bare "Cannot find package 'prom-client'" at import time.
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['content-type', 'cookie-signature', 'fast-jwt', 'fastest-levenshtein', 'jose', 'pino', 'prom-client', 'proxy-addr', 'socket.io-parser', 'ws', 'zod']);
  assert.deepEqual(Object.keys(pkg.peerDependencies).sort(), [...HUB_ONLY, ...LINT_PEERS].sort());
  for (const name of Object.keys(pkg.peerDependencies)) {
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, `${name} is optional (npm would install a required peer for everyone)`);
    assert.ok(pkg.devDependencies[name], `${name}: npm ci installs it for the hub and the tests`);
  }
});

/** Packages an entry point imports, following its static and dynamic imports through our sources. */
async function externals(entry: string): Promise<string[]> {
  const r = await build({ entryPoints: [join(ROOT, entry)], bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', metafile: true, logLevel: 'silent', outdir: '/tmp/unused' });
  const names = new Set<string>();
  for (const input of Object.values(r.metafile.inputs)) {
    for (const i of input.imports) if (i.external && !i.path.startsWith('node:')) names.add(i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path.split('/')[0]!);
  }
  return [...names].sort();
}

test('wsguard/client imports no package; wsguard/server only ws, zod, jose, fast-jwt, proxy-addr, pino and prom-client', async () => {
  assert.deepEqual(await externals('src/client/index.ts'), []);
  assert.deepEqual(await externals('src/protocol/index.ts'), ['zod']);
  assert.deepEqual(await externals('src/server/index.ts'), ['fast-jwt', 'jose', 'pino', 'prom-client', 'proxy-addr', 'ws', 'zod']);
  // The hub does use the rest (so the test above means something).
  const hub = await externals('src/hub/app.ts');
  for (const p of HUB_ONLY) assert.ok(hub.includes(p), p);
});

test('a missing peer is one line naming the package to install', async () => {
  await assert.rejects(
    loadWithPeers(['wsguard-no-such-peer'], 'the thing', () => import('wsguard-no-such-peer' as string)),
    (e: unknown) => e instanceof MissingPeerError && e.message === 'the thing needs the wsguard-no-such-peer package: npm install wsguard-no-such-peer',
  );
  // Other failures pass through unchanged.
  await assert.rejects(loadWithPeers(['x'], 'y', () => Promise.reject(new Error('boom'))), /^Error: boom$/);
});

test('installed without the peers: the client and the server work; `wsguard serve` names the missing packages', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // node_modules/wsguard: this package as the tarball would have it (a fresh build, package.json);
  // its dependencies linked from ours; a peer only when the scenario installs it.
  const mod = join(dir, 'node_modules');
  const self = join(mod, 'wsguard');
  mkdirSync(self, { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(self, 'dist')], { cwd: ROOT });
  cpSync(join(ROOT, 'package.json'), join(self, 'package.json'));
  cpSync(join(ROOT, 'public'), join(self, 'public'), { recursive: true });
  // Every installed package except the peers (their own dependencies being there changes nothing:
  // what is tested is that the peers themselves are not needed).
  const link = (name: string) => symlinkSync(join(ROOT, 'node_modules', name), join(mod, name), 'dir');
  const peers = new Set(Object.keys(pkg.peerDependencies));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) if (!name.startsWith('.') && !peers.has(name)) link(name);
  const node = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, encoding: 'utf8', timeout: 30_000 });

  const client = node("const m = await import('wsguard/client'); console.log(typeof m.createClient);");
  assert.equal(client.stdout.trim(), 'function', client.stderr);
  const serve = (env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [join(self, 'dist/cli/main.js'), 'serve'], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, WSGUARD_PORT: '0', WSGUARD_DB: join(dir, 'x.db'), ...env } });
  const server = node("const { createGuard } = await import('wsguard/server'); const http = await import('node:http'); const g = createGuard({ server: http.createServer(), auth: { jwt: { secret: 'x'.repeat(32) } }, logger: undefined }); await g.close(); console.log('ok');");
  assert.equal(server.stdout.trim(), 'ok', server.stderr);

  // Every package this configuration needs is named at once, with one install command (not one per start).
  const bare = serve();
  assert.equal(bare.status, 2, bare.stderr);
  assert.equal(
    bare.stderr,
    "wsguard: wsguard serve needs 2 packages that are not installed: better-sqlite3 for the SQLite event log (WSGUARD_DB), helmet for the hub's HTTP routes: npm install better-sqlite3 helmet\n",
  );
  // Cluster mode needs ioredis instead of better-sqlite3; nothing is connected before the check.
  const cluster = serve({ WSGUARD_REDIS_URL: 'redis://127.0.0.1:1' });
  assert.equal(cluster.status, 2, cluster.stderr);
  assert.match(cluster.stderr, /^wsguard: wsguard serve needs 2 packages that are not installed: ioredis for cluster mode \(WSGUARD_REDIS_URL\), helmet for .*: npm install ioredis helmet\n$/);
  link('helmet');
  const oneMissing = serve();
  assert.equal(oneMissing.stderr, 'wsguard: the SQLite event log (WSGUARD_DB) needs the better-sqlite3 package: npm install better-sqlite3\n');
  assert.equal(oneMissing.status, 2);
});

test('the tarball: LICENSE, no source maps (src is not shipped), no tests', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  assert.ok(files.includes('LICENSE'));
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')));
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: { sourceMap?: boolean } };
  assert.equal(build.compilerOptions.sourceMap, false, 'a build would otherwise put maps into dist/');
});

test('installing the tarball is quiet: the packed package.json has no install-time script (prepack builds; the clone keeps prepare)', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const scripts = (pkg as unknown as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.prepare!, /npm run build/, 'a clone builds on npm install');
  assert.match(scripts.prepack!, /^npm run build && npm run build:client && node scripts\/pack-manifest\.mjs strip$/, 'the tarball is built fresh, then its manifest stripped');
  assert.equal(scripts.postpack, 'node scripts/pack-manifest.mjs restore');

  // What `npm pack` does between prepack and postpack, on a copy: the manifest it packs, and the file restored byte for byte.
  const self = join(dir, 'wsguard');
  mkdirSync(self);
  const original = readFileSync(join(ROOT, 'package.json'), 'utf8');
  writeFileSync(join(self, 'package.json'), original);
  execFileSync(process.execPath, [join(ROOT, 'scripts/pack-manifest.mjs'), 'strip'], { cwd: self });
  const packed = JSON.parse(readFileSync(join(self, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(packed.scripts[s], undefined, s);
  // A second strip before a restore (a failed pack) must not lose the original.
  assert.equal(spawnSync(process.execPath, [join(ROOT, 'scripts/pack-manifest.mjs'), 'strip'], { cwd: self }).status, 1);

  // npm itself, offline: install a tarball with exactly the packed scripts (dependencies left out: no
  // registry here) and look for its install-scripts warning.
  mkdirSync(join(self, 'dist'));
  writeFileSync(join(self, 'dist/x.js'), '');
  writeFileSync(join(self, 'package.json'), JSON.stringify({ name: 'wsguard', version: '0.0.0-test', files: ['dist'], scripts: packed.scripts }));
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent'], { cwd: self });
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0"}');
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(self, 'wsguard-0.0.0-test.tgz')], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  assert.equal(install.status, 0, install.stderr);
  assert.doesNotMatch(install.stderr, /install-scripts|allowScripts|warn/, install.stderr);

  // postpack: the clone's package.json comes back byte for byte.
  execFileSync(process.execPath, [join(ROOT, 'scripts/pack-manifest.mjs'), 'restore'], { cwd: self });
  assert.equal(readFileSync(join(self, 'package.json'), 'utf8'), original);
});
