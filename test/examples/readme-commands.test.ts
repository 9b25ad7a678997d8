/**
 * Every shell block of README.md and docs/*.md, pasted in order into a fresh clone, works.
 *
 * Each ```sh block is preceded by a marker saying how it is meant to be used:
 *   <!-- commands: run -->                                      run it, in order, in the same shell
 *   <!-- commands: run in background -->                        a server: start it, wait for /healthz
 *   <!-- commands: run after stopping the background hub -->    Ctrl-C the server first (SIGTERM here)
 *   <!-- commands: not run: <reason> -->                        shown only (external hosts, minutes of load)
 * A block without a marker fails the test, so a new command cannot go untested by accident.
 *
 * The "clone" is a copy of the files git would commit (tracked and untracked-not-ignored), with the
 * worktree's node_modules linked in: `npm install` / `npm ci` run the package's `prepare` script
 * (the build) instead of downloading. Port 8080 is replaced by a free port; nothing else is changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadChecks } from '../../src/audit/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

type Mode = 'run' | 'background' | 'after-stop' | 'not-run';
interface Block {
  readonly file: string;
  readonly line: number;
  readonly mode: Mode;
  readonly code: string;
}

const MARKER = /^<!-- commands: (run|run in background|run after stopping the background hub|not run: .+) -->$/;

/** Shell blocks of one Markdown file, each with the mode of its marker (undefined when it has none). */
export function shellBlocks(file: string, text: string): (Omit<Block, 'mode'> & { mode: Mode | undefined })[] {
  const lines = text.split('\n');
  const out: (Omit<Block, 'mode'> & { mode: Mode | undefined })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (['sh', 'bash', 'shell', 'console'].includes(open[1]!)) {
      let prev = i - 1;
      while (prev >= 0 && lines[prev]!.trim() === '') prev--;
      const m = prev >= 0 ? MARKER.exec(lines[prev]!.trim()) : null;
      const kind = m?.[1];
      const mode: Mode | undefined = !kind ? undefined : kind === 'run' ? 'run' : kind === 'run in background' ? 'background' : kind.startsWith('run after') ? 'after-stop' : 'not-run';
      out.push({ file, line: i + 1, mode, code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return out;
}

const blocks = DOCS.flatMap((f) => shellBlocks(f, readFileSync(join(ROOT, f), 'utf8')));

test('every shell block in README.md and docs/ says whether it runs', () => {
  const unmarked = blocks.filter((b) => b.mode === undefined).map((b) => `${b.file}:${b.line}`);
  assert.deepEqual(unmarked, [], 'add a <!-- commands: ... --> marker before these blocks');
  assert.ok(blocks.filter((b) => b.mode !== 'not-run').length >= 5, 'the README walkthrough is runnable');
  // `wsguard` is not on PATH in a clone: commands go through node dist/cli/main.js (or npm scripts).
  const bare = blocks.filter((b) => b.mode !== 'not-run' && /(^|[\s;&|(])wsguard\s/m.test(b.code.replace(/npx wsguard/g, '')));
  assert.deepEqual(bare.map((b) => `${b.file}:${b.line}`), []);
  // ...but not `npx wsguard` in a block that runs in the clone: npx copies the whole clone into its cache
  // and runs `prepare` (half a minute) before the first command, so a hub "ready within 30 s" is not.
  // In a clone, the built CLI is `node dist/cli/main.js`; `npx wsguard` is for a project that installed it.
  const viaNpx = blocks.filter((b) => b.mode !== 'not-run' && /\bnpx wsguard\b/.test(b.code));
  assert.deepEqual(viaNpx.map((b) => `${b.file}:${b.line}`), [], 'use node dist/cli/main.js in runnable blocks');
});

test('the README states the real number of audit checks', async () => {
  const n = (await loadChecks()).length;
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const claims = [...readme.matchAll(/(\d+) checks/g)].map((m) => Number(m[1]));
  assert.ok(claims.length > 0);
  assert.deepEqual(claims, claims.map(() => n));
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The files a commit would hold, copied; node_modules linked (no download in tests). */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-clone-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    const from = join(ROOT, f);
    if (!existsSync(from)) continue; // deleted in the worktree, not yet committed
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(from, join(dir, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** One bash script per file: its runnable blocks in order, with background servers handled as a reader would. */
function script(file: string, port: number): string | undefined {
  const own = blocks.filter((b) => b.file === file && b.mode !== 'not-run');
  if (own.length === 0) return undefined;
  const health = `http://127.0.0.1:${port}/healthz`;
  const parts = [
    'set -eo pipefail',
    'set -m  # background servers get their own process group, so stopping one stops its children too',
    // Offline: dependencies come from the linked node_modules; installing runs the build, as `prepare` does.
    'npm() { case "$1" in install|ci) command npm run --silent prepare >/dev/null ;; *) command npm "$@" ;; esac; }',
    'stop_jobs() { for p in $(jobs -p); do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done; wait || true; }',
    'trap stop_jobs EXIT',
  ];
  for (const b of own) {
    const code = b.code.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`).replaceAll('localhost:8080', `localhost:${port}`);
    parts.push(`echo "### ${b.file}:${b.line} (${b.mode})"`);
    if (b.mode === 'background') {
      parts.push(`(\n${code.trim()}\n) > background.log 2>&1 &`, 'BG=$!');
      parts.push(`for i in $(seq 600); do curl -sf -o /dev/null ${health} && break; kill -0 "$BG" 2>/dev/null || { cat background.log; exit 1; }; sleep 0.5; done`);
      parts.push(`curl -sf -o /dev/null ${health} || { echo "background server never answered"; cat background.log; exit 1; }`);
    } else {
      if (b.mode === 'after-stop') parts.push('kill -TERM -- "-$BG"; wait "$BG" || true');
      parts.push(code);
    }
  }
  // A reader pasting the file leaves nothing running: whatever it started in the background, it stops.
  // (The background server of a `run in background` block is the reader's terminal: stopped above.)
  parts.push('if [ -n "${BG:-}" ]; then kill -TERM -- "-$BG" 2>/dev/null || true; wait "$BG" 2>/dev/null || true; fi');
  parts.push('left=$(jobs -pr); if [ -n "$left" ]; then echo "### still running after the walkthrough: $(ps -o pid=,args= -p $left | tr \'\\n\' \';\')"; exit 1; fi');
  parts.push('echo "### done"');
  return parts.join('\n');
}

function runScript(cwd: string, name: string, body: string, port: number): Promise<{ code: number | null; output: string }> {
  writeFileSync(join(cwd, name), body);
  return new Promise((resolve) => {
    const child = spawn('bash', [name], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, WSGUARD_PORT: String(port), WSGUARD_LOG_LEVEL: 'warn' }, detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // Bounded: the whole walkthrough (build, two hubs, one safe audit) takes well under this.
    const timer = setTimeout(() => {
      output += '\n[test] timed out: killing the script';
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 280_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('README and docs commands work when pasted in order into a fresh clone', { timeout: 600_000 }, async (t) => {
  const dir = freshClone();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  for (const file of DOCS) {
    const body = script(file, port);
    if (!body) continue;
    const r = await runScript(dir, `${file.replace(/\W/g, '_')}.sh`, body, port);
    assert.equal(r.code, 0, `${file}: the commands failed\n${r.output.slice(-4000)}`);
    assert.match(r.output, /### done/);
    if (file === 'README.md') {
      // The two HTTP publishes answered with their seq, and the audit wrote its report.
      assert.deepEqual([...r.output.matchAll(/\{"seq":(\d+)\}/g)].map((m) => Number(m[1])), [1, 2], r.output.slice(-4000));
      const html = readFileSync(join(dir, 'audit.html'), 'utf8');
      assert.match(html, /<html/i);
      // A complete audit: no check left unjudged because the hub throttled the auditor (429/503).
      assert.doesNotMatch(html, /rate-limited the auditor|answered the auditor 503/, 'the documented audit command must judge every check it runs');
    }
  }
});
