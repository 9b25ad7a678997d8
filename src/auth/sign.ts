/** Mints HS256 tokens for `wsguard token` and the hub's dev mode. Production tokens come from your IdP. */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Permissions } from './types.js';
import { secretBytes } from './jwt.js';

export interface SignOptions {
  readonly secret: string | Uint8Array;
  readonly sub: string;
  readonly perms: Permissions;
  readonly ttlSec: number;
  readonly issuer?: string;
  readonly audience?: string;
}

export function signToken(o: SignOptions): Promise<string> {
  const admin = o.perms.admin?.length ? { admin: [...o.perms.admin] } : {};
  let jwt = new SignJWT({ perms: { subscribe: [...o.perms.subscribe], publish: [...o.perms.publish], ...admin } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(o.sub)
    .setIssuedAt()
    .setJti(randomBytes(12).toString('base64url'))
    .setExpirationTime(Math.floor(Date.now() / 1000) + o.ttlSec);
  if (o.issuer) jwt = jwt.setIssuer(o.issuer);
  if (o.audience) jwt = jwt.setAudience(o.audience);
  return jwt.sign(secretBytes(o.secret));
}
