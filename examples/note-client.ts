// The client side of the README's `note` example: wsguard/client calling a message type that the app
// registered with guard.message('note', ...) (examples/attach-http.ts). test/examples runs both.
import { WebSocket } from 'ws';
import { createClient, ClientError } from '../src/client/index.js';
import type { Note } from './attach-http.js';

/** The app's message types and their payloads: request() accepts only these. */
type Messages = { note: Note };

export async function sendNotes(url: string, token: string): Promise<string[]> {
  const client = createClient<Messages>({ url, token: () => token, WebSocket });
  const out: string[] = [];
  try {
    const ack = await client.request('note', { text: 'hello' }); // the handler's return value
    out.push(`stored: seq ${ack.seq}`);
    for (const note of [{ text: 'x'.repeat(281) }, { text: '/admin reset' }]) {
      try {
        await client.request('note', note);
      } catch (err) {
        // Typed errors with the server's code; invalid_message names the field that failed.
        if (!(err instanceof ClientError)) throw err;
        out.push(`refused: ${err.code}${err.field ? ` at ${err.field}` : ''}`);
      }
    }
  } finally {
    client.close();
  }
  return out;
}
