/**
 * One audit option system: every option validated by one zod schema with its default in one block
 * (src/audit/options.ts); a bad value is one line naming the CLI flag; the checks read typed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChecks } from '../../src/audit/registry.js';
import { graceMs } from '../../src/audit/checks/session/WSG-SESSION-03.js';
import { AUDIT_DEFAULTS, AuditOptionError, SAFE_AUDIT_BUDGET_MS, SAFE_AUDIT_OVERHEAD_MS, type AuditOptions, authzOptions, CEILINGS, defaultCredentials, inputOptions, limitOptions, parseAuditOptions, resolveOptions, type AuditOptionsInput } from '../../src/audit/options.js';

const target = new URL('wss://app.example:8443/ws');

function refused(input: AuditOptionsInput, flag: string, detail: RegExp): void {
  assert.throws(() => resolveOptions(target, input), (e: unknown) => {
    assert.ok(e instanceof AuditOptionError, String(e));
    assert.ok(e.message.startsWith(`${flag}: `), e.message);
    assert.match(e.message, detail);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('defaults come from AUDIT_DEFAULTS, the target and the short observation windows', () => {
  const o = resolveOptions(target);
  assert.equal(o.timeoutMs, AUDIT_DEFAULTS.timeoutMs);
  assert.equal(o.concurrency, AUDIT_DEFAULTS.concurrency);
  assert.deepEqual(o.allowedOrigins, ['https://app.example:8443']);
  assert.equal(o.protocol, 'ws');
  assert.equal(resolveOptions(new URL('ws://h/socket.io/?EIO=4')).protocol, 'socket.io');
  assert.deepEqual(o.credentials, defaultCredentials());
  assert.deepEqual(limitOptions(o), {
    maxMessageBytes: 65_536, fragmentCount: 200_000, rateMessages: 500, rateWindowMs: 10_000, maxConns: 100,
    slowHeaderIntervalMs: 10_000, slowWaitMs: 22_000, backpressureWaitMs: 30_000, streamMessage: undefined, timingThresholdMs: 400,
  });
  assert.deepEqual(inputOptions(o), { renderFields: [], sleepMs: 5000, ipBanned: false, ipLimitAttempts: 0 });
  assert.equal(authzOptions(o).massAssignMessage, undefined);
  assert.equal(authzOptions(resolveOptions(target, { messages: ['{"type":"a"}'] })).massAssignMessage, '{"type":"a"}', 'the first --message');
  // Given values win; undefined means "not given" (the CLI passes every flag).
  const given = resolveOptions(target, { maxConns: 30, sleepMs: 2000, timeoutMs: undefined, credentials: { token: 'T' } });
  assert.equal(given.maxConns, 30);
  assert.equal(given.sleepMs, 2000);
  assert.equal(given.timeoutMs, AUDIT_DEFAULTS.timeoutMs);
  assert.deepEqual(given.credentials, { ...defaultCredentials(), token: 'T' });
});

test('a bad value stops the audit with one line naming the flag', () => {
  refused({ maxConns: CEILINGS.maxConns + 1 }, '--max-conns', /at most 1000/);
  refused({ rateMessages: 0 }, '--rate-messages', /at least 1/);
  refused({ fragmentCount: 1.5 }, '--fragments', /whole number/);
  refused({ sleepMs: 60_000 }, '--sleep', /at most 30 s/);
  refused({ ipLimitAttempts: 101 }, '--ip-limit-attempts', /at most 100/);
  refused({ concurrency: 0 }, '--concurrency', /at least 1/);
  refused({ concurrency: 33 }, '--concurrency', /at most 32/);
  refused({ concurrency: Number('x') }, '--concurrency', /must be a number/);
  refused({ canaryExpect: '(' }, '--canary-expect', /not a valid regular expression/);
  refused({ credentials: { tokenIn: 'cookie' as 'header' } }, '--token-in', /one of header, query, subprotocol, message/);
  refused({ slowWaitMs: -5 }, '--slow-wait', /positive/);
  refused({ privMessages: [''] }, '--priv-message', /empty/);
  // An option without a flag is named as an option; an unknown one is refused, not carried along.
  refused({ requestTimeoutMs: 0 }, 'option requestTimeoutMs', /positive/);
  refused({ maxConn: 5 } as AuditOptionsInput, 'option maxConn', /unknown option/);
});

test('parseAuditOptions validates without a target (the CLI checks its flags before discovery)', () => {
  assert.equal(parseAuditOptions({ maxConns: 7 }).maxConns, 7);
  assert.throws(() => parseAuditOptions({ maxConns: 0 }), /--max-conns: must be at least 1$/);
});

/**
 * Issue #13: a default safe audit of one endpoint finishes within SAFE_AUDIT_BUDGET_MS, set-up
 * included. Summed from the configured windows (no timing): the heartbeat and slowloris watches
 * (inert) run beside everything, so each window plus the overhead must fit; every other safe
 * background window holds back the isolated and passive checks, so it plus the overhead must fit.
 */
test('the default safe observation windows fit the safe audit budget', async () => {
  const o = resolveOptions(new URL('ws://h/'));
  /** What each safe background check waits, at defaults (SESSION-02 waits for the operator's token's exp: its own choice). */
  const windows: Record<string, (o: AuditOptions) => number> = {
    'WSG-SESSION-03': (x) => x.idleWaitMs + graceMs(x.idleWaitMs),
    'WSG-LIMIT-07': (x) => x.slowWaitMs,
    'WSG-AUTH-05': (x) => x.authWindowMs + x.canaryWaitMs,
    'WSG-LEAK-03': (x) => x.sessionWaitMs + 2 * x.canaryWaitMs,
    'WSG-SESSION-02': (x) => x.sessionGraceMs + x.canaryWaitMs,
  };
  const safeBackground = (await loadChecks()).filter((m) => m.meta.mode === 'safe' && m.background);
  assert.deepEqual(safeBackground.map((m) => m.meta.id).sort(), Object.keys(windows).sort(), 'every safe background check has its window in this sum');
  for (const m of safeBackground) {
    const total = windows[m.meta.id]!(o) + SAFE_AUDIT_OVERHEAD_MS;
    assert.ok(total <= SAFE_AUDIT_BUDGET_MS, `${m.meta.id}: ${total} ms with the overhead, over the ${SAFE_AUDIT_BUDGET_MS} ms budget`);
  }
  assert.ok(SAFE_AUDIT_BUDGET_MS <= 30_000, 'the issue promises 30 s');
  assert.ok(SAFE_AUDIT_OVERHEAD_MS >= 3000, 'the overhead stays reserved (the corpus measured up to about 2.5 s)');
  // The watches that go on beside the isolated checks must send nothing a server could fall over:
  // an idle socket (heartbeat) and an unfinished request trickled a header line at a time (slowloris).
  assert.deepEqual(safeBackground.filter((m) => m.inert).map((m) => m.meta.id).sort(), ['WSG-LIMIT-07', 'WSG-SESSION-03']);
});
