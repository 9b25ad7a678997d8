import { authzOptions } from '../../options.js';
import { session, short } from './reply.js';
import { reportIfDown } from '../limit/liveness.js';
import type { AuditSocket, CheckContext, CheckMeta } from '../../types.js';
import { isControlPacket } from '../../canary.js';
import { isDeepStrictEqual } from 'node:util';

export const meta: CheckMeta = {
  id: 'WSG-AUTHZ-03',
  title: 'Field-level / mass-assignment in messages',
  area: 'AUTHZ',
  severity: 'medium',
  mode: 'intrusive',
  references: ['ASVS 8.2.3', 'ASVS 2.2.1', 'PS (message tampering)'],
  remediation: 'Validate each message type with a strict schema (additionalProperties: false) and take identity fields (userId, tenantId, role) from the server-side session, never from the message.',
  description: 'Resends a legitimate JSON message (--mass-assign-message, else the first --message) with added userId, tenantId, owner, role, isAdmin, price and plan fields carrying probe values, then the optional --read-message. Finding: a probe field comes back with its probe value (stored or applied) where the unmodified message did not show it; high for identity, ownership, privilege and price fields, medium otherwise. A reply that is the sent message itself (an echo server) shows nothing; fields seen only inside a copy of the whole message with keys added are tentative without --read-message (storing or echoing), and ignored with it (the read decides).',
};

const PROBE: Record<string, unknown> = { userId: 'wsg-probe-user', tenantId: 'wsg-probe-tenant', owner: 'wsg-probe-owner', role: 'wsg-probe-admin', isAdmin: true, price: 0.01, plan: 'wsg-probe-plan' };
const HIGH = new Set(['userId', 'tenantId', 'owner', 'role', 'isAdmin', 'price']);

interface Hits {
  /** Probe fields in an answer that is not a copy of what we sent: stored or applied. */
  applied: Set<string>;
  /** Probe fields only inside a copy of the sent message with keys added (an echo with a timestamp, or a stored record: cannot tell). */
  reflected: Set<string>;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);

/** `x` carries every field of the sent message with its value: the message coming back, maybe with keys added. */
const copies = (x: Obj, sent: Obj) => Object.entries(sent).every(([k, v]) => k in x && isDeepStrictEqual(x[k], v));

/**
 * Keys anywhere in the JSON replies whose value equals the probe value. A reply equal to the sent
 * message is an echo and shows nothing (an echo server returns whatever it is sent).
 */
function probeHits(replies: string[], sent: Obj | null): Hits {
  const hits: Hits = { applied: new Set(), reflected: new Set() };
  const walk = (x: unknown, depth: number, inCopy: boolean) => {
    if (depth > 32 || !x || typeof x !== 'object') return;
    if (sent && isObj(x) && copies(x, sent)) {
      if (Object.keys(x).length === Object.keys(sent).length) return; // the message itself
      inCopy = true;
    }
    for (const [k, v] of Object.entries(x)) {
      if (k in PROBE && v === PROBE[k]) (inCopy ? hits.reflected : hits.applied).add(k);
      walk(v, depth + 1, inCopy);
    }
  };
  for (const r of replies) {
    try { walk(JSON.parse(r.replace(/^\d+/, '')), 0, false); } catch { /* not JSON */ }
  }
  return hits;
}

/** Replies to each message sent (the first one waited for; late ones are counted with the next message). */
async function exchange(ctx: CheckContext, s: AuditSocket, msgs: string[]): Promise<string[][]> {
  const starts: number[] = [];
  for (const m of msgs) {
    starts.push(s.messages.length);
    s.send(m);
    await s.waitFor((x) => !isControlPacket(x, ctx.options.protocol === 'socket.io'), ctx.options.canaryWaitMs, starts.at(-1));
  }
  return starts.map((at, i) => s.messages.slice(at, starts[i + 1] ?? s.messages.length));
}

/**
 * Hits over the replies to [the written message, the read]: a copy of what we wrote with keys
 * added counts as stored only in the read's answer; an exact copy there is a late echo.
 */
function hitsOf(replies: string[][], written: Obj): Hits {
  const [own = [], ...reads] = replies;
  const a = probeHits(own, written);
  const b = probeHits(reads.flat(), written);
  return { applied: new Set([...a.applied, ...b.applied, ...b.reflected]), reflected: a.reflected };
}

async function probe(ctx: CheckContext): Promise<void> {
  const { massAssignMessage, readMessage } = authzOptions(ctx.options);
  let base: Obj | null = null;
  try {
    const v: unknown = JSON.parse(massAssignMessage ?? '');
    if (isObj(v)) base = v;
  } catch { /* not JSON */ }
  if (!base || !massAssignMessage) ctx.skip('needs a JSON object message to extend (--mass-assign-message or --message)');
  const read = readMessage ? [readMessage] : [];
  const s = await session(ctx);
  const extended = { ...base, ...PROBE };
  const before = hitsOf(await exchange(ctx, s, [massAssignMessage, ...read]), base);
  const after = hitsOf(await exchange(ctx, s, [JSON.stringify(extended), ...read]), extended);
  const seen = (k: string) => before.applied.has(k) || before.reflected.has(k);
  const took = [...after.applied].filter((k) => !seen(k));
  // With a read, the read decides: a copy in the write's answer is only an echo.
  const echoed = readMessage ? [] : [...after.reflected].filter((k) => !seen(k) && !after.applied.has(k));
  const list = (ks: string[]) => ks.map((k) => `${k}=${JSON.stringify(PROBE[k])}`).join(', ');
  if (took.length) {
    ctx.report({
      severity: took.some((k) => HIGH.has(k)) ? 'high' : 'medium',
      confidence: 'certain',
      evidence: `Fields added to ${short(massAssignMessage, 60)} came back with their probe values${readMessage ? ' (reply or later read)' : ''}: ${list(took)}`,
    });
  } else if (echoed.length) {
    // A copy of the whole message with keys added: an echo or a stored record; only a read can tell.
    ctx.report({
      severity: echoed.some((k) => HIGH.has(k)) ? 'high' : 'medium',
      confidence: 'tentative',
      evidence: `Fields added to ${short(massAssignMessage, 60)} came back only inside a copy of the whole message (${list(echoed)}): the server may store them or merely echo the message; give --read-message (a message that reads the stored state) to tell.`,
    });
  }
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the extended message');
}
