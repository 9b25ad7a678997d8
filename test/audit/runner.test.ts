/** The runner: statuses, deadlines, intrusive opt-in, selection, phases, passive last, budget, host guard. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runAudit } from '../../src/audit/runner.js';
import type { CheckContext, CheckMeta, CheckModule } from '../../src/audit/types.js';
import { startWeakServer } from '../fixtures/weak-server.js';

const server = await startWeakServer({ auth: 'none' });
after(() => server.close());
const target = new URL(server.url);
const base = { allowedOrigins: ['https://app.example.com'], requestTimeoutMs: 2000 };

function check(id: string, run: (ctx: CheckContext) => Promise<void>, extra: Partial<CheckMeta> = {}, mod: Partial<CheckModule> = {}): CheckModule {
  const area = (id.split('-')[1] ?? 'AUTH') as CheckMeta['area'];
  return { meta: { id, title: id, area, severity: 'medium', mode: 'safe', references: ['x'], remediation: 'r', description: 'd', ...extra }, run, ...mod };
}

test('statuses: finding → fail, skip → skipped, throw → error, hang → error at its deadline, intrusive off → skipped', async () => {
  const checks = [
    check('WSG-AUTH-91', async (ctx) => ctx.report({ confidence: 'certain', evidence: 'e', severity: 'high' })),
    check('WSG-AUTH-92', async (ctx) => ctx.skip('needs --thing')),
    check('WSG-AUTH-93', async () => { throw new Error('probe broke'); }),
    check('WSG-AUTH-94', (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))),
    check('WSG-AUTH-95', async () => undefined, { mode: 'intrusive' }),
  ];
  const { report } = await runAudit(target, { ...base, timeoutMs: 300 }, { checks });
  const st = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  assert.deepEqual(st, { 'WSG-AUTH-91': 'fail', 'WSG-AUTH-92': 'skipped', 'WSG-AUTH-93': 'error', 'WSG-AUTH-94': 'error', 'WSG-AUTH-95': 'skipped' });
  assert.match(report.checks[3]?.reason ?? '', /timed out after 300 ms/);
  assert.deepEqual(report.findings.map((f) => [f.checkId, f.severity, f.title, f.remediation]), [['WSG-AUTH-91', 'high', 'WSG-AUTH-91', 'r']]);
});

test('only/skip by id and area; phases and passive checks run after the active ones; concurrency bounded', async () => {
  const order: string[] = [];
  let running = 0;
  let peak = 0;
  const body = (id: string) => async (ctx: CheckContext) => {
    running++;
    peak = Math.max(peak, running);
    await ctx.sleep(30);
    order.push(id);
    running--;
  };
  const checks = [
    check('WSG-LEAK-90', body('WSG-LEAK-90'), { passive: true }),
    check('WSG-AUTH-90', body('WSG-AUTH-90'), {}, { phase: 2 }),
    check('WSG-ORIGIN-90', body('WSG-ORIGIN-90')),
    check('WSG-ORIGIN-91', body('WSG-ORIGIN-91')),
    check('WSG-ORIGIN-92', body('WSG-ORIGIN-92')),
    check('WSG-TLS-90', body('WSG-TLS-90')),
  ];
  const { report } = await runAudit(target, { ...base, concurrency: 2, skip: ['TLS'] }, { checks });
  assert.deepEqual(report.checks.map((c) => c.id).sort(), ['WSG-AUTH-90', 'WSG-LEAK-90', 'WSG-ORIGIN-90', 'WSG-ORIGIN-91', 'WSG-ORIGIN-92']);
  assert.deepEqual(order.slice(-2), ['WSG-AUTH-90', 'WSG-LEAK-90']);
  assert.ok(peak <= 2, `peak concurrency ${peak}`);
  const only = await runAudit(target, { ...base, only: ['WSG-ORIGIN-91', 'leak'] }, { checks });
  assert.deepEqual(only.report.checks.map((c) => c.id).sort(), ['WSG-LEAK-90', 'WSG-ORIGIN-91']);
});

test('probes only ever reach the target host, and the connection budget is enforced', async () => {
  const seen: number[] = [];
  const checks = [
    check('WSG-ORIGIN-93', async (ctx) => {
      const r = await ctx.handshake({ raw: { connect: { host: '192.0.2.1' } } });
      seen.push(r.response.status);
      await ctx.handshake();
      await ctx.handshake();
    }),
  ];
  const { report } = await runAudit(target, { ...base, connectionBudget: 2 }, { checks });
  assert.deepEqual(seen, [101]);
  assert.equal(report.checks[0]?.status, 'error');
  assert.match(report.checks[0]?.reason ?? '', /budget of 2/);
});

test('unreachable target → TargetUnreachableError before any check runs', async () => {
  let ran = false;
  await assert.rejects(runAudit(new URL('ws://127.0.0.1:1/ws'), base, { checks: [check('WSG-AUTH-96', async () => { ran = true; })] }), /unreachable/);
  assert.equal(ran, false);
});

test('a target that answers every probe 429 after the baseline: the checks are skipped as rate-limited, never pass (memoised probes included)', async () => {
  const { startFragileServer } = await import('../fixtures/fragile-server.js');
  const { loadChecks } = await import('../../src/audit/registry.js');
  const limited = await startFragileServer({ rateLimitAfterHandshakes: 1 });
  try {
    const all = await loadChecks();
    // ORIGIN-02 reads ORIGIN-01's memoised foreign-Origin probe; AUTH-01 goes through the ws client.
    const checks = all.filter((m) => ['WSG-ORIGIN-01', 'WSG-ORIGIN-02', 'WSG-AUTH-01'].includes(m.meta.id));
    const { report } = await runAudit(new URL(limited.url), { ...base, concurrency: 3, throttleWaitMs: 3000 }, { checks });
    assert.ok(limited.handshakes > 3, 'the probes were sent and refused');
    for (const c of report.checks) {
      assert.equal(c.status, 'skipped', JSON.stringify(c));
      assert.match(c.reason ?? '', /^target rate-limited the auditor \(429\); rerun slower or allowlist the auditor/);
    }
    assert.deepEqual(report.findings, []);
  } finally {
    await limited.close();
  }
});

test('checks queued behind a target\'s handshake rate limit take turns and are all judged, none skipped as rate-limited', async () => {
  const { createServer } = await import('node:http');
  const { WebSocketServer } = await import('ws');
  // The hub's kind of limit, smaller: a bucket of 3 handshakes refilled at 2 per second, 429 + Retry-After: 1 when empty.
  let tokens = 3;
  let last = Date.now();
  let refused = 0;
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (req, socket, head) => {
    tokens = Math.min(3, tokens + ((Date.now() - last) / 1000) * 2);
    last = Date.now();
    if (tokens < 1) {
      refused++;
      socket.end('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    tokens--;
    wss.handleUpgrade(req, socket, head, (ws) => ws.close());
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  try {
    const port = (http.address() as import('node:net').AddressInfo).port;
    const body = async (ctx: CheckContext) => {
      for (let i = 0; i < 2; i++) {
        const r = await ctx.handshake();
        if (r.response.status !== 101) ctx.report({ confidence: 'certain', evidence: `HTTP ${r.response.status}` });
      }
    };
    const checks = Array.from({ length: 8 }, (_, i) => check(`WSG-ORIGIN-9${i}`, body));
    const { report } = await runAudit(new URL(`ws://127.0.0.1:${port}/`), { ...base, concurrency: 8, timeoutMs: 30_000 }, { checks });
    assert.ok(refused > 0, 'the limit was hit');
    assert.deepEqual(report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.reason ?? ''}`), []);
  } finally {
    wss.close();
    await new Promise((r) => http.close(r));
  }
});
