/**
 * Request/response over the Node IPC channel between the harness and its children
 * (servers and load generators): `{ id, cmd, args }` out, `{ id, ok, value | error }` back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}
interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

const HAS_TASKSET = ['/usr/bin/taskset', '/bin/taskset'].some((p) => existsSync(p));

/** A child process the harness drives by commands. */
export class Child {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  private constructor(readonly proc: ChildProcess, readonly name: string) {
    proc.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`${name}: ${m.error ?? 'failed'}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  /**
   * Starts `script` (a .ts file under bench/) with tsx, pinned to `cpu` (a core or a taskset
   * list such as `1-15`) when taskset exists: the server gets core 0 to itself, the load
   * generators the other cores (lib/harness.ts).
   */
  static start(script: string, cpu: number | string, arg: unknown, nodeFlags: string[] = []): Child {
    const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
    const node = [...nodeFlags, '--import', 'tsx', path, JSON.stringify(arg)];
    const [cmd, args] = HAS_TASKSET ? ['taskset', ['-c', String(cpu), process.execPath, ...node]] : [process.execPath, node];
    const proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Child(proc, script);
  }

  static get pinned(): boolean {
    return HAS_TASKSET;
  }

  /** Sends a command; rejects after `timeoutMs` so no step of the harness can hang. */
  request<T>(cmd: string, args: unknown = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: '${cmd}' timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.proc.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Asks the child to stop, then kills it if it has not exited within 5 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    await this.request('stop', {}, 5_000).catch(() => undefined);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(t);
  }
}

export type Handlers = Record<string, (args: never) => unknown>;

/** Child side: answers the harness's commands with `handlers`; `stop` runs `onStop` and exits. */
export function serve(handlers: Handlers, onStop: () => Promise<void> = async () => {}): void {
  process.on('message', (m: Request) => {
    const reply = (r: Omit<Reply, 'id'>) => process.send?.({ id: m.id, ...r });
    if (m.cmd === 'stop') {
      void onStop()
        .catch(() => undefined)
        .finally(() => {
          reply({ ok: true });
          setTimeout(() => process.exit(0), 50);
        });
      return;
    }
    const h = handlers[m.cmd];
    if (!h) return reply({ ok: false, error: `unknown command ${m.cmd}` });
    Promise.resolve()
      .then(() => h(m.args as never))
      .then(
        (value) => reply({ ok: true, value }),
        (err: unknown) => reply({ ok: false, error: (err as Error)?.message ?? String(err) }),
      );
  });
  // The harness died: do not linger.
  process.on('disconnect', () => process.exit(0));
}

/** The JSON argument a child was started with. */
export function childArg<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}
