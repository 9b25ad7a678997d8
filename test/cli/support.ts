/** Runs the real `wsguard` CLI (through tsx, from source) as a child process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    cwd,
  });
  const cli: Cli = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout.on('data', (d: Buffer) => (cli.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (cli.stderr += d.toString()));
  return cli;
}

/** Waits (bounded) until the CLI's stdout matches, and returns the match. */
export async function waitForOutput(cli: Cli, re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = cli.stdout.match(re);
    if (m) return m;
    if (Date.now() > deadline || cli.child.exitCode !== null) throw new Error(`no ${re} in output; stdout: ${cli.stdout.slice(-500)} stderr: ${cli.stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}
