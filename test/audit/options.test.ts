/**
 * One audit option system: every option validated by one zod schema with its default in one block
 * (src/audit/options.ts); a bad value is one line naming the CLI flag; the checks read typed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_DEFAULTS, AuditOptionError, authzOptions, CEILINGS, defaultCredentials, inputOptions, limitOptions, parseAuditOptions, resolveOptions, type AuditOptionsInput } from '../../src/audit/options.js';

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
    slowHeaderIntervalMs: 10_000, slowWaitMs: 25_000, backpressureWaitMs: 30_000, streamMessage: undefined, timingThresholdMs: 400,
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
