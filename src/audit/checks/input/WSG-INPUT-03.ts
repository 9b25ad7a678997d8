import { randomBytes } from 'node:crypto';
import { ask, short } from './inject.js';
import { reportIfDown } from '../limit/liveness.js';
import type { AuditOptions, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-INPUT-03',
  title: 'Hostile structure crashes the handler',
  area: 'INPUT',
  severity: 'high',
  mode: 'intrusive',
  references: ['S10', 'S11 (CVE-2023-32695, CVE-2024-38355, CVE-2026-33151)', 'OWASP-CS ("treat all messages as untrusted", safe deserialisation)'],
  remediation: 'Parse inside try/catch with depth and size limits, deny __proto__/constructor/prototype keys (or parse into null-prototype objects), and give each connection an error boundary so a bad message closes only that socket (1007/1008).',
  description: 'Sends invalid JSON, 10 000-deep nesting, wrong types ({"type":[]}), huge numbers, __proto__/constructor.prototype keys carrying a random marker, and on Socket.IO targets 42[{"toString":"x"}], 42["error","x"] and a 9 999 999-attachment header; liveness after each. Finding: a 1011 close with a stack trace, or the marker shows up in a later reply on a fresh connection (prototype pollution). A target that stops answering is reported by WSG-LIVE-01/02, naming this check and the message.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const STACK = /\bat \S+ \(|at Object\.<anonymous>|TypeError:|RangeError:|Traceback \(most recent call last\)|goroutine \d+/;

function payloads(marker: string, socketIo: boolean, template: string | undefined): Array<[string, string]> {
  const pp = `{"wsgPolluted":"${marker}"}`;
  const list: Array<[string, string]> = [
    ['invalid JSON', '{'],
    ['10 000-deep nesting', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['wrong type', '{"type":[]}'],
    ['huge numbers', `{"type":"x","n":1${'0'.repeat(400)},"m":-1e999}`],
    ['__proto__ key', `{"__proto__":${pp}}`],
    ['constructor.prototype keys', `{"constructor":{"prototype":${pp}}}`],
  ];
  if (template?.trim().startsWith('{') && template.trim().length > 2) list.push(['__proto__ key in the operator message', `{"__proto__":${pp},${template.trim().slice(1)}`]);
  if (socketIo) {
    list.push(['Socket.IO object as event name', '42[{"toString":"x"}]'], ['Socket.IO reserved "error" event', '42["error","x"]'], ['Socket.IO 9 999 999 attachments', '459999999-["x",{"_placeholder":true,"num":0}]']);
  }
  // On Socket.IO the JSON payloads ride as raw event arguments (`42["message",<payload>]`).
  return list.map(([n, p]) => [n, socketIo && !p.startsWith('4') ? `42["message",${p}]` : p]);
}

export function timeoutMs(o: AuditOptions): number {
  return 10 * (o.requestTimeoutMs + 1000 + 10_000) + o.canaryWaitMs + 10_000;
}

/** Crash-class probe: runs after the ordinary checks so a crash does not spoil them. */
export const phase = 1;

export async function run(ctx: CheckContext): Promise<void> {
  const marker = `wsg-pp-${randomBytes(4).toString('hex')}`;
  const probe = ctx.options.canary ?? ctx.options.messages[0];
  for (const [name, msg] of payloads(marker, ctx.options.protocol === 'socket.io', ctx.options.messages[0])) {
    const r = await ctx.connect();
    if (!r.ok) ctx.skip(`baseline connection failed (${r.status ?? r.error})`);
    await ask(ctx, r.socket, msg, Math.min(ctx.options.canaryWaitMs, 1000));
    const closed = r.socket.closed ?? (await r.socket.waitClose(100));
    r.socket.close();
    if (await reportIfDown(ctx, `one message (${name})`)) return;
    if (closed?.code === 1011 && STACK.test(closed.reason)) {
      ctx.report({ confidence: 'certain', evidence: `${name}: close 1011 with a stack trace ("${short(closed.reason, 80)}").` });
    }
  }
  if (!probe) return; // nothing to read the pollution marker back with
  const r = await ctx.connect();
  if (!r.ok) return;
  const after = await ask(ctx, r.socket, probe, ctx.options.canaryWaitMs);
  r.socket.close();
  const hit = after.replies.find((m) => m.includes(marker));
  if (hit) ctx.report({ confidence: 'certain', evidence: `Prototype pollution: a key set through "__proto__" in one message appears in a later reply on a fresh connection: ${short(hit, 160)}` });
}
