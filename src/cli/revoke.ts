/**
 * `wsguard revoke --sub X | --jti Y`: revokes a subject (every token issued up to now) or one token
 * on a running hub, through its admin API (`POST /api/revocations`). The admin token (with `revoke`
 * in `perms.admin`, see `wsguard token --admin revoke`) comes from WSGUARD_ADMIN_TOKEN, never argv.
 */
import { parseArgs } from 'node:util';

const HELP = `usage: wsguard revoke (--sub ID | --jti ID) [--url http://127.0.0.1:8080]

Revokes on a running hub (every node of a cluster): --sub refuses every token of that subject issued
up to now and closes its sockets; --jti refuses that one token and closes the sockets using it.
The admin token is read from WSGUARD_ADMIN_TOKEN (a JWT with "revoke" in perms.admin).
--url defaults to WSGUARD_URL, else http://127.0.0.1:8080.`;

const ID_MAX = 256;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { sub: { type: 'string' }, jti: { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`wsguard revoke: ${(err as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const fail = (msg: string, code = 2) => {
    console.error(`wsguard revoke: ${msg}`);
    return code;
  };
  if ((values.sub === undefined) === (values.jti === undefined)) return fail('give exactly one of --sub or --jti');
  const id = (values.sub ?? values.jti)!;
  if (id.length === 0 || id.length > ID_MAX) return fail(`--${values.sub !== undefined ? 'sub' : 'jti'} must be 1-${ID_MAX} characters`);
  const token = process.env.WSGUARD_ADMIN_TOKEN;
  if (!token) return fail('WSGUARD_ADMIN_TOKEN must be set (a JWT with "revoke" in perms.admin; see wsguard token --admin revoke)');
  let endpoint: URL;
  try {
    endpoint = new URL('/api/revocations', values.url ?? process.env.WSGUARD_URL ?? 'http://127.0.0.1:8080');
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return fail('--url must be an http:// or https:// URL');
  }
  const body = JSON.stringify(values.sub !== undefined ? { sub: values.sub } : { jti: values.jti });
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      redirect: 'error', // never hand the admin token to wherever a redirect points
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    return fail(`cannot reach ${endpoint.origin}: ${(err as Error).message}`, 1);
  }
  const text = await res.text().catch(() => '');
  if (res.ok) {
    console.log(`revoked ${values.sub !== undefined ? `sub ${values.sub}` : `jti ${values.jti}`}`);
    return 0;
  }
  let code = `HTTP ${res.status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown } };
    if (typeof parsed.error?.code === 'string') code += ` ${parsed.error.code}`;
  } catch {
    // not our JSON: the status says enough
  }
  return fail(`refused: ${code}`, 1);
}
