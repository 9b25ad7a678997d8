/**
 * `wsguard token`: mints an HS256 JWT for WSGUARD_JWT_SECRET (development and scripts;
 * production tokens come from your identity provider).
 */
import { parseArgs } from 'node:util';
import { CONFIG_KEYS, parseDuration, parseValues } from '../config/index.js';
import { WsguardConfigError } from '../protocol/failures.js';
import { signToken } from '../auth/sign.js';
import { isValidChannel } from '../protocol/index.js';
import { ADMIN_PERMISSIONS } from '../auth/types.js';

const HELP = `usage: wsguard token --sub ID [--subscribe PATTERN]... [--publish PATTERN]... [--admin revoke] [--ttl 1h]

Prints a JWT signed with WSGUARD_JWT_SECRET (and WSGUARD_JWT_ISSUER / _AUDIENCE when set).
A pattern is a channel (files:acme) or a channel followed by /* (files:acme/*).
--admin revoke puts "revoke" in perms.admin: the token may call POST /api/revocations (wsguard revoke).
--ttl is at most WSGUARD_MAX_TOKEN_LIFETIME (default 24h).`;

function isPattern(p: string): boolean {
  return isValidChannel(p.endsWith('/*') ? p.slice(0, -2) : p);
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sub: { type: 'string' },
        subscribe: { type: 'string', multiple: true, default: [] },
        publish: { type: 'string', multiple: true, default: [] },
        admin: { type: 'string', multiple: true, default: [] },
        ttl: { type: 'string', default: '1h' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`wsguard token: ${(err as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const fail = (msg: string) => {
    console.error(`wsguard token: ${msg}`);
    return 2;
  };
  if (!values.sub || !/^[\w.@:-]{1,128}$/.test(values.sub)) return fail('--sub is required (1-128 of letters, digits, _ . @ : -)');
  const bad = [...values.subscribe, ...values.publish].find((p) => !isPattern(p));
  if (bad !== undefined) return fail(`not a channel pattern: ${JSON.stringify(bad.slice(0, 80))}`);
  const badAdmin = values.admin.find((a) => !(ADMIN_PERMISSIONS as readonly string[]).includes(a));
  if (badAdmin !== undefined) return fail(`--admin must be one of ${ADMIN_PERMISSIONS.join(', ')}`);
  if (!/^\d+(ms|s|m|h|d)$/.test(values.ttl)) return fail('--ttl must be a duration like 15m, 1h or 7d');
  const ttlSec = Math.floor(parseDuration(values.ttl) / 1000);
  if (ttlSec < 1) return fail('--ttl must be at least 1s');

  let env;
  try {
    env = parseValues(process.env);
  } catch (err) {
    if (err instanceof WsguardConfigError) return fail(err.message);
    throw err;
  }
  // A token longer-lived than the hub accepts would be refused (and would outlive a revocation).
  const maxSec = Math.floor((env.maxTokenLifetime ?? 86_400_000) / 1000);
  if (ttlSec > maxSec) return fail(`--ttl ${values.ttl} is longer than the maximum token lifetime (${CONFIG_KEYS.maxTokenLifetime.env}, ${maxSec}s)`);
  if (!env.jwtSecret) return fail(`${CONFIG_KEYS.jwtSecret.env} must be set (the hub's HS256 secret, at least 32 bytes)`);
  console.log(await signToken({ secret: env.jwtSecret, sub: values.sub, perms: { subscribe: values.subscribe, publish: values.publish, admin: values.admin }, ttlSec, issuer: env.jwtIssuer, audience: env.jwtAudience }));
  return 0;
}
