import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-SESSION-04',
  title: 'Weak session identifiers issued at handshake',
  area: 'SESSION',
  severity: 'medium',
  mode: 'safe',
  references: ['ASVS 7.2.3', 'ASVS 3.3.1', 'ASVS 3.3.2', 'OWASP-CS', 'S11'],
  remediation: 'Generate ids with a CSPRNG (≥ 128 bits, e.g. crypto.randomBytes(16)); set cookies with the __Host- prefix, Secure, HttpOnly and SameSite=Lax or Strict.',
  description: 'Collects ids from 50 handshakes (Set-Cookie on the 101, Engine.IO sid) and estimates their entropy; checks cookie flags. Finding (medium) for sequential or low-entropy ids (< 64 bits estimated), (low) for missing cookie flags.',
};

const SAMPLES = 50;

/** Sum over positions of log2(distinct characters seen there): a rough, conservative estimate. */
export function estimateBits(ids: string[]): number {
  const len = Math.max(...ids.map((i) => i.length));
  let bits = 0;
  for (let p = 0; p < len; p++) bits += Math.log2(new Set(ids.map((i) => i[p] ?? '')).size);
  return bits;
}

export function sequential(ids: string[]): boolean {
  if (!ids.every((i) => /^\d{1,30}$/.test(i))) return false;
  const n = ids.map((i) => BigInt(i));
  const span = n.reduce((a, b) => (a > b ? a : b)) - n.reduce((a, b) => (a < b ? a : b));
  return span < BigInt(ids.length * 1000);
}

function cookieFlaws(setCookie: string): string[] {
  const [pair = '', ...attrs] = setCookie.split(';').map((s) => s.trim());
  const a = attrs.map((x) => x.toLowerCase());
  const flaws: string[] = [];
  if (!a.includes('secure')) flaws.push('no Secure');
  if (!a.includes('httponly')) flaws.push('no HttpOnly');
  if (!a.some((x) => x === 'samesite=lax' || x === 'samesite=strict')) flaws.push('no SameSite=Lax/Strict');
  if (!pair.startsWith('__Host-')) flaws.push('no __Host- prefix');
  return flaws;
}

export async function run(ctx: CheckContext): Promise<void> {
  const byName = new Map<string, string[]>();
  const flaws = new Map<string, string[]>();
  const add = (name: string, v: string) => (byName.get(name) ?? byName.set(name, []).get(name) ?? []).push(v);
  const socketIo = ctx.options.protocol === 'socket.io';
  for (let i = 0; i < SAMPLES && !ctx.signal.aborted; i++) {
    const r = await ctx.handshake({ raw: { keepOpen: socketIo } });
    for (const c of r.response.headers['set-cookie'] ?? []) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      add(`cookie ${name}`, pair.slice(eq + 1).trim());
      if (i === 0) flaws.set(name, cookieFlaws(c));
    }
    if (r.connection) {
      const f = await r.connection.nextFrame(ctx.options.requestTimeoutMs);
      const sid = /^0(\{.*\})$/.exec(f?.payload.toString('utf8') ?? '')?.[1];
      r.connection.destroy();
      if (sid) {
        try {
          const v = (JSON.parse(sid) as { sid?: unknown }).sid;
          if (typeof v === 'string') add('Engine.IO sid', v);
        } catch { /* not an open packet */ }
      }
    }
    if (i === 0 && byName.size === 0) ctx.skip(`no session identifier issued at the handshake (Set-Cookie on the 101${socketIo ? ', Engine.IO sid' : ''})`);
  }
  const weak: string[] = [];
  for (const [name, ids] of byName) {
    if (ids.length < 2) continue;
    const dupes = ids.length - new Set(ids).size;
    const bits = estimateBits(ids);
    // Per-position variety needs enough samples before "few bits" means anything.
    const lowEntropy = ids.length >= 20 && bits < 64;
    if (sequential(ids) || dupes > 0 || lowEntropy) weak.push(`${name}: ${ids.slice(0, 4).join(', ')}… (${sequential(ids) ? 'sequential, ' : ''}${dupes} duplicates, ~${Math.round(bits)} bits estimated from ${ids.length} samples)`);
  }
  if (weak.length) ctx.report({ confidence: 'likely', evidence: `Predictable identifiers:\n${weak.join('\n')}` });
  const flagged = [...flaws].filter(([, f]) => f.length).map(([name, f]) => `cookie ${name}: ${f.join(', ')}`);
  if (flagged.length) ctx.report({ severity: 'low', confidence: 'certain', title: 'Session cookie set at handshake lacks security flags', evidence: flagged.join('\n') });
}
