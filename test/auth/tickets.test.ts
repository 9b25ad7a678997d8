import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTicketStore } from '../../src/auth/memory.js';
import { issueTicket, redeemTicket, TICKET_RE } from '../../src/auth/tickets.js';

test('tickets from the pooled CSPRNG buffer: well-formed, all distinct across refills, each redeemable once', async () => {
  const store = new MemoryTicketStore();
  try {
    const identity = { sub: 'u', exp: Math.floor(Date.now() / 1000) + 600, iat: Math.floor(Date.now() / 1000), perms: { subscribe: ['a'], publish: [] } };
    // 200 tickets: more than three refills of the 64-ticket pool.
    const issued = [];
    for (let i = 0; i < 200; i++) issued.push((await issueTicket(store, identity, null, 30_000)).ticket);
    assert.ok(issued.every((t) => TICKET_RE.test(t)));
    assert.equal(new Set(issued).size, issued.length, 'no ticket served twice');
    // No all-zero ticket: a served slot is wiped after use, never before it is read.
    assert.ok(!issued.includes(Buffer.alloc(32).toString('base64url')));
    for (const t of issued.slice(0, 70)) {
      const got = await redeemTicket(store, t, null);
      assert.equal(got?.sub, 'u');
      assert.equal(got?.method, 'ticket');
      assert.equal(await redeemTicket(store, t, null), undefined, 'single use');
    }
  } finally {
    await store.close();
  }
});
