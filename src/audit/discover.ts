/** `--discover`: common WebSocket paths on one host, kept when they upgrade or refuse like an endpoint. */
import { rawHandshake } from './raw/raw-handshake.js';
import { endpointOf } from './raw/target.js';

export const COMMON_PATHS = ['/ws', '/websocket', '/socket', '/wss', '/api/ws', '/ws/v1', '/graphql', '/subscriptions', '/cable', '/hub', '/realtime', '/live', '/stream', '/events', '/socket.io/?EIO=4&transport=websocket', '/sockjs/websocket'];

/**
 * `headers`: the operator's credentials (Cookie, Authorization, …), sent with every probe as the
 * baseline sends them: an endpoint that answers only a logged-in client is found too.
 */
export async function discoverEndpoints(base: string, origin: string | undefined, timeoutMs = 3000, headers: Array<[string, string]> = []): Promise<URL[]> {
  const http = new URL(base);
  if (http.protocol !== 'http:' && http.protocol !== 'https:') throw new Error(`--discover needs an http(s):// URL, got ${http.protocol}//`);
  const wsBase = `${http.protocol === 'https:' ? 'wss' : 'ws'}://${http.host}`;
  const statusOf = async (path: string) => {
    try {
      return (await rawHandshake(endpointOf(new URL(wsBase + path)), { timeoutMs, request: { origin: origin ?? `${http.protocol}//${http.host}`, headers, layout: 'browser' } })).response.status;
    } catch {
      return 0;
    }
  };
  const control = await statusOf(`/wsguard-no-such-path-${Date.now()}`);
  if (control === 0) throw new Error(`${base} unreachable`);
  const found: URL[] = [];
  for (const path of COMMON_PATHS) {
    const s = await statusOf(path);
    // 101, or an auth/version refusal that a non-existent path does not get.
    if (s === 101 || ([400, 401, 403, 426].includes(s) && s !== control)) found.push(new URL(wsBase + path));
  }
  return found;
}
