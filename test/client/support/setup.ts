import type { TestContext } from 'node:test';
import { createClient, type Client, type ClientOptions, type ClientState } from '../../../src/client/index.js';
import { Peer } from './peer.js';
import { NodeWebSocket } from './util.js';

/** A started peer, stopped when the test ends. */
export async function startPeer(t: TestContext): Promise<Peer> {
  const peer = new Peer();
  await peer.start();
  t.after(() => peer.kill());
  return peer;
}

export interface TestClient {
  client: Client;
  states: ClientState[];
}

/** A client on `ws` with fast backoff, closed when the test ends; records its state changes. */
export function startClient(t: TestContext, peer: Peer, opts: Partial<ClientOptions> = {}): TestClient {
  const states: ClientState[] = [];
  const client = createClient({
    url: peer.url,
    WebSocket: NodeWebSocket,
    backoff: { initialMs: 10, maxMs: 100 },
    onState: (s) => states.push(s),
    ...opts,
  });
  t.after(() => client.close());
  return { client, states };
}
