/**
 * Abuse drills at full size: `npm run drill -- abuse [--only NAME] [--out FILE]`.
 *
 * Each attack runs against its own hub in a child process, beside a bystander client in another
 * child process (so neither the attackers' CPU nor the bystander's shares the hub's event loop).
 * Reported per attack: the bystander's handshake and ping p99, the hub's longest event-loop block
 * (perf_hooks.monitorEventLoopDelay), the hub's RSS before / peak / after, and the log lines the
 * hub wrote during the attack, plus what the attack achieved (caps reached, errors returned).
 * Targets (issue 10): longest block <= 50 ms, bystander ping p99 <= 100 ms.
 *
 * Roles (one file): no WSGUARD_DRILL_ROLE = the driver; 'hub' and 'bystander' = the children.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import WebSocket from 'ws';

const SELF = fileURLToPath(import.meta.url);
const role = process.env.WSGUARD_DRILL_ROLE;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Child: the hub.

interface HubSpec {
  readonly secret: string;
  readonly db: string;
  readonly retention?: { maxEvents: number; maxAgeMs: number };
  readonly channels?: { max: number; newPerUserPerHour: number };
}

type HubRequest =
  | { type: 'reset' }
  | { type: 'stats' }
  | { type: 'seed'; channel: string; n: number }
  | { type: 'seedChannels'; n: number }
  | { type: 'prune' }
  | { type: 'close' };

interface HubStats {
  maxBlockMs: number;
  /** Longest garbage-collection pause (part of any block). */
  maxGcMs: number;
  /** 99th percentile of the loop delay (less sensitive than the max to the machine's own scheduling). */
  p99BlockMs: number;
  rss: number;
  peakRss: number;
  logLines: number;
}

async function hubChild(): Promise<void> {
  const { startHub } = await import('../src/hub/app.js');
  const spec = JSON.parse(process.env.WSGUARD_DRILL_HUB ?? '{}') as HubSpec;
  let logLines = 0;
  const logger = pino({ level: 'info' }, { write: () => void logLines++ });
  const hub = await startHub(
    {
      host: '127.0.0.1',
      port: 0,
      allowedOrigins: 'self',
      allowedHosts: 'self',
      jwt: { secret: spec.secret },
      devMode: false,
      db: spec.db,
      trustProxy: [],
      retention: spec.retention ?? { maxEvents: 0, maxAgeMs: 0 },
      maxConnections: 10_000,
      logLevel: 'info',
      ...(spec.channels ? { channels: spec.channels } : {}),
    },
    { logger },
  );
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let maxGcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) maxGcMs = Math.max(maxGcMs, e.duration);
  }).observe({ entryTypes: ['gc'] });
  let peakRss = process.memoryUsage.rss();
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50).unref();
  const gc = (globalThis as { gc?: () => void }).gc;
  const stats = (): HubStats => ({ maxBlockMs: delay.max / 1e6, maxGcMs, p99BlockMs: delay.percentile(99) / 1e6, rss: process.memoryUsage.rss(), peakRss, logLines });
  const reply = (m: object) => process.send?.(m);
  process.on('message', (m: HubRequest) => {
    void (async () => {
      switch (m.type) {
        case 'reset':
          gc?.();
          delay.reset();
          maxGcMs = 0;
          peakRss = process.memoryUsage.rss();
          return reply({ type: 'stats', stats: stats() });
        case 'stats': {
          const now = stats(); // before the forced GC below, which would count as a pause
          gc?.();
          return reply({ type: 'stats', stats: { ...now, rss: process.memoryUsage.rss() } });
        }
        case 'seed':
          for (let i = 0; i < m.n; i += 1000) {
            const batch = Array.from({ length: Math.min(1000, m.n - i) }, (_, k) =>
              hub.store.append({ channel: m.channel, kind: 'file_delete', path: `seed/${i + k}`, by: 'seed', at: new Date().toISOString() }));
            await Promise.all(batch);
          }
          return reply({ type: 'done' });
        case 'seedChannels':
          for (let i = 0; i < m.n; i += 1000) {
            const batch = Array.from({ length: Math.min(1000, m.n - i) }, (_, k) =>
              hub.store.append({ channel: `files:seed/c${i + k}`, kind: 'file_delete', path: 'x', by: `seed${Math.floor((i + k) / 500)}`, at: new Date().toISOString() }));
            await Promise.all(batch);
          }
          return reply({ type: 'done' });
        case 'prune': {
          const t0 = performance.now();
          const removed = await hub.store.prune();
          return reply({ type: 'pruned', removed, ms: performance.now() - t0, channels: await hub.store.channelTotal?.() });
        }
        case 'close':
          await hub.close(2_000);
          process.exit(0);
      }
    })();
  });
  process.on('disconnect', () => void hub.close(1_000).finally(() => process.exit(0)));
  reply({ type: 'ready', wsUrl: hub.wsUrl, port: hub.port });
}

// ---------------------------------------------------------------------------------------------
// Child: the bystander. One connection pinging every pingEveryMs, and a fresh handshake every
// handshakeEveryMs (closed at once), from `localAddress`.

interface BystanderSpec {
  readonly wsUrl: string;
  readonly token: string;
  readonly localAddress: string;
  readonly pingEveryMs: number;
  readonly handshakeEveryMs: number;
}

interface BystanderReport {
  pings: number[];
  pingsLost: number;
  handshakes: number[];
  handshakeFailures: Record<string, number>;
  closed: string | null;
}

function open(url: string, token: string, localAddress: string): Promise<{ ws?: WebSocket; status?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['wsguard.v1'], { headers: { Authorization: `Bearer ${token}` }, localAddress, handshakeTimeout: 30_000 });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_q, res) => {
      res.resume();
      ws.terminate();
      resolve({ status: String(res.statusCode) });
    });
    ws.once('error', (err) => resolve({ status: err.message.slice(0, 40) }));
  });
}

async function bystanderChild(): Promise<void> {
  const spec = JSON.parse(process.env.WSGUARD_DRILL_BYSTANDER ?? '{}') as BystanderSpec;
  const report: BystanderReport = { pings: [], pingsLost: 0, handshakes: [], handshakeFailures: {}, closed: null };
  const main = await open(spec.wsUrl, spec.token, spec.localAddress);
  if (!main.ws) throw new Error(`bystander could not connect: ${main.status}`);
  const ws = main.ws;
  const sent = new Map<string, number>();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; id?: string };
    if (m.type === 'pong' && m.id && sent.has(m.id)) {
      report.pings.push(performance.now() - sent.get(m.id)!);
      sent.delete(m.id);
    }
  });
  ws.on('close', (code, reason) => (report.closed = `${code} ${String(reason)}`));
  let n = 0;
  const pinger = setInterval(() => {
    const id = `p${n++}`;
    sent.set(id, performance.now());
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'ping', id, payload: {} }));
  }, spec.pingEveryMs);
  let stopping = false;
  const handshakes = (async () => {
    while (!stopping) {
      const t0 = performance.now();
      const r = await open(spec.wsUrl, spec.token, spec.localAddress);
      if (r.ws) {
        report.handshakes.push(performance.now() - t0);
        r.ws.terminate();
      } else report.handshakeFailures[r.status ?? '?'] = (report.handshakeFailures[r.status ?? '?'] ?? 0) + 1;
      await sleep(spec.handshakeEveryMs);
    }
  })();
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    stopping = true;
    clearInterval(pinger);
    void (async () => {
      await handshakes;
      await sleep(1_000); // late pongs
      report.pingsLost = sent.size;
      ws.terminate();
      process.send?.({ type: 'report', report });
      setTimeout(() => process.exit(0), 100);
    })();
  });
  process.send?.({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------
// Driver.

function child(roleName: 'hub' | 'bystander', env: Record<string, string>): ChildProcess {
  return fork(SELF, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, WSGUARD_DRILL_ROLE: roleName, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function ask<T>(c: ChildProcess, msg: object, type: string, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${type}' within ${timeoutMs} ms`)), timeoutMs);
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      c.off('message', on);
      resolve(m as T);
    };
    c.on('message', on);
    if (Object.keys(msg).length > 0) c.send(msg);
  });
}

interface HubHandle {
  readonly child: ChildProcess;
  readonly wsUrl: string;
  readonly port: number;
  readonly secret: string;
  token(sub: string, perms: { subscribe: string[]; publish: string[] }): Promise<string>;
  stats(type?: 'reset' | 'stats'): Promise<HubStats>;
  stop(): Promise<void>;
}

async function startHubChild(spec: Omit<HubSpec, 'secret' | 'db'>): Promise<HubHandle> {
  const { signToken } = await import('../src/auth/sign.js');
  const dir = mkdtempSync(join(tmpdir(), 'wsguard-abuse-'));
  const secret = randomBytes(32).toString('base64url');
  const c = child('hub', { WSGUARD_DRILL_HUB: JSON.stringify({ ...spec, secret, db: join(dir, 'events.db') }) });
  const ready = await ask<{ wsUrl: string; port: number }>(c, {}, 'ready', 60_000);
  return {
    child: c,
    wsUrl: ready.wsUrl,
    port: ready.port,
    secret,
    token: (sub, perms) => signToken({ secret, sub, perms, ttlSec: 3600 }),
    stats: async (type = 'stats') => (await ask<{ stats: HubStats }>(c, { type }, 'stats')).stats,
    async stop() {
      const exited = new Promise((r) => c.once('exit', r));
      c.send({ type: 'close' });
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBystander(hub: HubHandle, localAddress = '127.0.0.1', handshakeEveryMs = 250): Promise<() => Promise<BystanderReport>> {
  const token = await hub.token('bystander', { subscribe: ['files:bystander'], publish: ['files:bystander'] });
  const spec: BystanderSpec = { wsUrl: hub.wsUrl, token, localAddress, pingEveryMs: 100, handshakeEveryMs };
  const c = child('bystander', { WSGUARD_DRILL_BYSTANDER: JSON.stringify(spec) });
  await ask(c, {}, 'ready', 60_000);
  return async () => (await ask<{ report: BystanderReport }>(c, { type: 'stop' }, 'report', 120_000)).report;
}

const p99 = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)]!;
};

interface AttackResult {
  readonly name: string;
  readonly size: string;
  readonly outcome: string;
  readonly bystander: { handshakeP99Ms: number; handshakes: number; handshakeFailures: Record<string, number>; pingP99Ms: number; pings: number; pingsLost: number; closed: string | null };
  readonly hub: { maxBlockMs: number; maxGcMs: number; p99BlockMs: number; rssBeforeMiB: number; rssPeakMiB: number; rssAfterMiB: number; logLines: number };
  readonly durationS: number;
}

const mib = (n: number) => Math.round((n / 1048576) * 10) / 10;

/** Runs `attack` beside a bystander on a fresh hub and measures. */
async function measure(name: string, size: string, spec: Omit<HubSpec, 'secret' | 'db'>, prepare: (hub: HubHandle) => Promise<void>, attack: (hub: HubHandle) => Promise<string>, bystanderAddress = '127.0.0.1', handshakeEveryMs = 250): Promise<AttackResult> {
  const hub = await startHubChild(spec);
  try {
    await prepare(hub);
    const stopBystander = await startBystander(hub, bystanderAddress, handshakeEveryMs);
    await sleep(1_000);
    const before = await hub.stats('reset');
    const t0 = performance.now();
    const outcome = await attack(hub);
    const durationS = (performance.now() - t0) / 1000;
    const during = await hub.stats();
    const report = await stopBystander();
    await sleep(2_000);
    const after = await hub.stats();
    const result: AttackResult = {
      name,
      size,
      outcome,
      durationS: Math.round(durationS * 10) / 10,
      bystander: {
        handshakeP99Ms: Math.round(p99(report.handshakes)),
        handshakes: report.handshakes.length,
        handshakeFailures: report.handshakeFailures,
        pingP99Ms: Math.round(p99(report.pings)),
        pings: report.pings.length,
        pingsLost: report.pingsLost,
        closed: report.closed,
      },
      hub: {
        maxBlockMs: Math.round(during.maxBlockMs),
        maxGcMs: Math.round(during.maxGcMs),
        p99BlockMs: Math.round(during.p99BlockMs),
        rssBeforeMiB: mib(before.rss),
        rssPeakMiB: mib(during.peakRss),
        rssAfterMiB: mib(after.rss),
        logLines: during.logLines - before.logLines,
      },
    };
    console.log(`${name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await hub.stop();
  }
}

/** A client that only counts frames (no parsing: the attacker reads as fast as it can). */
function counter(url: string, token: string): Promise<{ ws: WebSocket; frames: () => number; first: () => string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['wsguard.v1'], { headers: { Authorization: `Bearer ${token}` } });
    let frames = 0;
    let first = '';
    ws.on('message', (d) => {
      if (frames++ === 0) first = String(d).slice(0, 80);
    });
    ws.once('open', () => resolve({ ws, frames: () => frames, first: () => first }));
    ws.once('error', reject);
  });
}

function rawUpgrade(port: number, path: string, localAddress: string, auth?: string): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'wsguard.v1' };
    if (auth) headers.Authorization = auth;
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 101);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(30_000, () => req.destroy());
    req.end();
  });
}

const READ = { subscribe: ['files:acme'], publish: [] as string[] };
const WILD = { subscribe: ['files:acme/*'], publish: ['files:acme/*'] };

const ATTACKS: Record<string, () => Promise<AttackResult>> = {
  // No attack: the bystander alone, for the noise floor of this machine at this moment.
  idle: () => measure('idle', 'no attack, 20 s (baseline)', {}, async () => {}, async () => {
    await sleep(20_000);
    return 'baseline';
  }),

  // Issue 10: subscribe {since: 0} on a 100,000-event channel from ten sockets of one read-only token.
  replay: () => measure('replay', '100,000 events × 10 sockets of one token, since 0', {},
    async (hub) => void (await ask(hub.child, { type: 'seed', channel: 'files:acme', n: 100_000 }, 'done')),
    async (hub) => {
      const t = await hub.token('reader', READ);
      const readers = await Promise.all(Array.from({ length: 10 }, () => counter(hub.wsUrl, t)));
      for (const r of readers) r.ws.send(JSON.stringify({ type: 'subscribe', id: 's', payload: { channel: 'files:acme', since: 0 } }));
      const deadline = Date.now() + 300_000;
      while (Date.now() < deadline && readers.some((r) => r.frames() < 100_001 && !r.first().includes('"error"'))) await sleep(200);
      const done = readers.filter((r) => r.frames() >= 100_001).length;
      const refused = readers.filter((r) => r.first().includes('"error"')).length;
      for (const r of readers) r.ws.terminate();
      return `${done} replays complete (100,001 frames each), ${refused} refused`;
    }),

  // Issue 10: retention over many channels. Seeded at the total cap (100,000 channels), all expired, then one prune().
  retention: () => measure('retention', '100,000 channels, all expired, one prune()', { retention: { maxEvents: 0, maxAgeMs: 5_000 }, channels: { max: 100_000, newPerUserPerHour: 1000 } },
    async (hub) => {
      await ask(hub.child, { type: 'seedChannels', n: 100_000 }, 'done');
      await sleep(6_000);
    },
    async (hub) => {
      const r = await ask<{ removed: number; ms: number; channels: number }>(hub.child, { type: 'prune' }, 'pruned');
      return `prune removed ${r.removed} events in ${Math.round(r.ms)} ms; channels left ${r.channels}`;
    }),

  // Issue 10: one files:acme/* token creating channels as fast as it can, from ten sockets.
  channels: () => measure('channels', '10 sockets of one files:acme/* token, 20 s', {},
    async () => {},
    async (hub) => {
      const t = await hub.token('mallory', WILD);
      const answers: Record<string, number> = {};
      const socks = await Promise.all(Array.from({ length: 10 }, () => new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(hub.wsUrl, ['wsguard.v1'], { headers: { Authorization: `Bearer ${t}` } });
        ws.on('message', (d) => {
          const m = JSON.parse(String(d)) as { type: string; payload: { code?: string } };
          const k = m.type === 'error' ? m.payload.code! : m.type;
          answers[k] = (answers[k] ?? 0) + 1;
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      })));
      let n = 0;
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        // At the message rate limit (20/s per socket): the cap, not the rate limit, is what is tested.
        for (const ws of socks) if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'file_upload', id: `u${n}`, payload: { channel: `files:acme/spam-${n++}`, path: 'x', size: 1, mime: 'text/plain', sha256: 'a'.repeat(64) } }));
        await sleep(55);
      }
      await sleep(1_000);
      for (const ws of socks) ws.terminate();
      return `${n} publishes to new channels: ${JSON.stringify(answers)}`;
    }),

  // Issue 10: unauthenticated refusal flood (bad paths), 50 in flight from one address, 20 s.
  logflood: () => measure('logflood', 'bad-path upgrades, 50 in flight from 127.0.0.2, 20 s', {},
    async () => {},
    async (hub) => {
      const statuses: Record<number, number> = {};
      const end = Date.now() + 20_000;
      await Promise.all(Array.from({ length: 50 }, async () => {
        while (Date.now() < end) {
          const s = await rawUpgrade(hub.port, '/nope', '127.0.0.2');
          statuses[s] = (statuses[s] ?? 0) + 1;
        }
      }));
      return `refusals by status: ${JSON.stringify(statuses)}`;
    }),

  // Issue 10: one bad token every 500 ms from the address a valid user shares (NAT), 20 s.
  lockout: () => measure('lockout', 'bad token every 500 ms from 127.0.0.2; bystander on 127.0.0.2 too', {},
    async () => {},
    async (hub) => {
      const statuses: Record<number, number> = {};
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        const s = await rawUpgrade(hub.port, '/ws', '127.0.0.2', 'Bearer bad.bad.bad');
        statuses[s] = (statuses[s] ?? 0) + 1;
        await sleep(500);
      }
      return `attacker refusals by status: ${JSON.stringify(statuses)}`;
    }, '127.0.0.2', 500),
};

async function driver(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals[0] !== 'abuse') {
    console.error(`usage: npm run drill -- abuse [--only ${Object.keys(ATTACKS).join('|')}] [--out FILE]`);
    process.exit(2);
  }
  const names = values.only ? values.only.split(',') : Object.keys(ATTACKS);
  for (const n of names) if (!ATTACKS[n]) throw new Error(`unknown attack ${n}`);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${mib(totalmem())} MiB, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  console.log(`abuse drill on ${machine}`);
  const results: AttackResult[] = [];
  for (const n of names) results.push(await ATTACKS[n]!());
  console.log('\n| attack | bystander handshake p99 | bystander ping p99 | longest block (longest GC; loop delay p99) | RSS before / peak / after | log lines | outcome |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const fails = Object.keys(r.bystander.handshakeFailures).length > 0 ? ` (failed: ${JSON.stringify(r.bystander.handshakeFailures)})` : '';
    console.log(`| ${r.name} (${r.size}) | ${r.bystander.handshakeP99Ms} ms of ${r.bystander.handshakes}${fails} | ${r.bystander.pingP99Ms} ms of ${r.bystander.pings}, ${r.bystander.pingsLost} lost | ${r.hub.maxBlockMs} ms (${r.hub.maxGcMs} ms; ${r.hub.p99BlockMs} ms) | ${r.hub.rssBeforeMiB} / ${r.hub.rssPeakMiB} / ${r.hub.rssAfterMiB} MiB | ${r.hub.logLines} | ${r.outcome} |`);
  }
  const ok = results.every((r) => r.hub.maxBlockMs <= 50 && r.bystander.pingP99Ms <= 100);
  console.log(`\ntargets (longest block <= 50 ms, bystander ping p99 <= 100 ms): ${ok ? 'met' : 'NOT met'}`);
  if (values.out) {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
  }
  process.exit(0);
}

if (role === 'hub') await hubChild();
else if (role === 'bystander') await bystanderChild();
else await driver();
