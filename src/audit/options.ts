/** Audit options: defaults, and the target URL as the checks see it. */
import { DEFAULT_BYTE_LIMITS } from './bounds.js';
import type { AuditOptions, Credentials } from './types.js';

export function defaultCredentials(): Credentials {
  return { headers: {}, tokenIn: 'header', tokenParam: 'token', tokenSubprotocolPrefix: 'wsguard.bearer.' };
}

export function defaultOptions(target: URL): AuditOptions {
  return {
    credentials: defaultCredentials(),
    subprotocols: [],
    ticketParam: 'ticket',
    lateMarginMs: 5000,
    messages: [],
    allowedOrigins: [`https://${target.host}`],
    browserOnly: false,
    protocol: target.pathname.includes('/socket.io') ? 'socket.io' : 'ws',
    engineioPath: '/socket.io/',
    intrusive: false,
    only: [],
    skip: [],
    timeoutMs: 20_000,
    requestTimeoutMs: 5000,
    canaryWaitMs: 3000,
    concurrency: 4,
    connectionBudget: 2000,
    ...observationWindows(false),
    maxConnectionBytes: DEFAULT_BYTE_LIMITS.perConnection,
    maxCheckBytes: DEFAULT_BYTE_LIMITS.perCheck,
    maxAuditBytes: DEFAULT_BYTE_LIMITS.total,
    livenessWindowMs: 12_000,
  };
}

/**
 * Observation windows. The default audit keeps them short (about 30 s per endpoint, the long
 * ones running side by side) and its findings say what was watched; --thorough waits long
 * enough for servers that act late (a heartbeat every few minutes, a 60 s header timeout).
 */
export function observationWindows(thorough: boolean): Pick<AuditOptions, 'idleWaitMs' | 'authWindowMs' | 'sessionWaitMs' | 'sessionGraceMs'> {
  return thorough
    ? { idleWaitMs: 5 * 60_000, authWindowMs: 30_000, sessionWaitMs: 60_000, sessionGraceMs: 60_000 }
    : { idleWaitMs: 30_000, authWindowMs: 20_000, sessionWaitMs: 20_000, sessionGraceMs: 15_000 };
}

export type AuditOptionsInput = Partial<Omit<AuditOptions, 'credentials'>> & { credentials?: Partial<Credentials> };

export function resolveOptions(target: URL, input: AuditOptionsInput = {}): AuditOptions {
  const base = { ...defaultOptions(target), ...observationWindows(input.thorough === true) };
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as AuditOptionsInput;
  return { ...base, ...defined, credentials: { ...base.credentials, ...input.credentials } };
}

/** Parses and validates a target; Socket.IO targets get the Engine.IO v4 WebSocket transport path. */
export function parseTarget(raw: string, protocol?: 'ws' | 'socket.io', engineioPath = '/socket.io/'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`target must be ws:// or wss://, got ${url.protocol}//`);
  url.hash = '';
  if (protocol === 'socket.io' || url.pathname.includes('/socket.io')) {
    if (!url.pathname.includes('/socket.io')) url.pathname = engineioPath;
    if (!url.searchParams.has('EIO')) url.searchParams.set('EIO', '4');
    if (!url.searchParams.has('transport')) url.searchParams.set('transport', 'websocket');
  }
  return url;
}
