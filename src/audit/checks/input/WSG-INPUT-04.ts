import { randomInt } from 'node:crypto';
import { requireBaseline, statusLine } from '../../check-helpers.js';
import { inputOptions } from '../../options.js';
import type { CheckContext, CheckMeta } from '../../types.js';

export const meta: CheckMeta = {
  id: 'WSG-INPUT-04',
  title: 'Spoofable client-IP headers trusted',
  area: 'INPUT',
  severity: 'medium',
  mode: 'safe',
  references: ['PS ("misplaced trust in X-Forwarded-For")', 'ASVS 15.3.4'],
  remediation: 'Take the client IP from the socket unless the request comes from a configured trusted proxy; then use the right-most untrusted X-Forwarded-For/Forwarded hop.',
  description: 'Needs an active per-IP ban or limit: --ip-banned (the operator triggered it), or --ip-limit-attempts N (the check triggers it with up to N failed handshakes). Once the baseline handshake is refused, repeats it with X-Forwarded-For (127.0.0.1 and a random TEST-NET address), X-Real-IP, Forwarded, True-Client-IP and CF-Connecting-IP. Finding: any of them gets 101.',
};

/** Runs late: it may leave this client banned for the rest of the audit. */
export const phase = 2;

const testNet = () => `203.0.113.${randomInt(1, 255)}`;

export async function run(ctx: CheckContext): Promise<void> {
  const { ipBanned, ipLimitAttempts } = inputOptions(ctx.options);
  if (!ipBanned && !ipLimitAttempts) ctx.skip('needs an active per-IP ban or limit: --ip-banned, or --ip-limit-attempts N to trigger it with failed handshakes');
  if (!ipBanned) {
    await requireBaseline(ctx);
    for (let i = 0; i < ipLimitAttempts; i++) {
      const r = await ctx.handshake({ withCredentials: false, headers: { Authorization: 'Bearer wsguard-invalid-credential' }, acceptThrottle: true });
      if (r.upgraded) ctx.skip('the endpoint upgrades without credentials, so failed handshakes cannot trigger a limit');
      if ([429, 403, 503].includes(r.response.status)) break;
    }
  }
  // A limit on failures only (valid credentials still admitted, as a defence against lock-out of
  // users behind one address): probe it with a failed handshake, and call it bypassed when a
  // spoofed client address turns the throttled answer back into an ordinary refusal or a 101.
  const failed = { withCredentials: false, headers: { Authorization: 'Bearer wsguard-invalid-credential' }, acceptThrottle: true } as const;
  const THROTTLED = [429, 403, 503];
  let banned = await ctx.handshake({ acceptThrottle: true });
  let failuresOnly = false;
  if (banned.upgraded) {
    const f = await ctx.handshake(failed);
    if (f.upgraded || !THROTTLED.includes(f.response.status)) ctx.skip(`no per-IP limit is active: the baseline handshake still gets 101${ipBanned ? '' : ` after ${ipLimitAttempts} failed handshakes`}, and a failed one gets ${statusLine(f)}`);
    banned = f;
    failuresOnly = true;
  }

  const variants: Array<[string, string]> = [
    ['X-Forwarded-For', '127.0.0.1'],
    ['X-Forwarded-For', testNet()],
    ['X-Real-IP', testNet()],
    ['Forwarded', `for=${testNet()}`],
    ['True-Client-IP', testNet()],
    ['CF-Connecting-IP', testNet()],
  ];
  const bypass: string[] = [];
  for (const [name, value] of variants) {
    const r = failuresOnly
      ? await ctx.handshake({ ...failed, headers: { ...failed.headers, [name]: value } })
      : await ctx.handshake({ headers: { [name]: value }, acceptThrottle: true });
    if (r.upgraded || !THROTTLED.includes(r.response.status)) bypass.push(`${name}: ${value} (${statusLine(r)})`);
  }
  if (bypass.length) {
    const what = failuresOnly ? 'failed handshakes throttled' : 'baseline refused';
    ctx.report({ confidence: 'certain', evidence: `With the per-IP limit active (${what}: ${statusLine(banned)}), the handshake was no longer throttled with ${bypass.join('; ')}.` });
  }
}
