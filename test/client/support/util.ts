import { WebSocket } from 'ws';
import type { WebSocketConstructor } from '../../../src/client/index.js';

/** `ws`'s WebSocket, as the client's constructor type (what a Node 20 user passes). */
export const NodeWebSocket: WebSocketConstructor = WebSocket;

/** Polls `check` until it is true; bounded in time so a broken client fails the test instead of hanging. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Deterministic [0, 1) source (mulberry32) for jitter tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An unsigned JWT-shaped token (the client never verifies; the peer does not either). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}.c2ln`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
