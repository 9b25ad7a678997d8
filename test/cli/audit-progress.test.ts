// Without a TTY the auditor prints a one-line progress summary every few seconds (and one at the end).
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { WebSocketServer } from 'ws';
import { progressReporter } from '../../src/cli/audit-progress.js';

test('non-TTY: a line every interval, even while no check finishes; a summary at the end; nothing after stop', () => {
  mock.timers.enable({ apis: ['setInterval', 'Date'] });
  try {
    const lines: string[] = [];
    const p = progressReporter(false, (s) => lines.push(s), 3000, Date.now);
    mock.timers.tick(3000);
    assert.deepEqual(lines, ['wsguard audit: starting, 3 s\n']);
    p.onProgress(1, 49, 'WSG-TLS-01');
    mock.timers.tick(3000);
    mock.timers.tick(3000); // a long check: still one line per interval
    assert.deepEqual(lines.slice(1), ['wsguard audit: 1/49 checks done, last WSG-TLS-01, 6 s\n', 'wsguard audit: 1/49 checks done, last WSG-TLS-01, 9 s\n']);
    p.onProgress(49, 49, 'WSG-LEAK-03');
    p.stop();
    p.stop();
    mock.timers.tick(30_000);
    assert.equal(lines.length, 4);
    assert.equal(lines[3], 'wsguard audit: 49/49 checks done, last WSG-LEAK-03, 9 s\n');
    assert.ok(lines.every((l) => l.endsWith('\n') && !l.includes('\r') && !l.includes('\x1b')), 'plain lines, no bar');
  } finally {
    mock.timers.reset();
  }
});

test('TTY: the bar is redrawn in place and cleared at the end; no timer lines', () => {
  const out: string[] = [];
  const p = progressReporter(true, (s) => out.push(s), 1);
  p.onProgress(1, 2, 'A');
  p.onProgress(2, 2, 'B');
  p.stop();
  assert.ok(out.every((s) => s.startsWith('\r')));
  assert.equal(out.at(-1), '\r\x1b[K');
});

test('the CLI with stderr piped prints the summary line on stderr', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => ws.on('error', () => {})); // the probes send malformed frames on purpose
  t.after(() => wss.close());
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  const r = await new Promise<{ stderr: string; stdout: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', `ws://127.0.0.1:${port}/`, '--only', 'WSG-TLS-01,WSG-PROTO-01', '--format', 'json'], { timeout: 60_000 }, (_e, stdout, stderr) => resolve({ stdout, stderr }));
  });
  assert.match(r.stderr, /^wsguard audit: 2\/2 checks done, last WSG-[A-Z]+-01, \d+ s$/m);
  assert.equal(JSON.parse(r.stdout).tool, 'wsguard');
});
