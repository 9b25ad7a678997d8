import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { audit } from './setup.js';

function ticketCmd(httpBase: string, token: string): string {
  if (existsSync('/usr/bin/curl')) return `curl -sf -X POST -H 'authorization: Bearer ${token}' ${httpBase}/api/tickets | ${JSON.stringify(process.execPath)} -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).ticket))"`;
  const js = `fetch('${httpBase}/api/tickets',{method:'POST',headers:{authorization:'Bearer ${token}'}}).then(r=>r.json()).then(j=>console.log(j.ticket))`;
  return `${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}

test('AUTH-04: reusable ticket and non-expiring ticket → findings; single-use short ticket → pass', async () => {
  const reuse = await audit('WSG-AUTH-04', { auth: 'ticket', ticketReusable: true }, (s, t) => ({ ticketCmd: ticketCmd(s.httpBase, t) }));
  assert.match(reuse.findings[0]?.evidence ?? '', /accepted twice/);
  const late = await audit('WSG-AUTH-04', { auth: 'ticket', ticketNoExpiry: true, ticketTtlMs: 3000 }, (s, t) => ({ ticketCmd: ticketCmd(s.httpBase, t), ticketTtlMs: 3000, lateMarginMs: 300 }));
  assert.equal(late.findings[0]?.severity, 'high');
  const ok = await audit('WSG-AUTH-04', { auth: 'ticket', ticketTtlMs: 3000 }, (s, t) => ({ ticketCmd: ticketCmd(s.httpBase, t), ticketTtlMs: 3000, lateMarginMs: 300 }));
  assert.equal(ok.result.status, 'pass', ok.result.reason);
  const none = await audit('WSG-AUTH-04', {});
  assert.equal(none.result.status, 'skipped');
});
