import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { ORIGIN, mintToken, startGuard, waitFor } from './helpers.js';

/** Opens a raw TCP connection that never sends a byte; resolves once connected. */
function idleSocket(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

function open(port: number, token: string, localAddress: string): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['wsguard.v1'], { origin: ORIGIN, headers: { authorization: `Bearer ${token}` }, localAddress });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

test('one address holding idle TCP connections is capped before any HTTP; another address still gets in', async () => {
  const h = await startGuard({ caps: { global: 1000, perIp: 50, perUser: 10, tcpPerIp: 5 } });
  const held: Socket[] = [];
  try {
    // The attacker (127.0.0.2) opens 8 sockets and sends nothing: the last 3 are closed by the hub.
    for (let i = 0; i < 8; i++) held.push(await idleSocket(h.port, '127.0.0.2'));
    await waitFor(() => held.filter((s) => s.destroyed || s.readableEnded).length >= 3, 5_000, 'three sockets closed');
    assert.equal(held.filter((s) => !(s.destroyed || s.readableEnded)).length, 5, 'exactly the cap stays open');
    const refusals = h.events.filter((e) => e.kind === 'handshake_refused' && e.reason === 'cap_tcp_ip');
    assert.equal(refusals.length, 3);
    const metrics = await h.guard.registry.metrics();
    assert.match(metrics, /wsguard_handshakes_total\{outcome="cap_tcp_ip"\} 3/);

    // A bystander on another address is served; the attacker's own address is not while it holds the cap.
    const token = await mintToken();
    assert.equal(await open(h.port, token, '127.0.0.3'), 101);
    assert.equal(await open(h.port, token, '127.0.0.2'), 0, 'the sixth connection of 127.0.0.2 is closed');

    // Once its sockets close, the address is served again (the count is released).
    for (const s of held) s.destroy();
    await waitFor(() => held.every((s) => s.destroyed), 2_000, 'sockets closed');
    let status = 0;
    for (let i = 0; i < 20 && status !== 101; i++) {
      status = await open(h.port, token, '127.0.0.2');
      if (status !== 101) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 101);
  } finally {
    for (const s of held) s.destroy();
    await h.close();
  }
});

test('tcpPerIp 0 turns the cap off', async () => {
  const h = await startGuard({ caps: { global: 1000, perIp: 50, perUser: 10, tcpPerIp: 0 } });
  const held: Socket[] = [];
  try {
    for (let i = 0; i < 12; i++) held.push(await idleSocket(h.port, '127.0.0.4'));
    assert.equal(await open(h.port, await mintToken(), '127.0.0.4'), 101);
    assert.equal(h.events.filter((e) => e.kind === 'handshake_refused' && e.reason === 'cap_tcp_ip').length, 0);
  } finally {
    for (const s of held) s.destroy();
    await h.close();
  }
});
