import { isDeepStrictEqual } from 'node:util';
import { isEchoOf } from '../../canary.js';
import { ackArgs } from '../../socketio.js';
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
  description: 'Puts <img src=x onerror=wsg1>, "><svg onload=wsg2>, javascript:wsg3 and <img src=1 oNeRrOr=wsg4> into the injection points of the operator messages ({{payload}} marker, else every string leaf of a JSON message at any depth except its type field, or a whole plain-text message, replaced and appended to) and watches the sender and a second observer socket (the second identity when given). Finding: a payload comes back unencoded (javascript: only in url/href/link/src fields); certain when it is in a field named by --render-field, tentative otherwise. A payload that comes back to its own sender only (an echo server, a Socket.IO ack handing back the event\'s own arguments, or a reply of the server\'s own carrying a field the client chose, such as a graphql-ws operation id) is self-reflection: info, not high; high needs the payload relayed to another connection.',
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

  const sent: string[] = [];
  for (const t of templates) for (const p of PAYLOADS) { const m = fill(t, p); sent.push(m); sender.socket.send(m); }
  await sender.socket.collect(ctx.options.canaryWaitMs);

  const hits: Array<{ payload: string; where: string; key: string; echo: boolean; ack: boolean }> = [];
  watched.forEach(([where, s], i) => {
    for (const frame of s.messages.slice(starts[i])) {
      // The whole message sent coming back to its own sender is an echo: it reaches no one else.
      const echo = where === 'sender' && isSelfEcho(frame, sent);
      for (const p of PAYLOADS) {
        const f = stringFields(frame).find((x) => x.value.includes(p) && (!p.startsWith('javascript:') || URL_KEY.test(x.key)));
        const same = hits.find((h) => h.payload === p && h.where === where);
        if (f && !same) hits.push({ payload: p, where, key: f.key, echo, ack: ackArgs(frame) !== null });
        else if (f && same && same.echo && !echo) Object.assign(same, { key: f.key, echo: false });
      }
    }
  });
  if (!hits.length) return;
  const list = (hs: typeof hits) => short(hs.map((h) => `${h.payload} unencoded in "${h.key}" on the ${h.where} socket`).join('; '), 400);
  const real = hits.filter((h) => !h.echo);
  if (!real.length) {
    ctx.report({
      severity: 'info', confidence: 'certain',
      evidence: `The server ${hits.some((h) => h.ack) ? 'hands each event\'s own arguments back to its sender only, by Socket.IO ack' : 'echoes each message verbatim to its sender only'} (${list(hits)}): self-reflection, not stored or cross-user script injection; it matters only if the client renders its own echoed messages as HTML.`,
    });
    return;
  }
  const rendered = real.filter((h) => renderFields.includes(h.key));
  const relayed = real.filter((h) => h.where !== 'sender');
  if (!relayed.length) {
    // Only the sender got it back (graphql-ws hands the operation id the client chose back in
    // "id"): a client can inject only into what it renders itself, self-reflection as documented.
    ctx.report({
      severity: 'info', confidence: 'certain',
      evidence: `${list(real)} (reflected to the sender in a reply of its own, reaching no other connection): self-reflection, not stored or cross-user script injection; it matters only if the client renders ${rendered.length ? 'it, as --render-field says,' : 'its own replies'} as HTML.`,
    });
    return;
  }
  const hitRendered = relayed.filter((h) => renderFields.includes(h.key));
  ctx.report({
    confidence: hitRendered.length ? 'certain' : 'tentative',
    evidence: `${list(real)} (relayed to other connections: stored/broadcast)${hitRendered.length ? '' : '; no --render-field confirms the client renders it as HTML'}.`,
  });
}

/**
 * The frame is one of the sent messages itself (equal text or JSON, or a whole string field
 * carrying it), or a Socket.IO ACK handing back the event's own arguments (`ack(msg)`): the
 * same self-reflection, answered through the acknowledgement instead of a new event.
 */
function isSelfEcho(frame: string, sent: string[]): boolean {
  const acked = ackArgs(frame);
  return sent.some((m) => isEchoOf(frame, m) || stringFields(frame).some((f) => f.key !== '(frame)' && f.value === m) || (acked !== null && isAckOf(acked, m)));
}

/** `ack` carries exactly the arguments of the event `sent` (`["echo", x]` acked with `[x]`). */
function isAckOf(ack: unknown[], sent: string): boolean {
  try {
    const event: unknown = JSON.parse(sent);
    return Array.isArray(event) && event.length > 1 && isDeepStrictEqual(event.slice(1), ack);
  } catch {
    return false;
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the script payloads');
}
