import { fill, injectionTemplates, short, stringFields } from './inject.js';
import { inputOptions } from '../../options.js';
import { reportIfDown } from '../limit/liveness.js';
import type { AuditSocket, CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-INPUT-01',
  title: 'Script injection reflected or stored via messages',
  area: 'INPUT',
  severity: 'high',
  mode: 'intrusive',
  references: ['PS', 'WSTG step 6', 'OWASP-CS', 'RFC6455 §10.1'],
  remediation: 'Treat message content as data: validate it with a schema, and HTML-encode it wherever a client renders it (or sanitise fields declared as HTML on the server) before relaying or storing.',
  description: 'Puts <img src=x onerror=wsg1>, "><svg onload=wsg2>, javascript:wsg3 and <img src=1 oNeRrOr=wsg4> into the injection points of the operator messages ({{payload}} marker, else every string leaf of a JSON message at any depth except its type field, or a whole plain-text message, replaced and appended to) and watches the sender and a second observer socket (the second identity when given). Finding: a payload comes back unencoded (javascript: only in url/href/link/src fields); certain when it is in a field named by --render-field, tentative otherwise.',
};

/** Can take a target down: runs alone, after the other checks (see CheckModule.isolated). */
export const isolated = true;

const PAYLOADS = ['<img src=x onerror=wsg1>', '"><svg onload=wsg2>', 'javascript:wsg3', '<img src=1 oNeRrOr=wsg4>'];

/** A javascript: URL is only dangerous where the client puts it in a link or source. */
const URL_KEY = /url|href|link|src/i;

async function probe(ctx: CheckContext): Promise<void> {
  const templates = injectionTemplates(ctx.options.messages);
  if (!templates.length) ctx.skip('needs --message: a JSON message with a string field, a plain-text message, or a {{payload}} marker');
  const { renderFields } = inputOptions(ctx.options);
  const sender = await ctx.connect();
  if (!sender.ok) ctx.skip(`baseline connection failed (${sender.status ?? sender.error})`);
  const second = ctx.options.secondIdentity;
  const observer = await ctx.connect(second ? { credentials: second } : {});
  const watched: Array<[string, AuditSocket]> = [['sender', sender.socket]];
  if (observer.ok) watched.push([second ? 'second identity' : 'observer', observer.socket]);
  const starts = watched.map(([, s]) => s.messages.length);

  for (const t of templates) for (const p of PAYLOADS) sender.socket.send(fill(t, p));
  await sender.socket.collect(ctx.options.canaryWaitMs);

  const hits: Array<{ payload: string; where: string; key: string }> = [];
  watched.forEach(([where, s], i) => {
    for (const frame of s.messages.slice(starts[i])) {
      for (const p of PAYLOADS) {
        const f = stringFields(frame).find((x) => x.value.includes(p) && (!p.startsWith('javascript:') || URL_KEY.test(x.key)));
        if (f && !hits.some((h) => h.payload === p && h.where === where)) hits.push({ payload: p, where, key: f.key });
      }
    }
  });
  if (!hits.length) return;
  const rendered = hits.filter((h) => renderFields.includes(h.key));
  const relayed = hits.some((h) => h.where !== 'sender');
  ctx.report({
    confidence: rendered.length ? 'certain' : 'tentative',
    evidence: `${short(hits.map((h) => `${h.payload} unencoded in "${h.key}" on the ${h.where} socket`).join('; '), 400)}${relayed ? ' (relayed to other connections: stored/broadcast)' : ' (reflected to the sender)'}${rendered.length ? '' : '; no --render-field confirms the client renders it as HTML'}.`,
  });
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the script payloads');
}
