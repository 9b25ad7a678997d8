import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startWeakServer, type WeakConnection } from '../../../fixtures/weak-server.js';
import { startSocketIoServer } from '../../../fixtures/socketio-server.js';
import { defaultCredentials } from '../../../../src/audit/options.js';
import { ALLOWED, runCheck } from '../../harness.js';
import { GQL_AUDIT, startGqlWsLikeServer } from '../../../fixtures/gqlws-like-server.js';
import { runChecks, status, track } from './run.js';

/**
 * Weak server with the bugs under test: `relay` fans each echo out to every connection that has
 * spoken, naming the sender (a public chat: B's message names B, both may read it); `fanWhoami`
 * sends each whoami answer (protected per-user data) to every connection instead of its asker.
 */
async function audit(bugs: { relay?: boolean; fanWhoami?: boolean }, extra: { second?: boolean } = { second: true }) {
  const seen = new Set<WeakConnection>();
  const s = track(await startWeakServer({
    onAppMessage: (msg, conn) => {
      seen.add(conn);
      if (bugs.fanWhoami && msg.json?.type === 'whoami') {
        for (const c of seen) c.send({ type: 'whoami', user: conn.user ?? null, secret: `protected-data-of-${conn.user ?? 'anonymous'}` });
        return true;
      }
      if (!bugs.relay || msg.json?.type !== 'echo') return false;
      for (const c of seen) c.send({ type: 'activity', user: conn.user, data: msg.json.data ?? null });
      return true;
    },
  }));
  return runChecks(['WSG-LEAK-03'], s.url, {
    allowedOrigins: [ALLOWED],
    credentials: { token: await s.mintToken('alice') },
    secondIdentity: extra.second ? { ...defaultCredentials(), token: await s.mintToken('bob') } : undefined,
    canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-', canaryWaitMs: 300,
    messages: ['{"type":"echo","data":"hello"}'],
    sessionWaitMs: 1500,
  });
}

test('LEAK-03: B\'s private canary answer fanned out to A → high finding naming B\'s value', async () => {
  const r = await audit({ fanWhoami: true });
  const f = r.findings[0];
  assert.equal(f?.checkId, 'WSG-LEAK-03', r.checks[0]?.reason);
  assert.equal(f?.severity, 'high');
  assert.match(f?.evidence ?? '', /A .* received B's answer to the canary, carrying B's value protec…/);
});

test('LEAK-03: A\'s answer also fanned out to B (another session of A asking at the same time) → still a finding, not "entitled"', async () => {
  const seen = new Set<WeakConnection>();
  const s = track(await startWeakServer({
    onAppMessage: (msg, conn) => {
      seen.add(conn);
      if (msg.json?.type !== 'whoami') return false;
      for (const c of seen) c.send({ type: 'whoami', user: conn.user ?? null, secret: `protected-data-of-${conn.user ?? 'anonymous'}` });
      return true;
    },
  }));
  const alice = await s.mintToken('alice');
  // A flood of alice's own whoami on a third socket, as a concurrent rate-limit check sends.
  const other = new WebSocket(s.url, { headers: { Authorization: `Bearer ${alice}`, Origin: ALLOWED } });
  await new Promise((resolve, reject) => { other.once('open', resolve); other.once('error', reject); });
  let sent = 0;
  const timer = setInterval(() => { if (sent++ < 400) other.send('{"type":"whoami"}'); }, 20);
  try {
    const r = await runChecks(['WSG-LEAK-03'], s.url, {
      allowedOrigins: [ALLOWED],
      credentials: { token: alice },
      secondIdentity: { ...defaultCredentials(), token: await s.mintToken('bob') },
      canary: '{"type":"whoami"}', canaryExpect: 'protected-data-of-', canaryWaitMs: 300,
      sessionWaitMs: 1500,
    });
    assert.equal(status(r, 'WSG-LEAK-03'), 'fail', r.checks[0]?.reason);
    assert.match(r.findings[0]?.evidence ?? '', /received B's answer to the canary, carrying B's value protec…/);
  } finally {
    clearInterval(timer);
    other.close();
  }
});

test('LEAK-03: B\'s --message relayed to the room naming B (a public chat) is not B\'s protected data → pass, no finding', async () => {
  const r = await audit({ relay: true });
  assert.equal(status(r, 'WSG-LEAK-03'), 'pass', r.checks[0]?.reason);
  assert.equal(r.findings.length, 0);
});

test('LEAK-03: replies only to the sender → pass; no second identity → skipped', async () => {
  const r = await audit({});
  assert.equal(status(r, 'WSG-LEAK-03'), 'pass');
  const none = await audit({}, {});
  assert.equal(status(none, 'WSG-LEAK-03'), 'skipped');
});

test('LEAK-03: a second identity entitled to A\'s channel (may subscribe to it) → skipped, not reported', async () => {
  const seen = new Set<WeakConnection>();
  const s = track(await startWeakServer({
    onAppMessage: (msg, conn) => {
      seen.add(conn);
      if (msg.json?.type === 'subscribe') { conn.send({ type: 'subscribed', channel: msg.json.channel ?? null }); return true; }
      if (msg.json?.type !== 'echo') return false;
      for (const c of seen) c.send({ type: 'activity', user: conn.user, data: msg.json.data ?? null });
      return true;
    },
  }));
  const r = await runChecks(['WSG-LEAK-03'], s.url, {
    allowedOrigins: [ALLOWED],
    credentials: { token: await s.mintToken('alice') },
    secondIdentity: { ...defaultCredentials(), token: await s.mintToken('bob') },
    canary: '{"type":"whoami"}', canaryWaitMs: 300,
    messages: ['{"type":"echo","data":"hello"}'],
    sessionWaitMs: 1500,
    ...({ subscribeTemplate: '{"type":"subscribe","channel":"{{id}}"}', ownId: 'team-alice' } as object),
  });
  assert.equal(status(r, 'WSG-LEAK-03'), 'skipped');
  assert.equal(r.findings.length, 0);
  assert.match(r.checks[0]?.reason ?? '', /entitled to A's data \(it may subscribe to A's/);
});

test('LEAK-03: another user\'s chat broadcast arriving during the canary is not B\'s answer (no "entitled" skip, no finding)', async () => {
  const seen = new Set<WeakConnection>();
  const s = track(await startWeakServer({
    onAppMessage: (msg, conn) => {
      seen.add(conn);
      if (msg.json?.type === 'say') { for (const c of seen) c.send({ from: conn.user, text: msg.json.text ?? null }); return true; }
      if (msg.json?.type !== 'echo') return false;
      for (const c of seen) c.send({ type: 'activity', user: conn.user, data: msg.json.data ?? null });
      return true;
    },
  }));
  const alice = await s.mintToken('alice');
  // A third session of alice's chats all along, as a busy room (or a concurrent check) does.
  const chatter = new WebSocket(s.url, { headers: { Authorization: `Bearer ${alice}`, Origin: ALLOWED } });
  await new Promise((resolve, reject) => { chatter.once('open', resolve); chatter.once('error', reject); });
  let sent = 0;
  const timer = setInterval(() => { if (sent++ < 400) chatter.send('{"type":"say","text":"hi"}'); }, 20);
  try {
    const r = await runChecks(['WSG-LEAK-03'], s.url, {
      allowedOrigins: [ALLOWED],
      credentials: { token: alice },
      secondIdentity: { ...defaultCredentials(), token: await s.mintToken('bob') },
      canary: '{"type":"whoami"}', canaryWaitMs: 300,
      messages: ['{"type":"echo","data":"hello"}'],
      sessionWaitMs: 1500,
    });
    assert.equal(status(r, 'WSG-LEAK-03'), 'pass', r.checks[0]?.reason);
    assert.equal(r.findings.length, 0);
  } finally {
    clearInterval(timer);
    chatter.close();
  }
});

test('LEAK-03 on Socket.IO (token in the CONNECT packet): B\'s answer is learnt, replies stay with their sender → pass, not skipped', async () => {
  const s = track(await startSocketIoServer({ authTokenPrefix: 'tok-' }));
  const r = await runChecks(['WSG-LEAK-03'], s.url, {
    allowedOrigins: [ALLOWED],
    credentials: { token: 'tok-alice' },
    secondIdentity: { ...defaultCredentials(), token: 'tok-bob' },
    canary: '421["whoami"]', canaryExpect: '@example\\.com', canaryWaitMs: 300,
    messages: ['421["whoami"]'],
    sessionWaitMs: 800,
  });
  assert.equal(status(r, 'WSG-LEAK-03'), 'pass', r.checks[0]?.reason);
});

/** Whoami answers that carry nothing but a short user name: {"user":"bob"} (the outsider's Mojolicious and socket.io apps). */
async function shortWhoami(fanOut: boolean) {
  const seen = new Set<WeakConnection>();
  const s = track(await startWeakServer({
    onAppMessage: (msg, conn) => {
      seen.add(conn);
      if (msg.json?.type !== 'whoami') return false;
      for (const c of fanOut ? seen : [conn]) c.send({ user: conn.user ?? null });
      return true;
    },
  }));
  return runChecks(['WSG-LEAK-03'], s.url, {
    allowedOrigins: [ALLOWED],
    credentials: { token: await s.mintToken('alice') },
    secondIdentity: { ...defaultCredentials(), token: await s.mintToken('bob') },
    canary: '{"type":"whoami"}', canaryExpect: '"user"', canaryWaitMs: 300,
    sessionWaitMs: 1500,
  });
}

test('LEAK-03: answers told apart only as whole frames ({"user":"alice"} vs {"user":"bob"}, --canary-expect \'"user"\') are judged, not skipped (outsider)', async () => {
  const leaky = await shortWhoami(true);
  assert.equal(status(leaky, 'WSG-LEAK-03'), 'fail', leaky.checks[0]?.reason);
  assert.match(leaky.findings[0]?.evidence ?? '', /received B's answer to the canary: \{"user":"bob"\}/);
  const fine = await shortWhoami(false);
  assert.equal(status(fine, 'WSG-LEAK-03'), 'pass', fine.checks[0]?.reason);
});

/** As the outside tester ran it: --canary-expect 'secret-of-alice' matches A's answer only. */
const gqlOptions = (canaryExpect: string) => ({
  ...GQL_AUDIT,
  secondIdentity: { ...defaultCredentials(), ...GQL_AUDIT.credentials, token: 'tok-bob-2c9e4f1a7d3b5e8c' },
  canaryExpect, canaryWaitMs: 300, sessionWaitMs: 1500,
});

test('LEAK-03: --canary-expect matching only A\'s answer — B\'s answer is learnt from its frames shaped like A\'s, so a leak is found, and no leak passes instead of a skip (found by an outside tester)', async () => {
  const leaky = track(await startGqlWsLikeServer({ fanOut: true }));
  const bad = await runCheck('WSG-LEAK-03', leaky.url, gqlOptions('secret-of-alice'));
  assert.equal(bad.result.status, 'fail', bad.result.reason);
  assert.match(bad.findings[0]?.evidence ?? '', /received B's answer to the canary/);
  const ok = track(await startGqlWsLikeServer());
  const good = await runCheck('WSG-LEAK-03', ok.url, gqlOptions('secret-of-alice'));
  assert.equal(good.result.status, 'pass', good.result.reason);
});

test('LEAK-03: a --canary-expect that B\'s answer misses, with nothing else to tell B\'s answer apart → the skip says it must match every user\'s answer', async () => {
  // B's operation completes with no data: B then has nothing of its own.
  const ok = track(await startGqlWsLikeServer({ mute: 'bob' }));
  const r = await runCheck('WSG-LEAK-03', ok.url, gqlOptions('secret-of-alice'));
  assert.equal(r.result.status, 'skipped');
  assert.match(r.result.reason ?? '', /must match every user's answer \(e\.g\./);
});
