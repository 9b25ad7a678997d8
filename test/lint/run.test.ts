/** The engine behind `wsguard lint`: its flat config, the TypeScript detection, and paths outside the working directory. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import { hasTypeScript, lintConfig, lintPaths, LintSetupError, TS_FILES } from '../../src/lint/run.js';

const dir = mkdtempSync(join(tmpdir(), 'wsg-lint-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('hasTypeScript: finds .ts/.tsx sources, not declarations and not inside node_modules or dist', () => {
  const root = join(dir, 'ts-detect');
  mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'pkg', 'index.ts'), '');
  writeFileSync(join(root, 'dist', 'index.ts'), '');
  writeFileSync(join(root, 'src', 'types.d.ts'), '');
  writeFileSync(join(root, 'src', 'a.js'), '');
  assert.equal(hasTypeScript(['.'], root), false);
  writeFileSync(join(root, 'src', 'view.tsx'), '');
  assert.equal(hasTypeScript(['.'], root), true);
  assert.equal(hasTypeScript(['src/a.js'], root), false);
});

test('lintConfig: TypeScript files get the plugin only when a parser is there', () => {
  const filesOf = (cfg: ReturnType<typeof lintConfig>) => cfg.find((c) => c.rules && Object.keys(c.rules).some((r) => r.startsWith('wsguard/')))?.files?.flat() ?? [];
  assert.ok(!filesOf(lintConfig(null)).some((f) => TS_FILES.includes(f as string)));
  assert.ok(TS_FILES.every((f) => filesOf(lintConfig(tseslint.parser)).includes(f)));
  assert.deepEqual(lintConfig(null, ['generated/**'])[0]?.ignores?.at(-1), 'generated/**');
});

test('lintPaths: paths outside the working directory are linted and reported relative to it; a missing path is a setup error', async () => {
  const outside = join(dir, 'elsewhere');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'server.js'), readFileSync('test/fixtures/lint/socketio/insecure.js'));
  const report = await lintPaths([outside], { cwd: process.cwd() });
  assert.equal(report.files, 1);
  assert.ok(report.findings.length >= 5);
  assert.ok(report.findings.every((f) => f.file.endsWith('elsewhere/server.js') && !f.file.startsWith('/')), report.findings[0]?.file);
  await assert.rejects(lintPaths([join(dir, 'nope')]), LintSetupError);
  // A directory (or glob) with nothing to lint is an error too, not a silent pass.
  const empty = join(dir, 'empty');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'notes.md'), '# nothing to lint\n');
  await assert.rejects(lintPaths([empty]), /no JavaScript or TypeScript files to lint/);
  await assert.rejects(lintPaths(['**/*.nothing'], { cwd: empty }), LintSetupError);
});

test('--ignore skips matching files', async () => {
  const root = join(dir, 'ignore');
  mkdirSync(join(root, 'generated'), { recursive: true });
  writeFileSync(join(root, 'generated', 'server.js'), "import { WebSocketServer } from 'ws'; new WebSocketServer({ port: 1 });\n");
  writeFileSync(join(root, 'app.js'), 'export const x = 1;\n');
  assert.equal((await lintPaths(['.'], { cwd: root })).findings.length, 3);
  const ignored = await lintPaths(['.'], { cwd: root, ignore: ['generated/**'] });
  assert.deepEqual([ignored.files, ignored.findings.length], [1, 0]);
});

test('JSX parses in .js and .jsx files (and .tsx): a React component does not stop the run', async () => {
  const root = join(dir, 'jsx');
  mkdirSync(root, { recursive: true });
  const component = "export function Feed({ items }) { return <ul>{items.map((i) => <li key={i.id}>{i.text}</li>)}</ul>; }\n";
  const socket = "const ws = new WebSocket('wss://x.example'); ws.onmessage = (e) => { document.getElementById('o').innerHTML = e.data; };\n";
  writeFileSync(join(root, 'feed.js'), component + socket);
  writeFileSync(join(root, 'view.jsx'), component + socket);
  writeFileSync(join(root, 'panel.tsx'), "type P = { n: number }; export const Panel = ({ n }: P) => <b>{n}</b>;\n" + socket);
  const report = await lintPaths(['.'], { cwd: root });
  assert.deepEqual(report.errors, []);
  assert.equal(report.files, 3);
  const html = report.findings.filter((f) => f.rule === 'wsguard/no-message-to-html').map((f) => f.file).sort();
  assert.deepEqual(html, ['feed.js', 'panel.tsx', 'view.jsx']);
});

test('a missing path among valid ones: the others are linted and the missing one reported', async () => {
  const root = join(dir, 'missing');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'server.js'), "import { WebSocketServer } from 'ws'; new WebSocketServer({ port: 1 });\n");
  const report = await lintPaths(['server.js', 'nope.js', 'gone/'], { cwd: root });
  assert.equal(report.files, 1);
  assert.deepEqual(report.missing, ['nope.js', 'gone/']);
  assert.ok(report.findings.some((f) => f.rule === 'wsguard/require-origin-check' && f.file === 'server.js'));
  assert.deepEqual((await lintPaths(['server.js'], { cwd: root })).missing, []);
  // Only missing paths: nothing to lint, a setup error naming them.
  await assert.rejects(lintPaths(['nope.js', 'gone/'], { cwd: root }), /no such file or directory: nope\.js, gone\//);
});

test('a file named explicitly under node_modules (or dist) is linted; the directory is still skipped', async () => {
  const root = join(dir, 'explicit');
  mkdirSync(join(root, 'node_modules', 'chat'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  const code = "import { WebSocketServer } from 'ws'; new WebSocketServer({ port: 1 });\n";
  writeFileSync(join(root, 'node_modules', 'chat', 'server.js'), code);
  writeFileSync(join(root, 'dist', 'server.js'), code);
  writeFileSync(join(root, 'app.js'), 'export const x = 1;\n');
  const named = await lintPaths(['node_modules/chat/server.js', 'dist/server.js', 'app.js'], { cwd: root });
  assert.equal(named.files, 3);
  assert.deepEqual([...new Set(named.findings.map((f) => f.file))].sort(), ['dist/server.js', 'node_modules/chat/server.js']);
  const tree = await lintPaths(['.'], { cwd: root });
  assert.deepEqual([tree.files, tree.findings.length], [1, 0]);
  // --ignore still applies to a named file
  await assert.rejects(lintPaths(['node_modules/chat/server.js'], { cwd: root, ignore: ['node_modules/**'] }), /no JavaScript or TypeScript files/);
});
