/**
 * Source addresses for client sockets: 127.0.x.y, so many connections (and the TIME_WAIT sockets
 * of the handshake loop) do not exhaust the ephemeral ports of a single address.
 */
const POOL = 1000;

export function sourceAddress(i: number): string {
  const k = i % POOL;
  return `127.0.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}
