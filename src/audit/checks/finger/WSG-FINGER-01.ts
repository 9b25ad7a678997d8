import { foreignOriginProbe, requireBaseline, sharedHandshake } from '../../check-helpers.js';
import type { RawHandshakeResult } from '../../raw/raw-handshake.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-FINGER-01',
  title: 'Version-revealing headers',
  area: 'FINGER',
  severity: 'info',
  mode: 'safe',
  references: ['ASVS 13.4.6'],
  remediation: 'Remove product and version detail from Server, X-Powered-By, Via and X-AspNet-Version on every answer, including refusals (e.g. nginx server_tokens off, Express app.disable("x-powered-by")).',
  description: 'Records Server, X-Powered-By, Via, X-AspNet-Version, X-AspNetMvc-Version, X-Generator and X-Backend-Server on the baseline 101 (recorded before any check ran), on a foreign-Origin handshake and on a handshake with Sec-WebSocket-Version: 1337. That last one is an RFC 6455 negative test some servers crash on (sockjs 0.3.19): the check runs with the checks that can take a target down, alone and after the others, and a crash is WSG-LIVE-01 naming the handshake. Finding when a value names a product with a version number.',
};

/**
 * Its Sec-WebSocket-Version: 1337 handshake has crashed real servers: it runs alone, after every
 * check that cannot take the target down (phase 1: after the other safe isolated checks).
 */
export const isolated = true;
export const phase = 1;

const HEADERS = ['server', 'x-powered-by', 'via', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator', 'x-backend-server'];

/** A version number next to a product; Via's leading protocol version ("1.1 ") does not count. */
function versioned(name: string, value: string): boolean {
  const v = name === 'via' ? value.replace(/^\s*(HTTP\/)?\d\.\d\s+/i, '') : value;
  return name.startsWith('x-aspnet') ? /\d/.test(v) : /[A-Za-z][\w.-]*[/ (]v?\d+(\.\d+)+/.test(v);
}

export async function run(ctx: CheckContext): Promise<void> {
  const baseline = await requireBaseline(ctx);
  const answers: RawHandshakeResult[] = [baseline];
  // One at a time, the odd version last: if it takes the target down, it is the input named.
  for (const p of [() => foreignOriginProbe(ctx), () => sharedHandshake(ctx, 'version:1337', { raw: { request: { version: '1337' } } })]) {
    try {
      answers.push(await p());
    } catch {
      /* no answer: nothing to record */
    }
  }
  const seen = new Map<string, Set<number>>();
  for (const a of answers) {
    for (const name of HEADERS) {
      for (const value of a.response.headers[name] ?? []) {
        if (!versioned(name, value)) continue;
        const key = `${a.response.rawHeaders.find(([n]) => n.toLowerCase() === name)?.[0] ?? name}: ${value.slice(0, 80)}`;
        (seen.get(key) ?? seen.set(key, new Set()).get(key))?.add(a.response.status);
      }
    }
  }
  if (seen.size === 0) return;
  const list = [...seen].map(([h, statuses]) => `${h} (on HTTP ${[...statuses].join('/')})`);
  ctx.report({ confidence: 'certain', evidence: `Product and version disclosed: ${list.join('; ')}.` });
}
