import os from 'node:os';

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly memory: number;
  readonly node: string;
  readonly os: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', memory: os.totalmem(), node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}` };
}
