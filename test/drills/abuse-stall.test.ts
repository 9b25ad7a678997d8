/**
 * Abuse drill: a server-side stall. A client that keeps within its message rate must not be
 * closed 1008 rate_limited because the hub's event loop was blocked and read its frames in one go:
 * the rate limit charges a frame by when it arrived (within the stall), not when it was processed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ALICE, removeDir, startTestHub, token, type TestHub } from '../hub/support.js';

const PINGER = fileURLToPath(new URL('./lib/steady-pinger.mjs', import.meta.url));

let hub: TestHub | undefined;
after(async () => {
  await hub?.close(1_000);
  if (hub) removeDir(hub.dir);
});

test('a client within its rate (8/s against 10/s, burst 2) survives a 2 s stall of the hub: every ping answered, no rate_limited', async () => {
  hub = await startTestHub({}, { guard: { messageRate: { perSec: 10, burst: 2 }, violations: { threshold: 2, windowMs: 60_000 } } });
  const child = spawn(process.execPath, [PINGER, hub.wsUrl, await token('alice', ALICE), '40', '125'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  try {
    assert.equal((await lines.next()).value, 'open');
    await new Promise((r) => setTimeout(r, 500));
    // The stall: the hub's loop is blocked; the client keeps sending at 8/s meanwhile.
    const until = Date.now() + 2_000;
    while (Date.now() < until) { /* blocked */ }
    const result = JSON.parse(String((await lines.next()).value)) as { pongs: number; errors: Record<string, number>; close: { code: number } | null };
    assert.deepEqual(result.errors, {}, 'no rate_limited');
    assert.equal(result.pongs, 40, 'every ping answered');
    assert.equal(result.close?.code, 1005, 'closed by the client itself (no status), not 1008');
  } finally {
    child.kill();
  }
});
