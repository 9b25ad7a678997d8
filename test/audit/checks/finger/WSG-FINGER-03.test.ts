/**
 * WSG-FINGER-03: an advisory only when the version is shown to be in its range (issue 17: CVEs
 * listed for fixed Python websockets 10.4 were false alarms). Banners in and out of range, a
 * crash-only-affected-versions-show behaviour, a fingerprint without a version, and the legacy
 * Engine.IO protocol (CHECKS.md's FINGER-03).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import type { WeakServerOptions } from '../../../fixtures/weak-server.js';
import { ALLOWED, runCheck, auditWeak, track } from '../../harness.js';
import { corpusCase, startTarget, withTarget } from '../../../corpus/start.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAudit } from '../../../../src/audit/runner.js';
import { loadCheck } from '../../harness.js';

const audit = (weak: WeakServerOptions, before: string[] = [], extra = {}) => auditWeak('WSG-FINGER-03', weak, extra, before);

test('FINGER-03: Python websockets 4.0.1 banner → both advisories in range, with the banner as evidence', async () => {
  const r = await audit({ serverBanner: 'Python/3.6 websockets/4.0.1' });
  const ids = r.findings.map((f) => /CVE-\d+-\d+/.exec(f.title)?.[0]).sort();
  assert.deepEqual(ids, ['CVE-2018-1000518', 'CVE-2021-33880']);
  for (const f of r.findings) {
    assert.equal(f.checkId, 'WSG-FINGER-03');
    assert.equal(f.confidence, 'likely');
    assert.match(f.evidence, /^Python websockets 4\.0\.1 announced by "websockets\/4\.0\.1" in an HTTP 101 answer/);
  }
  assert.equal(r.findings.find((f) => f.title.includes('CVE-2018-1000518'))?.severity, 'medium');
});

test('FINGER-03: Python websockets 8.1 → only the Basic Auth timing advisory (< 9.1)', async () => {
  const r = await audit({ serverBanner: 'Python/3.8 websockets/8.1' });
  assert.deepEqual(r.findings.map((f) => f.title), ['Known-vulnerable version: Python websockets 8.1 (CVE-2021-33880)']);
  assert.equal(r.findings[0]?.severity, 'low');
  assert.match(r.findings[0]?.evidence ?? '', /only where the server uses HTTP Basic Auth/);
});

test('FINGER-03: Python websockets 10.4 (fixed) and a ws server with no version → pass, no CVE named', async () => {
  const fixed = await audit({ serverBanner: 'Python/3.11 websockets/10.4' });
  assert.equal(fixed.result.status, 'pass', JSON.stringify(fixed.findings));
  // ws is identified from its refusals (FINGER-02) but announces no version: nothing to claim.
  const ws = await audit({}, ['WSG-FINGER-02']);
  assert.ok(ws.findings.some((f) => f.checkId === 'WSG-FINGER-02' && /^ws \(Node\.js\) identified/.test(f.evidence)));
  assert.deepEqual(ws.findings.filter((f) => f.checkId === 'WSG-FINGER-03'), []);
  assert.ok(ws.findings.every((f) => !/CVE-/.test(f.evidence)), 'no advisory named from a fingerprint');
});

test('FINGER-03: ws identified + the target dies on > 2000 headers (LIMIT-09) → CVE-2024-37890 with that evidence', async () => {
  const r = await audit({ crashOnHeaderAbuse: true }, ['WSG-FINGER-01', 'WSG-LIMIT-09', 'WSG-LIVE-01'], { concurrency: 1, livenessWindowMs: 1000 });
  const f = r.findings.find((x) => x.checkId === 'WSG-FINGER-03');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.checkId)));
  assert.equal(f.title, 'Known-vulnerable version: ws (Node.js) (CVE-2024-37890)');
  assert.equal(f.severity, 'high');
  assert.match(f.evidence, /^ws \(Node\.js\) identified from HTTP 400 answer .* stopped answering right after WSG-LIMIT-09 sent \(a\) 2 100 headers/);
});

test('FINGER-03: Apache Tomcat 9.0.30 → CVE-2020-13935; 9.0.37 (fixed) → nothing', async () => {
  const old = await audit({ serverBanner: 'Apache Tomcat/9.0.30' });
  assert.deepEqual(old.findings.map((f) => f.title), ['Known-vulnerable version: Apache Tomcat 9.0.30 (CVE-2020-13935)']);
  assert.equal(old.findings[0]?.severity, 'high');
  const fixed = await audit({ serverBanner: 'Apache Tomcat/9.0.37' });
  assert.equal(fixed.findings.length, 0);
});

test('FINGER-03: Socket.IO with allowEIO3 → legacy protocol finding (low, certain); defaults → nothing', async () => {
  const legacy = await startSocketIoServer({ allowEIO3: true });
  track(legacy);
  const r = await runCheck('WSG-FINGER-03', legacy.url, { allowedOrigins: [ALLOWED] });
  assert.deepEqual(r.findings.map((f) => [f.title, f.severity, f.confidence]), [['Legacy Engine.IO protocol v3 accepted', 'low', 'certain']]);
  assert.match(r.findings[0]?.evidence ?? '', /EIO=3&transport=polling → HTTP 200 .*"sid"/);
  const modern = await startSocketIoServer();
  track(modern);
  const ok = await runCheck('WSG-FINGER-03', modern.url, { allowedOrigins: [ALLOWED] });
  assert.equal(ok.result.status, 'pass', JSON.stringify(ok.findings));
});

const sio = corpusCase('socketio4');
test('FINGER-03 on socket.io 4.5.4 (npm): the client bundle\'s "Socket.IO v4.5.4" banner → CVE-2024-38355 and CVE-2023-31125 (engine.io ~6.2 line), not CVE-2022-41940 (fixed in the 6.2.1 it may get)', { skip: sio.skip }, async () => {
  await withTarget(sio.target, async (url) => {
    const r = await runCheck('WSG-FINGER-03', url, { allowedOrigins: [ALLOWED] });
    assert.deepEqual(r.findings.map((f) => [f.title, f.severity, f.confidence]), [['Known-vulnerable version: Socket.IO 4.5.4 (CVE-2024-38355)', 'high', 'likely'], ['Known-vulnerable version: Socket.IO 4.5.4 (CVE-2023-31125)', 'medium', 'likely']]);
    assert.match(r.findings[0]?.evidence ?? '', /"Socket\.IO v4\.5\.4" in an HTTP 200 answer/);
  });
});

const faye = corpusCase('faye');
test('FINGER-03 on faye-websocket 0.11.3 + websocket-extensions 0.1.3 (npm): Faye identified + the ReDoS LIMIT-09 measured → CVE-2020-7662; the same slowdown on ws names nothing', { skip: faye.skip }, async () => {
  await withTarget(faye.target, async (url) => {
    const r = await runCheck('WSG-FINGER-03', url, { ...faye.target.audit, concurrency: 1 }, ['WSG-PROTO-01', 'WSG-LIMIT-09']);
    const f = r.findings.find((x) => x.checkId === 'WSG-FINGER-03');
    assert.ok(f, JSON.stringify(r.findings.map((x) => `${x.checkId}: ${x.evidence.slice(0, 120)}`)));
    assert.equal(f.title, 'Known-vulnerable version: websocket-extensions (CVE-2020-7662 / CVE-2020-7663)');
    assert.match(f.evidence, /^Faye websocket-driver \(Node\.js\/Ruby\) identified from .*WSG-LIMIT-09 measured the advisory's ReDoS: \(d\) Sec-WebSocket-Extensions/);
  });
  // A ws server slowed by the same header (the fixture's stand-in) is not websocket-extensions.
  const ws = await audit({ slowExtensionParsing: true }, ['WSG-PROTO-01', 'WSG-LIMIT-09'], { concurrency: 1 });
  assert.ok(ws.findings.some((x) => x.checkId === 'WSG-LIMIT-09'), 'the slowdown was measured');
  assert.deepEqual(ws.findings.filter((x) => x.checkId === 'WSG-FINGER-03'), []);
});

const ws5 = corpusCase('ws5-echo');
test('FINGER-03 on ws 5.2.2 (npm): ws identified + the Sec-WebSocket-Protocol parse time grows in every pair → CVE-2021-32640, in the safe profile', { skip: ws5.skip }, async () => {
  await withTarget(ws5.target, async (url) => {
    const r = await runCheck('WSG-FINGER-03', url, { ...ws5.target.audit, intrusive: false }, ['WSG-PROTO-02', 'WSG-FINGER-02']);
    const f = r.findings.find((x) => x.checkId === 'WSG-FINGER-03');
    assert.ok(f, JSON.stringify(r.findings.map((x) => `${x.checkId}: ${x.evidence.slice(0, 120)}`)));
    assert.equal(f.title, 'Known-vulnerable version: ws (CVE-2021-32640)');
    assert.match(f.evidence, /^ws \(Node\.js\) identified from .*three interleaved pairs \(\d+ → \d+ ms, \d+ → \d+ ms, \d+ → \d+ ms\)/);
  });
});

const ws7 = corpusCase('ws7-cookie');
test('FINGER-03 on ws 7.4.5 (npm): ws identified from its abortHandshake refusal + the Sec-WebSocket-Protocol parse time grows in every pair → CVE-2021-32640, in the safe profile', { skip: ws7.skip }, async () => {
  await withTarget(ws7.target, async (url) => {
    const r = await runCheck('WSG-FINGER-03', url, { ...ws7.target.audit, intrusive: false }, ['WSG-PROTO-06', 'WSG-FINGER-02']);
    const f = r.findings.find((x) => x.checkId === 'WSG-FINGER-03');
    assert.ok(f, JSON.stringify(r.traffic.entries().filter((e) => e.kind === 'http' && e.direction === 'in').map((e) => e.text.slice(0, 200))));
    assert.equal(f.title, 'Known-vulnerable version: ws (CVE-2021-32640)');
    assert.match(f.evidence, /^ws \(Node\.js\) identified from HTTP 400 answer "Connection: close \| Content-Type: text\/html .*three interleaved pairs \(\d+ → \d+ ms, \d+ → \d+ ms, \d+ → \d+ ms\)/);
  });
});

const ws4 = corpusCase('ws4-echo');
test('FINGER-03 names no CVE-2021-32640 on ws 4.1.0 (its server splits the header in linear time) nor on ws 8 (fixed)', { skip: ws4.skip }, async () => {
  await withTarget(ws4.target, async (url) => {
    const r = await runCheck('WSG-FINGER-03', url, { ...ws4.target.audit, intrusive: false }, ['WSG-PROTO-02', 'WSG-FINGER-02']);
    assert.deepEqual(r.findings.filter((x) => x.checkId === 'WSG-FINGER-03'), []);
  });
  const ws8 = await audit({}, ['WSG-FINGER-02']);
  assert.ok(ws8.findings.some((x) => x.checkId === 'WSG-FINGER-02'), 'ws 8 is identified, so the timing is measured');
  assert.deepEqual(ws8.findings.filter((x) => x.checkId === 'WSG-FINGER-03'), []);
});

test('FINGER-03 on socket.io 4.5.4 (npm) crashed by the reserved "error" event (INPUT-03): CVE-2024-38355 named once, from the banner, not again from the crash', { skip: sio.skip }, async () => {
  await withTarget(sio.target, async (url) => {
    const r = await runCheck('WSG-FINGER-03', url, { ...sio.target.audit, allowedOrigins: [ALLOWED], intrusive: true, concurrency: 1, livenessWindowMs: 1000 }, ['WSG-PROTO-06', 'WSG-INPUT-03', 'WSG-LIVE-01']);
    assert.ok(r.findings.some((f) => f.checkId === 'WSG-LIVE-01'), 'the crash happened (else this test shows nothing)');
    const named = r.findings.filter((f) => f.checkId === 'WSG-FINGER-03' && f.title.includes('CVE-2024-38355'));
    assert.deepEqual(named.map((f) => f.title), ['Known-vulnerable version: Socket.IO 4.5.4 (CVE-2024-38355)']);
  });
});

/**
 * A Socket.IO 2.x stand-in: Engine.IO 3 answers every polling open in v3 framing ("<len>:0{…",
 * whatever EIO is asked) and serves the client bundle with the release's banner and ETag, as
 * socket.io 2.3.0 does; upgrades go to a plain ws server so the baseline handshake succeeds.
 */
async function startSocketIo2(version: string): Promise<{ url: string; close(): Promise<void> }> {
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/socket.io/socket.io.js') {
      res.writeHead(200, { 'Content-Type': 'application/javascript', ETag: `"${version}"` }).end(`/*!\n * Socket.IO v${version}\n * Released under the MIT License.\n */\n!function(){}();\n`);
    } else if (url.pathname === '/socket.io/' && url.searchParams.get('transport') === 'polling') {
      const open = '0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}';
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end(`${open.length}:${open}`);
    } else {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server: srv });
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(); srv.close(() => resolve()); }),
  };
}

test('FINGER-03 on Socket.IO 2.3.0 (banner "Socket.IO v2.3.0"): CVE-2020-28481, CVE-2024-38355 and CVE-2022-41940 (its pinned engine.io ~3.4 is before 3.6.1) named once each; EIO3 advice is the upgrade, not allowEIO3', async () => {
  const sio2 = track(await startSocketIo2('2.3.0'));
  const r = await runCheck('WSG-FINGER-03', sio2.url, { allowedOrigins: [ALLOWED] });
  assert.deepEqual(r.findings.map((f) => [f.title, f.severity]), [
    ['Known-vulnerable version: Socket.IO 2.3.0 (CVE-2024-38355)', 'high'],
    ['Known-vulnerable version: Socket.IO 2.3.0 (CVE-2020-28481)', 'medium'],
    ['Known-vulnerable version: Socket.IO 2.3.0 (CVE-2022-41940)', 'medium'],
    ['Legacy Engine.IO protocol v3 accepted', 'low'],
  ]);
  assert.match(r.findings[0]?.evidence ?? '', /2\.3\.0–2\.5\.0 \(fixed in 2\.5\.1\)/);
  assert.match(r.findings[2]?.evidence ?? '', /engine\.io before 3\.6\.1/);
  const legacy = r.findings[3]?.evidence ?? '';
  assert.doesNotMatch(legacy, /allowEIO3 is on/);
  assert.match(legacy, /Socket\.IO 2\.3\.0 .*no allowEIO3 option.*Upgrade to Socket\.IO 4/);
});

test('FINGER-03 on a Socket.IO 3.1.2 banner: CVE-2022-41940 too (its engine.io ~4.1 line never got a fix; missed for the outsider auditor), beside CVE-2024-38355', async () => {
  const sio3 = track(await startSocketIo2('3.1.2'));
  const r = await runCheck('WSG-FINGER-03', sio3.url, { allowedOrigins: [ALLOWED] });
  const titles = r.findings.map((f) => f.title);
  assert.ok(titles.includes('Known-vulnerable version: Socket.IO 3.1.2 (CVE-2022-41940)'), JSON.stringify(titles));
  assert.ok(titles.includes('Known-vulnerable version: Socket.IO 3.1.2 (CVE-2024-38355)'), JSON.stringify(titles));
  assert.ok(!titles.some((t) => t.includes('CVE-2020-28481') || t.includes('CVE-2023-31125')), JSON.stringify(titles));
});

test('FINGER-03 on Socket.IO 2.5.1 (fixed for both): no CVE; a v3-framed answer to EIO=4 still says 2.x, not allowEIO3', async () => {
  const sio2 = track(await startSocketIo2('2.5.1'));
  const r = await runCheck('WSG-FINGER-03', sio2.url, { allowedOrigins: [ALLOWED] });
  assert.deepEqual(r.findings.map((f) => f.title), ['Legacy Engine.IO protocol v3 accepted']);
  assert.doesNotMatch(r.findings[0]?.evidence ?? '', /allowEIO3 is on/);
});

test('FINGER-03: sockjs 0.3.19 (identified by /info) dies right after refusing an upgrade → CVE-2020-7693; identified but alive, no advisory', { skip: existsSync(fileURLToPath(new URL('../../../corpus/node_modules/sockjs/package.json', import.meta.url))) ? false : 'npm package sockjs not installed (npm run corpus:install)' }, async () => {
  const target = { name: 'sockjs-echo', software: 'sockjs 0.3.19', command: [process.execPath, 'test/corpus/targets/sockjs-echo.mjs'], needs: { npm: 'sockjs' }, path: '/echo/websocket', audit: {}, weaknesses: [] };
  const server = await startTarget(target);
  try {
    const checks = await Promise.all(['WSG-PROTO-06', 'WSG-FINGER-03', 'WSG-LIVE-01'].map(loadCheck));
    const { report } = await runAudit(new URL(server.url), { allowedOrigins: ['http://127.0.0.1'], requestTimeoutMs: 3000, livenessWindowMs: 3000 }, { checks });
    assert.equal(server.alive(), false, 'sockjs 0.3.19 dies on the refused handshake');
    const f = report.findings.find((x) => x.checkId === 'WSG-FINGER-03' && x.title.includes('CVE-2020-7693'));
    assert.ok(f, JSON.stringify(report.findings));
    assert.match(f.evidence, /GET \/echo\/info → HTTP 200.*WSG-PROTO-06 got its refusal of an Upgrade: websocket request as a bare head \(HTTP\/1\.1 400/);
  } finally {
    await server.close();
  }
  // The same sockjs, only the fingerprint (no refused upgrade, no crash): no advisory named.
  const alive = await startTarget(target);
  try {
    const { report } = await runAudit(new URL(alive.url), { allowedOrigins: ['http://127.0.0.1'], requestTimeoutMs: 3000 }, { checks: await Promise.all(['WSG-FINGER-03', 'WSG-LIVE-01'].map(loadCheck)) });
    assert.equal(report.findings.filter((x) => x.title.includes('CVE-2020-7693')).length, 0, JSON.stringify(report.findings));
  } finally {
    await alive.close();
  }
});
