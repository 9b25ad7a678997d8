import { PROBE_ORIGIN, statusLine } from '../../check-helpers.js';
import { header } from '../../raw/handshake.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-ORIGIN-06',
  title: 'Engine.IO / Socket.IO polling CORS echo',
  area: 'ORIGIN',
  severity: 'high',
  mode: 'safe',
  references: ['S11 (CVE-2020-28481)', 'peers.md note on Socket.IO cors'],
  remediation: 'Give Socket.IO an explicit CORS origin allowlist (never reflect the request Origin, never `*` with credentials) and check Origin on the WebSocket transport too (allowRequest), since CORS does not restrict it.',
  description: `If ${'`'}<engineio path>?EIO=4&transport=polling${'`'} answers, sends it (and EIO=3) with Origin ${PROBE_ORIGIN}: high finding when the polling response's Access-Control-Allow-Origin echoes it with Access-Control-Allow-Credentials: true; info when it echoes it without credentials. The websocket transport's Origin check is WSG-ORIGIN-01's.`,
};

export async function run(ctx: CheckContext): Promise<void> {
  const path = ctx.options.engineioPath;
  const problems: string[] = [];
  const uncredentialed: string[] = [];
  let answered = false;
  for (const eio of ['4', '3']) {
    const r = await ctx.handshake({
      path, origin: PROBE_ORIGIN,
      query: { EIO: eio, transport: 'polling', t: 'wsguard' },
      raw: { request: { method: 'GET', omit: ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version'] } },
    }).catch(() => null); // no answer at all: not an Engine.IO endpoint
    if (!r) continue;
    const engineIo = r.response.status === 200 && /^(?:\d+:)?0\{"sid"/.test(r.response.body.toString('utf8'));
    if (!engineIo && r.response.status !== 200) continue;
    answered ||= engineIo;
    const acao = header(r.response, 'access-control-allow-origin');
    const acac = header(r.response, 'access-control-allow-credentials');
    // Only an echo the browser honours with cookies lets a foreign page read a victim's session
    // (browsers refuse `*` with credentials).
    if (acao === PROBE_ORIGIN && acac === 'true') {
      problems.push(`EIO=${eio} polling with Origin: ${PROBE_ORIGIN} → ${statusLine(r)}, Access-Control-Allow-Origin: ${acao}, Access-Control-Allow-Credentials: ${acac}`);
    } else if (acao === PROBE_ORIGIN) {
      uncredentialed.push(`EIO=${eio} polling with Origin: ${PROBE_ORIGIN} → ${statusLine(r)}, Access-Control-Allow-Origin: ${acao} (no Access-Control-Allow-Credentials: true)`);
    }
  }
  if (!answered) ctx.skip(`no Engine.IO polling endpoint at ${path}`);
  // The websocket transport's Origin is WSG-ORIGIN-01's question: CORS says nothing about it.
  if (problems.length) ctx.report({ confidence: 'certain', evidence: problems.join('\n') });
  else if (uncredentialed.length) {
    ctx.report({ severity: 'info', confidence: 'certain', evidence: `${uncredentialed.join('\n')}: a foreign page can read polling answers, but without the victim's cookies.` });
  }
}
