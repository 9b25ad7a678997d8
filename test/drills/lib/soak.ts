/**
 * Soak (issue 7): steady publish/subscribe load through the client SDK against a hub in a child
 * process, with connection churn: subscribers dropped abruptly (socket cut, the SDK reconnects
 * and resumes), subscribers replaced by a new client resuming from the old one's last seq, and
 * publishers cut mid-publish. Reports throughput, p99 latency, hub memory over time, and lost,
 * duplicated and out-of-order deliveries (each must be 0), checked against the event log.
 */
import WebSocket from 'ws';
import { createClient, type FileEvent, type WebSocketConstructor } from '../../../src/client/index.js';
import { startHubProcess, type MemorySample } from './hub-process.js';
import { Prng } from './prng.js';

export interface SoakOptions {
  readonly durationMs: number;
  readonly channels?: number;
  readonly publishers?: number;
  readonly subscribers?: number;
  /** Events per second per publisher (the default message rate allows 20). */
  readonly ratePerPublisher?: number;
  /** Mean gap between churn actions. */
  readonly churnEveryMs?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly durationMs: number;
  readonly published: number;
  readonly acked: number;
  readonly publishFailures: number;
  readonly logged: number;
  readonly delivered: number;
  readonly throughputPerSec: number;
  readonly deliveriesPerSec: number;
  readonly latencyMs: { p50: number; p99: number; max: number };
  /** `reconnects`: SDK reconnects counted by the clients alive at the end. */
  readonly churn: { drops: number; replacements: number; publisherDrops: number; reconnects: number };
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  /** Acknowledged events missing from the log, and holes in the log's seqs. */
  readonly ackedNotLogged: number;
  readonly logGaps: number;
  readonly memory: { t: number; heapUsed: number; rss: number }[];
  /** What went wrong, per subscriber and channel (empty on a clean run). */
  readonly problems: string[];
}

/** A `ws` subclass that remembers its sockets, so the soak can cut one without a close frame. */
function trackedWebSocket(live: Set<WebSocket>): WebSocketConstructor {
  class Tracked extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      live.add(this);
      this.once('close', () => live.delete(this));
    }
  }
  return Tracked as unknown as WebSocketConstructor;
}

/** One logical subscriber: its deliveries per channel survive reconnects and replacements. */
interface Subscriber {
  client: ReturnType<typeof createClient>;
  sockets: Set<WebSocket>;
  lastSeq: Map<string, number>;
  seen: Map<string, number[]>;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const channels = Array.from({ length: o.channels ?? 4 }, (_, i) => `files:soak/${i}`);
  const rng = new Prng(o.seed ?? 1);
  const rate = o.ratePerPublisher ?? 10;
  const log = o.log ?? (() => undefined);
  // Hub defaults throughout: handshake rate, caps (one sub per client), message rate.
  const hub = await startHubProcess();
  const perms = { subscribe: ['files:soak/*'], publish: ['files:soak/*'] };
  const latencies: number[] = [];
  const memory: SoakReport['memory'] = [];
  const churn = { drops: 0, replacements: 0, publisherDrops: 0, reconnects: 0 };
  const acked = new Map<string, number[]>(channels.map((c) => [c, []]));
  let published = 0;
  let publishFailures = 0;
  let clientSeq = 0;

  const newClient = (sockets: Set<WebSocket>) => {
    const sub = `soak-${clientSeq++}`;
    return createClient({ url: hub.wsUrl, token: () => hub.token(sub, perms, 3600), WebSocket: trackedWebSocket(sockets), backoff: { initialMs: 50, maxMs: 1000 }, requestTimeoutMs: 10_000 });
  };

  const subscribe = (s: Subscriber) => {
    for (const channel of channels) {
      s.client.subscribe(channel, {
        // 0, not undefined, before the first event: undefined would mean "live from now on".
        since: s.lastSeq.get(channel) ?? 0,
        onEvent: (e: FileEvent) => {
          s.seen.get(channel)!.push(e.seq);
          s.lastSeq.set(channel, e.seq);
          const sentAt = Number(/-(\d+)\.bin$/.exec(e.path)?.[1]);
          if (Number.isFinite(sentAt)) latencies.push(Date.now() - sentAt);
        },
      });
    }
  };

  const subscribers: Subscriber[] = [];
  for (let i = 0; i < (o.subscribers ?? 8); i++) {
    const sockets = new Set<WebSocket>();
    const s: Subscriber = { client: newClient(sockets), sockets, lastSeq: new Map(), seen: new Map(channels.map((c) => [c, []])) };
    subscribe(s);
    subscribers.push(s);
  }
  const publishers = Array.from({ length: o.publishers ?? 4 }, () => {
    const sockets = new Set<WebSocket>();
    return { client: newClient(sockets), sockets };
  });

  const started = Date.now();
  const endAt = started + o.durationMs;
  let running = true;
  const pumps = publishers.map(async (p, i) => {
    const channel = channels[i % channels.length]!;
    for (let n = 0; running && Date.now() < endAt; n++) {
      const tick = Date.now();
      published++;
      await p.client
        .publish('file_upload', { channel, path: `soak/p${i}/${n}-${tick}.bin`, size: n, mime: 'application/octet-stream', sha256: 'c'.repeat(64) })
        .then((seq) => acked.get(channel)!.push(seq), () => publishFailures++); // `disconnected`: outcome unknown, never resent
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 / rate - (Date.now() - tick))));
    }
  });

  // Churn: cut a subscriber's socket, replace a subscriber with a new client, or cut a publisher.
  const churner = (async () => {
    const gap = o.churnEveryMs ?? 1000;
    while (running && Date.now() < endAt) {
      await new Promise((r) => setTimeout(r, gap / 2 + rng.next() * gap));
      if (!running || Date.now() >= endAt) break;
      const action = rng.int(0, 9);
      if (action < 6) {
        const s = rng.pick(subscribers);
        for (const ws of s.sockets) ws.terminate();
        churn.drops++;
      } else if (action < 8) {
        const s = rng.pick(subscribers);
        for (const ws of s.sockets) ws.terminate(); // abrupt, then a new client resumes from lastSeq
        s.client.close();
        s.sockets = new Set();
        s.client = newClient(s.sockets);
        subscribe(s);
        churn.replacements++;
      } else {
        const p = rng.pick(publishers);
        for (const ws of p.sockets) ws.terminate();
        churn.publisherDrops++;
      }
    }
  })();

  const sampler = (async () => {
    while (running && Date.now() < endAt) {
      const m: MemorySample = await hub.memory();
      memory.push({ t: (Date.now() - started) / 1000, heapUsed: m.heapUsed, rss: m.rss });
      log(`soak: ${((Date.now() - started) / 1000).toFixed(0)} s, ${published} published, heap ${(m.heapUsed / 1048576).toFixed(1)} MiB, ${m.connections} connections`);
      await new Promise((r) => setTimeout(r, Math.max(1000, Math.min(30_000, o.durationMs / 40))));
    }
  })();

  try {
    await Promise.all([...pumps, churner]);
    running = false;
    await sampler;
    const durationMs = Date.now() - started;
    // Every subscriber catches up to the log (bounded), then deliveries are compared with it.
    const { loggedByChannel, ackedNotLogged } = await readLog(hub.url, channels, acked, hub.token.bind(hub, 'soak-reader', perms, 600));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && subscribers.some((s) => channels.some((c) => (s.lastSeq.get(c) ?? 0) < loggedByChannel.get(c)!.length))) await new Promise((r) => setTimeout(r, 100));
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    let delivered = 0;
    let logGaps = 0;
    for (const seqs of loggedByChannel.values()) seqs.forEach((seq, i) => seq !== i + 1 && logGaps++);
    const problems: string[] = [];
    for (const [k, s] of subscribers.entries()) {
      churn.reconnects += s.client.reconnects;
      for (const c of channels) {
        const seen = s.seen.get(c)!;
        const unique = new Set(seen);
        const missing = loggedByChannel.get(c)!.filter((seq) => !unique.has(seq));
        if (missing.length) problems.push(`subscriber ${k} ${c}: missing ${missing.slice(0, 10).join(',')} (delivered ${seen.length}, last ${s.lastSeq.get(c)}, log ${loggedByChannel.get(c)!.length}, state ${s.client.state})`);
        delivered += seen.length;
        lost += missing.length;
        duplicated += seen.length - unique.size;
        for (let i = 1; i < seen.length; i++) if (seen[i]! < seen[i - 1]!) outOfOrder++;
      }
    }
    const end = await hub.memory();
    memory.push({ t: durationMs / 1000, heapUsed: end.heapUsed, rss: end.rss });
    const ackedCount = [...acked.values()].reduce((n, a) => n + a.length, 0);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      durationMs,
      published,
      acked: ackedCount,
      publishFailures,
      logged: [...loggedByChannel.values()].reduce((n, a) => n + a.length, 0),
      delivered,
      throughputPerSec: ackedCount / (durationMs / 1000),
      deliveriesPerSec: delivered / (durationMs / 1000),
      latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
      churn,
      lost,
      duplicated,
      outOfOrder,
      ackedNotLogged,
      logGaps,
      memory,
      problems,
    };
  } finally {
    running = false;
    for (const s of subscribers) s.client.close();
    for (const p of publishers) p.client.close();
    await hub.stop();
  }
}

/** Reads each channel's whole log through a fresh subscription (since 0): the ground truth. */
async function readLog(url: string, channels: string[], acked: Map<string, number[]>, token: () => Promise<string>): Promise<{ loggedByChannel: Map<string, number[]>; ackedNotLogged: number }> {
  const sockets = new Set<WebSocket>();
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/ws`, token, WebSocket: trackedWebSocket(sockets) });
  const loggedByChannel = new Map<string, number[]>();
  try {
    for (const channel of channels) {
      const seqs: number[] = [];
      const sub = client.subscribe(channel, { since: 0, onEvent: (e) => seqs.push(e.seq) });
      const head = await sub.ready;
      const deadline = Date.now() + 30_000;
      while (seqs.length < head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      loggedByChannel.set(channel, seqs);
      sub.unsubscribe();
    }
  } finally {
    client.close();
  }
  let ackedNotLogged = 0;
  for (const [c, seqs] of acked) {
    const logged = new Set(loggedByChannel.get(c));
    ackedNotLogged += seqs.filter((s) => !logged.has(s)).length;
  }
  return { loggedByChannel, ackedNotLogged };
}
