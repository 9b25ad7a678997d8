import { requireBaseline } from '../../check-helpers.js';
import { buildHandshakeRequest } from '../../raw/handshake.js';
import { RawConnection, type HttpResponse } from '../../raw/raw-connection.js';
import { concreteRequest } from '../../request-variant.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';
import { probeWaitMs } from './frames.js';

export const meta: CheckMeta = {
  id: 'WSG-PROTO-07',
  title: 'Upgrade smuggling through a proxy',
  area: 'PROTO',
  severity: 'high',
  mode: 'safe',
  references: ['SMUGGLE', 'STEWS README (future work)'],
  remediation: 'Make the proxy check the backend status and keep tunnelling only after a 101 (Varnish, Envoy > 1.8.0 configured accordingly); close or treat as plain HTTP any connection whose upgrade was refused; never expose internal routes on the same backend port without access control.',
  description: 'On one connection: (a) an upgrade with Sec-WebSocket-Version: 1337, then after the non-101 answer a plain "GET /"; (b) a POST / with Upgrade: websocket, then "GET /". The same GET is also sent on a fresh connection. Finding (high) when the GET after the refused upgrade gets a different answer than from outside (a tunnel to the backend); medium/tentative when the connection stays open but silent after the refusal.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

interface Exchange {
  first: HttpResponse;
  second: HttpResponse | null;
  /** The connection was still open after the first answer. */
  openAfter: boolean;
}

/** Three exchanges one after another: connect, an answer, and for two of them a second answer's wait. */
export function timeoutMs(o: AuditOptions): number {
  return Math.max(o.timeoutMs, 3 * (2 * o.requestTimeoutMs + Math.min(1500, o.requestTimeoutMs)));
}

export async function run(ctx: CheckContext): Promise<void> {
  await requireBaseline(ctx);
  const ep = ctx.endpoint;
  const timeoutMs = ctx.options.requestTimeoutMs;
  const req = concreteRequest(ctx.target, ctx.options);
  const headers = [...req.headers];
  if (req.protocols.length) headers.push(['Sec-WebSocket-Protocol', req.protocols.join(', ')]);
  const plainGet = Buffer.from(`GET / HTTP/1.1\r\nHost: ${ep.hostHeader}\r\nConnection: close\r\n\r\n`, 'latin1');

  const record = (r: HttpResponse) => ctx.traffic.record({ checkId: ctx.checkId, kind: 'http', direction: 'in', text: `HTTP/${r.httpVersion} ${r.status} ${r.statusText}\n${r.rawHeaders.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.body.toString('utf8')}`, status: r.status, headers: r.headers });

  // Own raw connections: ctx.handshake closes the socket after a non-101, which is what we must not do here.
  async function exchange(first: Buffer, then: Buffer | null): Promise<Exchange | null> {
    let conn: RawConnection | null = null;
    try {
      conn = await RawConnection.open({ host: ep.host, port: ep.port, tls: ep.tls, timeoutMs, signal: ctx.signal });
      conn.write(first);
      const r1 = await conn.readResponse({ timeoutMs });
      record(r1);
      if (!then || r1.status === 101 || conn.closed) return { first: r1, second: null, openAfter: !conn.closed && r1.status !== 101 };
      conn.write(then);
      const r2 = await conn.readResponse({ timeoutMs: probeWaitMs(ctx) }).catch(() => null);
      if (r2) record(r2);
      // Judged after the wait: a server that ended the connection has closed it by now.
      return { first: r1, second: r2, openAfter: !conn.closed };
    } catch {
      return null;
    } finally {
      conn?.destroy();
    }
  }

  const badVersion = buildHandshakeRequest({ path: `${req.url.pathname}${req.url.search}`, host: ep.hostHeader, version: '1337', headers });
  const postUpgrade = buildHandshakeRequest({ path: '/', host: ep.hostHeader, method: 'POST', headers: [...headers, ['Content-Length', '0']] });
  // One probe at a time: against a fragile server, probes sent together blur which one did the damage.
  const direct = await exchange(plainGet, null);
  const a = await exchange(badVersion, plainGet);
  const b = await exchange(postUpgrade, plainGet);
  const outside = direct ? `HTTP ${direct.first.status}` : 'no answer';

  for (const [label, x] of [['upgrade with Sec-WebSocket-Version: 1337', a], ['POST / with Upgrade: websocket', b]] as const) {
    if (!x || x.first.status === 101) continue;
    const inside = x.second;
    if (inside && (!direct || inside.status !== direct.first.status)) {
      ctx.report({ confidence: 'certain', evidence: `${label} got HTTP ${x.first.status}; "GET /" on the same connection then got HTTP ${inside.status} (${inside.body.toString('utf8').slice(0, 40).trim()}), while from a fresh connection it gets ${outside}: the refused upgrade left a tunnel to the backend.` });
      return;
    }
    if (!inside && x.openAfter) {
      ctx.report({ severity: 'medium', confidence: 'tentative', evidence: `${label} got HTTP ${x.first.status}, then the connection stayed open and "GET /" got no HTTP answer within ${probeWaitMs(ctx)} ms: looks like a raw tunnel kept after a non-101.` });
      return;
    }
  }
}
