import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeLastChar, credentialItems, madeUp, maskValue, shapeOf, tamper } from '../../../../src/audit/checks/auth/forged.js';
import { defaultCredentials } from '../../../../src/audit/options.js';

test('forged: the last character changes within its class; a scheme is kept; a JWT is changed mid-signature', () => {
  assert.equal(changeLastChar('tok-alice'), 'tok-alicr');
  assert.equal(changeLastChar('Bearer carol-token-123'), 'Bearer carol-token-128');
  assert.equal(changeLastChar('ABC'), 'ABP');
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.abcdefghijklmnop';
  const t = tamper(jwt);
  assert.equal(t.how, 'one signature character changed');
  assert.equal(t.value.slice(-1), 'p', 'the last signature character (padding bits) is left alone');
  assert.notEqual(t.value, jwt);
});

test('forged: a made-up value has the same shape and differs', () => {
  for (let i = 0; i < 20; i++) {
    const v = madeUp('Bearer tok-alice-42');
    assert.match(v, /^Bearer [a-z]{3}-[a-z]{5}-\d{2}$/);
    assert.notEqual(v, 'Bearer tok-alice-42');
  }
});

test('forged: items are the opaque token, each cookie and credential headers only; masks show head and tail', () => {
  const c = { ...defaultCredentials(), token: 'tok-alice', cookie: 'sid=abc; theme=dark', headers: { 'X-Api-Key': 'k-123456', 'Accept-Language': 'en' } };
  const items = credentialItems(c, { opaqueTokenOnly: true });
  assert.deepEqual(items.map((i) => i.label), ['token (sent as header)', 'cookie sid', 'cookie theme', 'header X-Api-Key']);
  assert.equal(items[1]?.with('abd').cookie, 'sid=abd; theme=dark');
  assert.equal(items[1]?.without().cookie, 'theme=dark');
  assert.equal(maskValue('tok-alicr'), 'tok…cr');
  assert.equal(maskValue('Bearer tok-alicr'), 'Bearer tok…cr');
});

test('forged: the shape of a reply is its keys (and Socket.IO event), not its values', () => {
  assert.equal(shapeOf('{"user":"alice","email":"a@x"}'), shapeOf('{"email":"b@x","user":"bob"}'));
  assert.equal(shapeOf('42["whoami",{"user":"alice","email":"a"}]'), shapeOf('42["whoami",{"email":"b","user":"alicr"}]'));
  assert.notEqual(shapeOf('42["chat",{"user":"a","email":"a"}]'), shapeOf('42["whoami",{"user":"a","email":"a"}]'));
  assert.equal(shapeOf('{"type":"x"}'), null, 'one key says nothing');
  assert.equal(shapeOf('hello'), null);
});
