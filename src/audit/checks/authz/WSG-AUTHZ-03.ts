import { authzOptions } from '../../options.js';
import { session, short } from './reply.js';
import { reportIfDown } from '../limit/liveness.js';
import type { AuditSocket, CheckContext, CheckMeta } from '../../types.js';
import { isControlPacket } from '../../canary.js';

export const meta: CheckMeta = {
  id: 'WSG-AUTHZ-03',
  title: 'Field-level / mass-assignment in messages',
  area: 'AUTHZ',
  severity: 'medium',
  mode: 'intrusive',
  references: ['ASVS 8.2.3', 'ASVS 2.2.1', 'PS (message tampering)'],
  remediation: 'Validate each message type with a strict schema (additionalProperties: false) and take identity fields (userId, tenantId, role) from the server-side session, never from the message.',
  description: 'Resends a legitimate JSON message (--mass-assign-message, else the first --message) with added userId, tenantId, owner, role, isAdmin, price and plan fields carrying probe values, then the optional --read-message. Finding: a probe field comes back with its probe value (stored or applied) where the unmodified message did not show it; high for identity, ownership, privilege and price fields, medium otherwise.',
};

const PROBE: Record<string, unknown> = { userId: 'wsg-probe-user', tenantId: 'wsg-probe-tenant', owner: 'wsg-probe-owner', role: 'wsg-probe-admin', isAdmin: true, price: 0.01, plan: 'wsg-probe-plan' };
const HIGH = new Set(['userId', 'tenantId', 'owner', 'role', 'isAdmin', 'price']);

/** Keys anywhere in the JSON replies whose value equals the probe value. */
function probeHits(replies: string[]): Set<string> {
  const hits = new Set<string>();
  const walk = (x: unknown, depth: number) => {
    if (depth > 32 || !x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if (k in PROBE && v === PROBE[k]) hits.add(k);
      walk(v, depth + 1);
    }
  };
  for (const r of replies) {
    try { walk(JSON.parse(r.replace(/^\d+/, '')), 0); } catch { /* not JSON */ }
  }
  return hits;
}

async function exchange(ctx: CheckContext, s: AuditSocket, msgs: string[]): Promise<string[]> {
  const from = s.messages.length;
  for (const m of msgs) {
    const at = s.messages.length;
    s.send(m);
    await s.waitFor((x) => !isControlPacket(x, ctx.options.protocol === 'socket.io'), ctx.options.canaryWaitMs, at);
  }
  return s.messages.slice(from);
}

async function probe(ctx: CheckContext): Promise<void> {
  const { massAssignMessage, readMessage } = authzOptions(ctx.options);
  let base: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(massAssignMessage ?? '');
    if (v && typeof v === 'object' && !Array.isArray(v)) base = v as Record<string, unknown>;
  } catch { /* not JSON */ }
  if (!base || !massAssignMessage) ctx.skip('needs a JSON object message to extend (--mass-assign-message or --message)');
  const read = readMessage ? [readMessage] : [];
  const s = await session(ctx);
  const before = probeHits(await exchange(ctx, s, [massAssignMessage, ...read]));
  const after = probeHits(await exchange(ctx, s, [JSON.stringify({ ...base, ...PROBE }), ...read]));
  const took = [...after].filter((k) => !before.has(k));
  if (!took.length) return;
  ctx.report({
    severity: took.some((k) => HIGH.has(k)) ? 'high' : 'medium',
    confidence: 'certain',
    evidence: `Fields added to ${short(massAssignMessage, 60)} came back with their probe values${readMessage ? ' (reply or later read)' : ''}: ${took.map((k) => `${k}=${JSON.stringify(PROBE[k])}`).join(', ')}`,
  });
}

export async function run(ctx: CheckContext): Promise<void> {
  await probe(ctx);
  await reportIfDown(ctx, 'the extended message');
}
