// invalid_message names the failing field by its schema path: over the WebSocket and the HTTP API,
// never with the value or an input-chosen key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { fieldPath, FileUploadPayload } from '../../src/protocol/index.js';
import { startTestHub, removeDir, token, upload, ALICE, TestClient } from '../hub/support.js';

const path = (schema: z.ZodType, value: unknown, root = 'payload') => {
  const r = schema.safeParse(value);
  assert.ok(!r.success);
  return fieldPath(schema, r.error.issues, root);
};

test('fieldPath: declared names and indices; input-chosen keys become *', () => {
  assert.equal(path(FileUploadPayload, { ...upload('files:acme', 'a'), sha256: '<64 hex>' }), 'payload.sha256');
  assert.equal(path(z.object({ items: z.array(z.object({ n: z.number() })).optional() }), { items: [{ n: 1 }, { n: 'x' }] }), 'payload.items.1.n');
  assert.equal(path(z.object({ m: z.record(z.string(), z.number()) }), { m: { '<img src=x>': 'x' } }), 'payload.m.*');
  assert.equal(path(z.strictObject({ a: z.string() }), { a: 'x', '<evil>': 1 }), 'payload');
  assert.equal(path(z.object({ a: z.string().default('x').pipe(z.string().min(3)) }), { a: 'y' }), 'payload.a');
});

test('the hub names the field over the WebSocket and the HTTP API, and never echoes the value', async (t) => {
  const h = await startTestHub();
  t.after(async () => {
    await h.close(1000);
    removeDir(h.dir);
  });
  const bearer = await token('alice', ALICE);
  const c = await TestClient.connect(h, bearer);
  t.after(() => c.close());
  const secretValue = 'NOT-HEX-<script>';
  const ws = await c.request('file_upload', { ...upload('files:acme', 'a.pdf'), sha256: secretValue });
  assert.deepEqual(ws, { type: 'error', id: ws.type === 'error' ? ws.id : '', payload: { code: 'invalid_message', message: 'The message does not match the protocol.', field: 'payload.sha256' } });
  const res = await fetch(`${h.url}/api/channels/files%3Aacme/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'file_upload', payload: { path: 'a.pdf', size: -1, mime: 'application/pdf', sha256: 'a'.repeat(64) } }),
  });
  assert.equal(res.status, 400);
  const body = await res.text();
  assert.deepEqual(JSON.parse(body), { error: { code: 'invalid_message', message: 'The message does not match the protocol.', field: 'payload.size' } });
  assert.ok(!body.includes('-1') && !JSON.stringify(ws).includes(secretValue));
});
