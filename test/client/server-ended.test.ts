/** A subscription the server ends (`unsubscribed` with a reason, e.g. after auth.refresh narrowed perms). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientError, FileEvent } from '../../src/client/index.js';
import { startClient, startPeer } from './support/setup.js';
import { waitFor } from './support/util.js';

test('unsubscribed with reason forbidden ends the subscription: onError(forbidden), no more events, the channel can be subscribed again', async (t) => {
  const peer = await startPeer(t);
  const { client } = startClient(t, peer);
  const got: FileEvent[] = [];
  const errors: ClientError[] = [];
  await client.subscribe('files:acme', { onEvent: (e) => got.push(e), onError: (e) => errors.push(e) }).ready;
  peer.append('files:acme', 'file_delete', 'before');
  await waitFor(() => got.length === 1, 'first event');
  peer.sendAll({ type: 'unsubscribed', payload: { channel: 'files:acme', reason: 'forbidden' } });
  await waitFor(() => errors.length === 1, 'onError');
  assert.equal(errors[0]!.code, 'forbidden');
  assert.equal(errors[0]!.channel, 'files:acme');
  peer.append('files:acme', 'file_delete', 'after'); // the fake server still sends it: the client must not deliver it
  await client.ping();
  assert.equal(got.length, 1);
  // Ended on the client too: subscribing again is allowed (and asks the server afresh).
  assert.equal(typeof (await client.subscribe('files:acme', { onEvent: () => {} }).ready), 'number');
});
