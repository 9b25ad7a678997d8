/**
 * Reads `exp` from a JWT without verifying it: the client only needs to know when to refresh;
 * the server is the one that verifies. Uses atob/TextDecoder so it runs in browsers (no Buffer).
 */
export function jwtExpiry(jwt: string): number | undefined {
  const part = jwt.split('.')[1];
  if (part === undefined || part.length === 0 || part.length > 8192) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (claims === null || typeof claims !== 'object') return undefined;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When to refresh a token expiring at `expSeconds`: `refreshBeforeMs` ahead of expiry, but never earlier
 * than halfway through its remaining life, so a short-lived token (or a provider that keeps returning the
 * same one) cannot cause a refresh storm. undefined: too late to bother; the server's 1008 triggers a reauth.
 */
export function refreshDelay(expSeconds: number, refreshBeforeMs: number, nowMs: number): number | undefined {
  const remaining = expSeconds * 1000 - nowMs;
  if (remaining <= 1000) return undefined;
  return Math.max(remaining - refreshBeforeMs, remaining / 2);
}
