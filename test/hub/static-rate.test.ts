/**
 * The per-IP budget of the page's GETs (WSGUARD_STATIC_RATE_PER_IP) over real HTTP: a flood from one
 * client address gets 429 with Retry-After past the budget, counted in the metrics and logged
 * aggregated, while another address still gets the page, and /healthz is not counted. The two
 * addresses come from X-Forwarded-For through a trusted loopback proxy (the tests cannot use other
 * source addresses).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startTestHub, removeDir } from './support.js';

interface LogLine { msg: string; security?: { kind: string; reason?: string; ip?: string }; repeated?: number }

const RATE = 30; // per minute, burst the same

test('a GET flood from one address gets 429 + Retry-After past WSGUARD_STATIC_RATE_PER_IP; another address still gets the page; counted and logged aggregated', async (t) => {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  const hub = await startTestHub({ trustProxy: ['127.0.0.1'], staticRatePerMin: RATE, logAggregateMs: 1000 }, { logger: pino({ level: 'warn' }, stream) });
  t.after(async () => {
    await hub.close(1000);
    removeDir(hub.dir);
  });
  const get = (path: string, ip: string) => fetch(hub.url + path, { headers: { 'x-forwarded-for': ip } });
  const A = '203.0.113.10';
  const B = '203.0.113.20';

  const started = Date.now();
  const paths = ['/', '/app.js', '/favicon.ico', '/vendor/wsguard-client.js', '/api/info', '/no-such-file'];
  const flood = await Promise.all(Array.from({ length: 120 }, (_, i) => get(paths[i % paths.length]!, A)));
  const elapsedSec = (Date.now() - started) / 1000;
  const ok = flood.filter((r) => r.status !== 429);
  const limited = flood.filter((r) => r.status === 429);
  // The burst, plus what refilled while the flood ran (RATE per minute): never the whole flood.
  assert.ok(ok.length >= RATE && ok.length <= RATE + 1 + Math.ceil((elapsedSec * RATE) / 60), `${ok.length} answered in ${elapsedSec}s`);
  assert.ok(limited.length >= 120 - RATE - 1 - Math.ceil((elapsedSec * RATE) / 60));
  for (const r of limited) {
    assert.equal(r.headers.get('retry-after'), String(Math.ceil(60 / RATE)));
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'rate_limited');
  }
  for (const r of ok) await r.arrayBuffer();

  // Another address gets the page and the files; the flooding one is still refused; /healthz is not counted.
  assert.equal((await get('/', B)).status, 200);
  assert.equal((await get('/vendor/wsguard-client.js', B)).status, 200);
  assert.equal((await get('/', A)).status, 429);
  assert.equal((await get('/healthz', A)).status, 200);

  const metrics = await (await fetch(hub.url + '/metrics')).text();
  const refusedTotal = limited.length + 1;
  assert.match(metrics, new RegExp(`wsguard_http_rate_limited_total\\{route="static"\\} ${refusedTotal}\\b`));
  assert.match(metrics, new RegExp(`wsguard_security_events_total\\{kind="http_rate_limited"\\} ${refusedTotal}\\b`));

  // Logged aggregated: every refusal is accounted for (first line + repeated counts), in a few lines.
  const mine = () => lines.filter((l) => l.security?.kind === 'http_rate_limited' && l.security.ip === A);
  const accounted = () => mine().reduce((n, l) => n + (l.repeated ?? 1), 0);
  for (let i = 0; i < 50 && accounted() < refusedTotal; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(accounted(), refusedTotal);
  assert.ok(mine().every((l) => l.security!.reason === 'static'));
  const intervals = Math.ceil((Date.now() - started) / 1000) + 1;
  assert.ok(mine().length <= 2 * intervals, `${mine().length} lines for ${refusedTotal} refusals`);
  assert.equal(lines.filter((l) => l.security?.kind === 'http_rate_limited' && l.security.ip === B).length, 0);
});
