/**
 * The liveness watch against targets that really go down (a `ws` server that drops its port and
 * every connection): a crash names the one check and input that preceded it, even in an audit
 * of many checks; a target killed by the baseline handshake itself is reported as such; and a
 * target that dies mid-audit never yields "No findings." or passes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { runAudit } from '../../src/audit/runner.js';
import { loadChecks } from '../../src/audit/registry.js';
import { selectChecks } from '../../src/audit/select.js';
import { resolveOptions, type AuditOptionsInput } from '../../src/audit/options.js';
import type { AuditReport, CheckModule } from '../../src/audit/types.js';
import { Opcode } from '../../src/audit/raw/frame-encoder.js';
import { corpusCase, withTarget } from '../corpus/start.js';
import { startFragileServer, type FragileServerOptions } from '../fixtures/fragile-server.js';
import { mojoMissing, startMojo } from '../fixtures/mojo-server.js';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));
const all = await loadChecks();
const base: AuditOptionsInput = { allowedOrigins: ['https://app.example.com'], requestTimeoutMs: 2000, livenessWindowMs: 1500 };

async function fragile(o: FragileServerOptions) {
  const s = await startFragileServer(o);
  servers.push(s);
  return s;
}

async function audit(url: string, only: string[], extra: AuditOptionsInput = {}): Promise<AuditReport> {
  const options = { ...base, only, ...extra };
  const checks = selectChecks(all, resolveOptions(new URL(url), options));
  return (await runAudit(new URL(url), options, { checks })).report;
}

const status = (r: AuditReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

test('a frame that kills the target: LIVE-01 names the one check that sent it, every check before it is judged, every check after it is not', async () => {
  const s = await fragile({ dieOnProtocolError: true });
  // Many checks at the default concurrency: the frame-abuse checks still run alone, after the others.
  const r = await audit(s.url, ['FINGER', 'ORIGIN', 'AUTH-03', 'LIMIT-01', 'PROTO', 'LIVE']);
  assert.equal(s.dead, true, 'the fixture died');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  // PROTO-01's unmasked frame is the first one ws must refuse; nothing ran beside it.
  assert.match(crash[0]?.evidence ?? '', /^After WSG-PROTO-01 \(input: (the first input it got no answer to|its last input): text frame \(opcode 0x1\), 5 bytes "hello": unmasked \(clients must mask\)\) the target stopped answering/);
  assert.doesNotMatch(crash[0]?.evidence ?? '', /ran alongside/);
  const st = status(r);
  for (const id of ['WSG-ORIGIN-01', 'WSG-LIMIT-01']) assert.ok(st[id] === 'pass' || st[id] === 'fail', `${id} judged before the crash (${st[id]})`);
  for (const c of r.checks.filter((x) => /ORIGIN|AUTH|LIMIT/.test(x.id))) assert.doesNotMatch(c.reason ?? '', /not judged/, `${c.id} ran before the crash`);
  // The check that took it down is not judged either: what it saw was the crash.
  assert.equal(r.checks.find((x) => x.id === 'WSG-PROTO-01')?.reason, 'not judged: the target went down during this check (see WSG-LIVE-01)');
  assert.equal(r.findings.filter((f) => f.checkId === 'WSG-PROTO-01').length, 0);
  // FINGER-01's odd-version handshake runs with the isolated checks, last of the safe ones: after the crash.
  assert.equal(st['WSG-FINGER-01'], 'skipped');
  // FINGER-02/03 read recorded traffic but make their own handshakes at the very end, into the dead
  // target: no pass from them either (an outsider saw "pass" on a target the safe profile had killed).
  for (const id of ['WSG-FINGER-02', 'WSG-FINGER-03']) {
    const c = r.checks.find((x) => x.id === id);
    assert.notEqual(c?.status, 'pass', `${id}: ${JSON.stringify(c)}`);
    if (c?.status === 'skipped') assert.match(c.reason ?? '', /^not judged: /);
  }
  for (const id of ['WSG-PROTO-03', 'WSG-PROTO-04', 'WSG-PROTO-05', 'WSG-PROTO-06', 'WSG-PROTO-07', 'WSG-PROTO-08']) {
    const c = r.checks.find((x) => x.id === id);
    assert.equal(c?.status, 'skipped', `${id}: ${JSON.stringify(c)}`);
    assert.match(c?.reason ?? '', /^not judged: the target stopped answering after WSG-PROTO-01/);
  }
});

const NOT_JUDGED = 'not judged: the target went down during this check (see WSG-LIVE-01)';

for (const mode of [true, 'after-close'] as const) test(`a 126-byte ping kills the target (ws 1.x without an error listener; ${mode === true ? 'no answer' : 'its close 1002 goes out first'}): LIVE-01 names that ping, not a close or a handshake sent around it; PROTO-03 is not judged`, async () => {
  const s = await fragile({ dieOnOversizeControl: mode });
  const r = await audit(s.url, ['PROTO-03', 'LIVE']);
  assert.equal(s.dead, true, 'the fixture died');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After WSG-PROTO-03 \(input: (the first input it got no answer to|its last input): ping frame \(opcode 0x9\), 126 bytes "a{48}"…: over the 125-byte limit for control frames\)/);
  assert.doesNotMatch(crash[0]?.evidence ?? '', /close frame/);
  // What PROTO-03 saw ("no pong, connection dropped") was the crash: no finding, no verdict.
  assert.equal(r.findings.filter((f) => f.checkId === 'WSG-PROTO-03').length, 0, JSON.stringify(r.findings));
  assert.deepEqual(r.checks.find((c) => c.id === 'WSG-PROTO-03')?.status, 'skipped');
  assert.equal(r.checks.find((c) => c.id === 'WSG-PROTO-03')?.reason, NOT_JUDGED);
});

test('a handshake with Sec-WebSocket-Version: 1337 kills the target (sockjs 0.3.19): LIVE-01 names that header; FINGER-01 runs after the ordinary checks, which are judged', async () => {
  const s = await fragile({ dieOnOddVersion: true });
  const r = await audit(s.url, ['FINGER-01', 'ORIGIN', 'AUTH-03', 'LIVE']);
  assert.equal(s.dead, true, 'the fixture died');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After WSG-FINGER-01 \(input: [^)]*handshake GET \/ws HTTP\/1\.1 with Sec-WebSocket-Version: 1337\)/);
  for (const c of r.checks.filter((x) => /ORIGIN|AUTH/.test(x.id))) assert.doesNotMatch(c.reason ?? '', /not judged/, `${c.id} ran before the crash`);
  assert.equal(r.checks.find((c) => c.id === 'WSG-ORIGIN-01')?.status, 'fail');
  assert.equal(r.checks.find((c) => c.id === 'WSG-FINGER-01')?.reason, NOT_JUDGED);
});

test('a message over 1 MiB kills the target: LIVE-01 names the 1 MiB + 1 byte text frame LIMIT-01 streamed, not its handshake', async () => {
  const s = await fragile({ dieOnMessageOver: 512 * 1024 });
  const r = await audit(s.url, ['LIMIT-01', 'LIVE']);
  assert.equal(s.dead, true, 'the fixture died');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After WSG-LIMIT-01 \(input: the first input it got no answer to: text frame \(opcode 0x1\), 1 MiB \+ 1 bytes\)/);
  assert.equal(r.checks.find((c) => c.id === 'WSG-LIMIT-01')?.reason, NOT_JUDGED);
});

test('runs: the checks that can kill a target last and one at a time, FINGER-01 (an odd-version handshake) last of the safe ones', async () => {
  const s = await fragile({});
  const starts: Array<{ id: string; start: number; end: number }> = [];
  const options = { ...base, only: ['FINGER-01', 'ORIGIN', 'AUTH-03', 'LIMIT-01', 'PROTO-01', 'PROTO-03', 'PROTO-04', 'LIVE'] };
  const checks = selectChecks(all, resolveOptions(new URL(s.url), options)).map((m) => ({
    ...m,
    run: async (ctx: Parameters<typeof m.run>[0]) => {
      const start = Date.now();
      try {
        await m.run(ctx);
      } finally {
        starts.push({ id: m.meta.id, start, end: Date.now() });
      }
    },
  }));
  const { report } = await runAudit(new URL(s.url), options, { checks });
  assert.equal(report.findings.filter((f) => f.checkId.startsWith('WSG-LIVE')).length, 0, JSON.stringify(report.findings));
  const active = starts.filter((x) => !x.id.startsWith('WSG-LIVE')).sort((a, b) => a.start - b.start);
  const isolated = new Set(['WSG-LIMIT-01', 'WSG-PROTO-01', 'WSG-PROTO-03', 'WSG-PROTO-04', 'WSG-FINGER-01']);
  const ordinaryEnd = Math.max(...active.filter((x) => !isolated.has(x.id)).map((x) => x.end));
  const alone = active.filter((x) => isolated.has(x.id)).sort((a, b) => a.start - b.start);
  assert.equal(alone.length, 5);
  assert.equal(alone[4]?.id, 'WSG-FINGER-01');
  alone.forEach((x, i) => {
    assert.ok(x.start >= ordinaryEnd, `${x.id} started before the ordinary checks ended`);
    if (i > 0) assert.ok(x.start >= alone[i - 1]!.end, `${x.id} overlapped ${alone[i - 1]!.id}`);
  });
});

test('a target that answered the baseline handshake and never again: LIVE-01 names the baseline handshake; no check passes', async () => {
  const s = await fragile({ dieAfterHandshakes: 1 });
  const r = await audit(s.url, ['ORIGIN', 'AUTH-01', 'LIVE']);
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After the baseline handshake \(the auditor's first request, before any check ran\) the target stopped answering/);
  for (const c of r.checks.filter((x) => !x.id.startsWith('WSG-LIVE'))) {
    assert.equal(c.status, 'skipped', JSON.stringify(c));
    assert.match(c.reason ?? '', /^not judged: the target stopped answering after the baseline handshake/);
  }
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args], { timeout: 90_000, env: { ...process.env, WSGUARD_DEBUG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('CLI: a target that dies after two handshakes → the report says it went down and which checks were not judged, exit 1; never "No findings."', async () => {
  const s = await fragile({ dieAfterHandshakes: 2 });
  const r = await cli([s.url, '--only', 'ORIGIN,AUTH,LIVE', '--origin', 'https://app.example.com', '--liveness-window', '1.5', '--timeout', '10']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /No findings\./);
  assert.match(r.stdout, /WSG-LIVE-01 Target stopped answering after a probe \(crash\) \[certain\]/);
  assert.match(r.stdout, /still down at the end of the audit/);
  // Whatever ran into the dead target is listed as not evaluated (skipped, none passed or erred), most as "not judged".
  const ids = [1, 2, 3, 4, 5, 6].flatMap((n) => [`WSG-ORIGIN-0${n}`, `WSG-AUTH-0${n}`]);
  for (const id of ids) assert.match(r.stdout, new RegExp(`^ {2}${id} skipped: `, 'm'), `${id} not listed as skipped:\n${r.stdout}`);
  assert.ok((r.stdout.match(/^ {2}WSG-\S+ skipped: not judged: /gm) ?? []).length >= 6, r.stdout);
});

test('a target that answers a check\'s handshake (the baseline request, sent again) and dies right after: LIVE-01 names that check and says its input was answered, never "the baseline handshake" alone', async () => {
  // Baseline (1), the watch's fresh handshake (2), AUTH-03's first reuse of the URL (3): answered, then the process dies.
  const s = await fragile({ dieAfterHandshakes: 3 });
  const url = `${s.url}?token=tok-alice`;
  const r = await audit(url, ['AUTH-03', 'LIVE'], { credentials: { token: 'tok-alice', tokenIn: 'query', tokenParam: 'token' } });
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  const evidence = crash[0]?.evidence ?? '';
  // The operator's token in the URL is shown redacted, as everywhere in a report.
  assert.match(evidence, /^After WSG-AUTH-03 \(input: its last input: handshake GET \/ws\?token=to…\(9 chars\) HTTP\/1\.1, the baseline request sent again by WSG-AUTH-03 \(its copy 1 of 1\), answered just before the silence\)/);
  assert.doesNotMatch(evidence, /the baseline handshake|\(as the baseline\)/);
});

test('a target busy for a moment after a big message (gevent-websocket): LIMIT-01 keeps the size it accepted before its next handshake stalled, and the stall is still LIVE-02 naming LIMIT-01', async () => {
  // Upgrades are held 2.6 s after a message over 1 MiB: LIMIT-01's next handshake times out (2 s),
  // and the watch's own probe, made right after, is answered.
  const s = await fragile({ stallOnMessageOver: { bytes: 1024 * 1024, ms: 2600 } });
  const r = await audit(s.url, ['LIMIT-01', 'LIVE'], { intrusive: true });
  // 1 MiB + 1 was accepted (its ping answered) before the stall: that is evidence, not lost to "not judged".
  assert.equal(r.checks.find((c) => c.id === 'WSG-LIMIT-01')?.status, 'fail', JSON.stringify(r.checks));
  const big = r.findings.filter((f) => f.checkId === 'WSG-LIMIT-01');
  assert.equal(big.length, 1, JSON.stringify(r.findings));
  assert.equal(big[0]?.severity, 'medium');
  assert.match(big[0]?.evidence ?? '', /^A 1 MiB \+ 1 byte text message was accepted on one connection \(declared cap 64 KiB\); then the target stopped answering on 16 MiB \+ 1 \(.*see WSG-LIVE-01\/02\)/);
  const slow = r.findings.filter((f) => f.checkId === 'WSG-LIVE-02');
  assert.equal(slow.length, 1, JSON.stringify(r.findings));
  assert.match(slow[0]?.evidence ?? '', /^After WSG-LIMIT-01 \(input: .*\) the target did not complete a baseline handshake \(.*within 2000 ms\); it answered again \d+\.\d s later/);
  assert.equal(r.findings.filter((f) => f.checkId === 'WSG-LIVE-01').length, 0);
});

const gevent = corpusCase('py-gevent');
/**
 * gevent-websocket 0.10.1 unmasks a message byte by byte in Python on its one loop: a 64 MiB text
 * frame keeps it from answering any handshake for seconds (LIMIT-01's 100 MiB, for tens of
 * seconds on a loaded machine). The checks queued behind the stall were reported "not judged"
 * though the target came back (py-gevent intrusive recall 0.44): the next check now waits, once
 * per crash, for the target to answer again.
 */
const stall: CheckModule = {
  meta: { id: 'WSG-TEST-90', title: 'stall the loop', area: 'LIMIT', severity: 'info', mode: 'safe', references: ['test'], remediation: 'n/a', description: 'one 64 MiB text frame' },
  isolated: true,
  phase: -1,
  async run(ctx) {
    const r = await ctx.handshake({ raw: { keepOpen: true } });
    r.connection?.sendFrame({ opcode: Opcode.TEXT, payload: Buffer.alloc(64 * 1024 * 1024, 0x61) });
    // Long enough for the frame to cross loopback, not for the target to unmask it.
    await ctx.sleep(1500);
  },
};
test('py-gevent (real gevent-websocket 0.10.1) stalled by a huge frame: the checks after it wait for it to answer again and are judged', { skip: gevent.skip }, async () => {
  await withTarget(gevent.target, async (url) => {
    const options: AuditOptionsInput = { ...gevent.target.audit, ...base, recoveryWaitMs: 90_000, only: ['TEST-90', 'PROTO-01', 'PROTO-06', 'LIVE'] };
    const checks = selectChecks([...all, stall], resolveOptions(new URL(url), options));
    const r = (await runAudit(new URL(url), options, { checks })).report;
    const st = status(r);
    const live = r.findings.filter((f) => f.checkId.startsWith('WSG-LIVE'));
    assert.equal(live.length, 1, JSON.stringify(r.findings));
    assert.match(live[0]?.evidence ?? '', /^After WSG-TEST-90/, 'the stall is blamed on the check that caused it');
    assert.doesNotMatch(live[0]?.evidence ?? '', /still down at the end/);
    assert.equal(st['WSG-PROTO-01'], 'fail', JSON.stringify(r.checks.find((c) => c.id === 'WSG-PROTO-01')));
    assert.equal(st['WSG-PROTO-06'], 'fail', JSON.stringify(r.checks.find((c) => c.id === 'WSG-PROTO-06')));
  });
});

test('the heartbeat watch (inert) goes on beside the isolated checks: a crash during one is not blamed on it, and its socket closed by the crash is not judged a pass', async () => {
  const s = await fragile({ dieOnProtocolError: true });
  const r = await audit(s.url, ['PROTO-01', 'SESSION-03', 'LIVE'], { idleWaitMs: 6000 });
  assert.equal(s.dead, true, 'the fixture died');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After WSG-PROTO-01 /);
  assert.doesNotMatch(crash[0]?.evidence ?? '', /ran alongside/, 'the idle socket sends nothing: never a suspect');
  const hb = r.checks.find((c) => c.id === 'WSG-SESSION-03');
  assert.equal(hb?.status, 'skipped', JSON.stringify(hb));
  assert.match(hb?.reason ?? '', /^not judged/);
});

/**
 * y-websocket (ws 6.2.7) died on PROTO-03's 126-byte ping while the heartbeat watch listened
 * beside it: the watch's socket dropped at once and it ended first, so its own liveness probe
 * called the target down "after WSG-SESSION-03" (its baseline copy as the input, 23 pool checks as
 * suspects). The isolated check here kills the target and lingers (a reconnect, as PROTO-03 does),
 * so the watch always ends first.
 */
const killer: CheckModule = {
  meta: { id: 'WSG-TEST-91', title: 'kill the target, then linger', area: 'PROTO', severity: 'info', mode: 'safe', references: ['test'], remediation: 'n/a', description: 'one unmasked frame' },
  isolated: true,
  async run(ctx) {
    const r = await ctx.handshake({ raw: { keepOpen: true } });
    r.connection?.sendFrame({ opcode: Opcode.TEXT, payload: Buffer.from('hello'), mask: false });
    await ctx.sleep(800);
  },
};
test('a crash during an isolated check that outlasts the heartbeat watch\'s dropped socket is blamed on the isolated check, never on the watch', async () => {
  const s = await fragile({ dieOnProtocolError: true });
  const options: AuditOptionsInput = { ...base, only: ['TEST-91', 'SESSION-03', 'LIVE'], idleWaitMs: 6000 };
  const checks = selectChecks([...all, killer], resolveOptions(new URL(s.url), options));
  const r = (await runAudit(new URL(s.url), options, { checks })).report;
  assert.equal(s.dead, true, 'the fixture died');
  const crash = r.findings.filter((f) => f.checkId === 'WSG-LIVE-01');
  assert.equal(crash.length, 1, JSON.stringify(r.findings));
  assert.match(crash[0]?.evidence ?? '', /^After WSG-TEST-91 /);
  assert.doesNotMatch(crash[0]?.evidence ?? '', /SESSION-03/);
  const hb = r.checks.find((c) => c.id === 'WSG-SESSION-03');
  assert.equal(hb?.status, 'skipped', JSON.stringify(hb));
  assert.match(hb?.reason ?? '', /^not judged/);
});

/**
 * Mojolicious 9 never answers PROTO-06's `Sec-WebSocket-Version: "13\r"` handshake (it waits for
 * more of the head) and answers every other request at once. That request was described as "the
 * baseline sent again" (the stray CR was trimmed away), so its timeout read as the target stalling:
 * WSG-LIVE-02 "slow to recover … answered again 0.0 s later, after 1 probe" after PROTO-06.
 */
test('real Mojolicious: a PROTO-06 variant it leaves unanswered is not a stall (no WSG-LIVE-02)', { skip: mojoMissing() }, async () => {
  const m = await startMojo();
  try {
    const options: AuditOptionsInput = { ...base, credentials: { cookie: m.alice }, only: ['PROTO-06', 'LIVE'] };
    const checks = selectChecks(all, resolveOptions(new URL(m.url), options));
    const r = (await runAudit(new URL(m.url), options, { checks })).report;
    assert.equal(r.findings.filter((f) => f.checkId.startsWith('WSG-LIVE')).length, 0, JSON.stringify(r.findings));
    assert.equal(status(r)['WSG-PROTO-06'], 'fail', JSON.stringify(r.checks));
  } finally {
    await m.close();
  }
});

/** Holds the nth upgrade request unanswered (a request it will not serve), answers all the others at once. */
async function holdsOne(nth: number): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true });
  const held: Array<{ destroy(): void }> = [];
  let n = 0;
  const server = createServer((_, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket, head) => {
    if (++n === nth) { held.push(socket); return; }
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('error', () => undefined));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const s = { url: `ws://127.0.0.1:${port}/ws`, close: async () => { for (const h of held) h.destroy(); for (const c of wss.clients) c.terminate(); await new Promise<void>((r) => server.close(() => r())); } };
  servers.push(s);
  return s;
}
const twoCopies: CheckModule = {
  meta: { id: 'WSG-TEST-92', title: 'two baseline copies at once', area: 'PROTO', severity: 'info', mode: 'safe', references: ['test'], remediation: 'n/a', description: 'the baseline request twice' },
  isolated: true,
  async run(ctx) {
    await Promise.allSettled([ctx.handshake(), ctx.sleep(100).then(() => ctx.handshake())]);
  },
};
test('a baseline copy left unanswered while the target answered another request at once is not a stall (no WSG-LIVE-02)', async () => {
  // 1: the baseline; 2: the watch's first probe; 3: the check's first copy, held.
  const s = await holdsOne(3);
  const options: AuditOptionsInput = { ...base, only: ['TEST-92', 'LIVE'] };
  const checks = selectChecks([...all, twoCopies], resolveOptions(new URL(s.url), options));
  const r = (await runAudit(new URL(s.url), options, { checks })).report;
  assert.equal(r.findings.filter((f) => f.checkId.startsWith('WSG-LIVE')).length, 0, JSON.stringify(r.findings));
});
