import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Envelope, FileUploadPayload, isSafeRelativePath, isValidChannel, isAllowed, serializeAck, serializeWithId, type ServerMessage } from '../../src/protocol/index.js';

test('envelope is strict', () => {
  assert.equal(Envelope.safeParse({ type: 'ping', payload: {} }).success, true);
  assert.equal(Envelope.safeParse({ type: 'ping', extra: 1 }).success, false);
  assert.equal(Envelope.safeParse({ type: 'Ping' }).success, false);
  assert.equal(Envelope.safeParse({ type: 'ping', payload: [] }).success, false);
});

test('file paths: relative, normalized, no traversal or control characters, at most 1024 bytes', () => {
  for (const ok of ['a.txt', 'dir/sub/file.pdf', 'ünïcode/名前.txt', '<img src=x onerror=alert(1)>']) assert.ok(isSafeRelativePath(ok), ok);
  for (const bad of ['', '/etc/passwd', '../x', 'a/../b', 'a//b', './a', 'a/.', 'a/', 'a\u0000b', 'a\nb', 'é'.repeat(513)]) {
    assert.equal(isSafeRelativePath(bad), false, JSON.stringify(bad));
  }
});

test('file_upload payload: strict and typed', () => {
  const good = { channel: 'files:acme', path: 'r.pdf', size: 10, mime: 'application/pdf', sha256: 'a'.repeat(64) };
  assert.equal(FileUploadPayload.safeParse(good).success, true);
  assert.equal(FileUploadPayload.safeParse({ ...good, owner: 'x' }).success, false);
  assert.equal(FileUploadPayload.safeParse({ ...good, size: -1 }).success, false);
  assert.equal(FileUploadPayload.safeParse({ ...good, size: 2 ** 53 }).success, false);
  assert.equal(FileUploadPayload.safeParse({ ...good, mime: 'pdf' }).success, false);
  assert.equal(FileUploadPayload.safeParse({ ...good, sha256: 'A'.repeat(64) }).success, false);
});

test('channels and permission patterns: only a trailing /* is a wildcard, default deny', () => {
  assert.ok(isValidChannel('files:acme'));
  assert.ok(isValidChannel('files:acme/reports'));
  assert.equal(isValidChannel('files:acme/../x'), false);
  assert.equal(isValidChannel('files:'), false);
  assert.equal(isValidChannel('files:acme/*'), false);
  assert.ok(isAllowed(['files:acme/*'], 'files:acme/reports'));
  assert.equal(isAllowed(['files:acme/*'], 'files:acme'), false);
  assert.equal(isAllowed(['files:acme/*'], 'files:acmex/reports'), false);
  assert.equal(isAllowed(['files:*'], 'files:acme'), false);
  assert.equal(isAllowed(['files:acme'], 'files:acme/reports'), false);
  assert.equal(isAllowed(undefined, 'files:acme'), false);
  assert.equal(isAllowed([], 'files:acme'), false);
});

test('ack and id templates: byte for byte what JSON.stringify of the merged object gives', () => {
  const ids = [undefined, 'n1', 'A:b.c_d-e', 'x'.repeat(64), 'quote"back\\slash', '\u2028\ud800'];
  const payloads: { seq?: number }[] = [{}, { seq: 0 }, { seq: Number.MAX_SAFE_INTEGER }, Object.freeze({})];
  for (const id of ids) {
    for (const payload of payloads) {
      const expected = JSON.stringify(id === undefined ? { type: 'ack', payload } : { type: 'ack', payload, id });
      assert.equal(serializeAck(payload, id), expected);
    }
  }
  const messages: ServerMessage[] = [
    { type: 'subscribed', payload: { channel: 'files:acme', seq: 7, epoch: 'e1' } },
    { type: 'unsubscribed', payload: { channel: 'a', reason: 'forbidden' } },
    { type: 'error', payload: { code: 'forbidden', message: 'No.', field: 'payload.channel' } },
    { type: 'pong', payload: {} },
    // An own id keeps its place in the spread (and is replaced), which the template must honour.
    { type: 'ack', id: 'old', payload: { seq: 1 } },
    { type: 'ack', id: undefined, payload: {} },
  ];
  for (const id of ids.slice(1) as string[]) {
    for (const m of messages) assert.equal(serializeWithId(m, id), JSON.stringify({ ...m, id }));
  }
});
