/**
 * Progress of `wsguard audit` on stderr. On a TTY: a bar redrawn in place. Otherwise (CI logs, a
 * pipe): one plain line every few seconds, even while a long check is still waiting, and one at the
 * end, so a job log shows the audit is alive without flooding it.
 */
export interface ProgressReporter {
  /** The runner's onProgress callback. */
  readonly onProgress: (done: number, total: number, id: string) => void;
  /** Stops the timer; prints the final summary line when not on a TTY (unless `summary` is false). */
  stop(summary?: boolean): void;
}

export function progressReporter(isTTY: boolean, write: (s: string) => void, intervalMs = 3000, now: () => number = Date.now): ProgressReporter {
  if (isTTY) {
    return {
      onProgress: (done, total, id) => {
        const width = 24;
        const filled = Math.round((done / Math.max(1, total)) * width);
        write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${id.padEnd(16)}`);
        if (done === total) write('\r\x1b[K');
      },
      stop: () => {},
    };
  }
  const started = now();
  let done = 0;
  let total: number | undefined;
  let last = '';
  const line = () => {
    const secs = Math.round((now() - started) / 1000);
    const counts = total === undefined ? 'starting' : `${done}/${total} checks done`;
    write(`wsguard audit: ${counts}${last ? `, last ${last}` : ''}, ${secs} s\n`);
  };
  const timer = setInterval(line, intervalMs);
  timer.unref();
  let stopped = false;
  return {
    onProgress: (d, t, id) => {
      done = d;
      total = t;
      last = id;
    },
    stop: (summary = true) => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (summary && total !== undefined) line();
    },
  };
}
