import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-SESSION-03',
  title: 'No heartbeat / idle limit',
  area: 'SESSION',
  severity: 'low',
  mode: 'safe',
  references: ['OWASP-CS heartbeat & idle timeouts', 'ASVS 7.3.1', 'RFC6455 §5.5.2'],
  remediation: 'Ping every ~25 s and terminate peers that do not pong within ~10 s; close sockets idle for longer than the application needs.',
  description: 'Opens one baseline socket that never answers pings and sends nothing, and watches up to --idle-wait (default 25 s, 5 min with --thorough) plus a grace (5 %, 1 to 5 s) for a heartbeat of exactly that period. Pass as soon as the server pings (protocol ping or Engine.IO ping) or closes; finding when neither happens within the wait.',
};

/** A long observation: runs beside the other checks (see CheckModule.background). */
export const background = true;
/** After its 101 it sends nothing (never even a pong): it watches beside the isolated checks. */
export const inert = true;

/**
 * A server that pings every N s, watched for N s, pings right at the window's edge: its clock
 * started at its own 'connection', ours after the 101 reached us, and a timer firing in the same
 * tick as the ping wins. The watch runs a grace past the stated window (5 %, 1 to 5 s: 1.25 s
 * on the default 25 s, so the audit's wall time barely moves).
 */
export function graceMs(idleWaitMs: number): number {
  return Math.min(5000, Math.max(1000, Math.round(idleWaitMs / 20)));
}

export function timeoutMs(o: AuditOptions): number {
  return o.idleWaitMs + graceMs(o.idleWaitMs) + 15_000;
}

export async function run(ctx: CheckContext): Promise<void> {
  const r = await ctx.connect({}, { noAutoPong: true });
  if (!r.ok) ctx.skip(`baseline connection failed (${r.status ?? r.error})`);
  const { ws } = r.socket;
  const socketIo = ctx.options.protocol === 'socket.io';
  // What happened before the watch began counts: a socket the server already closed (Engine.IO
  // closes during its CONNECT exchange) fires no 'close' for a listener added now, and the watch
  // would wait out the window and call it "never closed".
  const early = r.socket.closed ? `close ${r.socket.closed.code}` : socketIo && r.socket.engineIoPings > 0 ? 'Engine.IO ping' : null;
  const seen = early ?? await new Promise<string | null>((resolve) => {
    const done = (what: string | null) => { clearTimeout(timer); resolve(what); };
    const timer = setTimeout(() => done(null), ctx.options.idleWaitMs + graceMs(ctx.options.idleWaitMs));
    ws.once('ping', () => done('protocol ping'));
    ws.once('close', (code) => done(`close ${code}`));
    if (socketIo) ws.on('message', (d) => { if (d.toString() === '2') done('Engine.IO ping'); });
    ctx.signal.addEventListener('abort', () => done('aborted'), { once: true });
  });
  if (seen === 'aborted') ctx.skip('check deadline reached');
  if (seen === null) {
    const s = ctx.options.idleWaitMs / 1000;
    ctx.report({ confidence: 'certain', evidence: `No ping and no close within ${s} s on a socket that sent nothing${ctx.options.thorough ? '' : ' (the default window; --thorough watches 5 min, --idle-wait sets it)'}.` });
  }
}
