/** Starts a corpus server on loopback (random port) and stops it by its PID. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORPUS, type CorpusTarget } from './targets.js';

export const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Why this target cannot run here, or null. */
export function missing(t: CorpusTarget): string | null {
  if (t.needs.npm && !existsSync(`${CORPUS_DIR}node_modules/${t.needs.npm}/package.json`)) return `npm package ${t.needs.npm} not installed (npm run corpus:install)`;
  if (t.needs.python) {
    const r = spawnSync('/usr/bin/python3', ['-c', `import ${t.needs.python}`], { timeout: 10_000 });
    if (r.status !== 0) return `Debian package ${t.needs.debian} not installed (apt-get install ${t.needs.debian})`;
  }
  return null;
}

/**
 * One corpus target for a test: the target, and the test's skip (why it cannot run here). CI
 * installs the corpus (.ci/run), so there a missing install is not skipped: the test fails on it.
 */
export function corpusCase(name: string): { target: CorpusTarget; skip: string | false } {
  const target = CORPUS.find((t) => t.name === name);
  if (!target) throw new Error(`no corpus target ${name}`);
  const why = missing(target);
  return { target, skip: why && !process.env.CI ? why : false };
}

/** Starts the target, runs `fn` against its URL, stops it. */
export async function withTarget<T>(t: CorpusTarget, fn: (url: string, running: Running) => Promise<T>): Promise<T> {
  const why = missing(t);
  if (why) throw new Error(`${t.name}: ${why}`);
  const server = await startTarget(t);
  try {
    return await fn(server.url, server);
  } finally {
    await server.close();
  }
}

export interface Running {
  url: string;
  close(): Promise<void>;
  /** Still running (a corpus server the audit killed is a finding to look at). */
  alive(): boolean;
  /** The first 4 000 characters the server wrote to stderr (why it died, when it did). */
  stderr(): string;
}

export async function startTarget(t: CorpusTarget, timeoutMs = 15_000): Promise<Running> {
  const [cmd, ...args] = t.command;
  const child = spawn(cmd as string, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1', NODE_PATH: `${CORPUS_DIR}node_modules` } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { if (err.length < 4000) err += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${t.name} did not listen within ${timeoutMs} ms: ${err.slice(0, 500)}`)); }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTEN (\d+)\r?\n/.exec(out); // a whole line: output may arrive in pieces
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${t.name} exited (${code}) before listening: ${err.slice(0, 500)}`)); });
  });
  child.stdout.resume();
  return {
    url: `ws://127.0.0.1:${port}${t.path}`,
    alive: () => child.exitCode === null && child.signalCode === null,
    stderr: () => err,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const t2 = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t2);
    },
  };
}
