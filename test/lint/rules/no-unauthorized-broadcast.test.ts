import { rule } from '../../../src/lint/rules/no-unauthorized-broadcast.js';
import { js, ts } from '../support.js';

const WS = "import WebSocket, { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server });";
const IO = "import { Server } from 'socket.io'; const io = new Server(h);";
js.run('no-unauthorized-broadcast', rule, {
  valid: [
    // an authorization step in the handler
    `${WS} ws.on('message', (data) => { const msg = parse(data); if (!canPublish(user, msg.room)) return; wss.clients.forEach((c) => c.send(data)); });`,
    `${WS} ws.on('message', (data) => { if (ws.user.role !== 'admin') return; for (const c of wss.clients) c.send(data); });`,
    // recipients scoped by a condition beyond readyState
    `${WS} ws.on('message', (data) => { wss.clients.forEach((c) => { if (c.room === ws.room && c.readyState === WebSocket.OPEN) c.send(data); }); });`,
    // server-generated data, not the message
    `${WS} ws.on('message', () => { wss.clients.forEach((c) => c.send(JSON.stringify({ type: 'tick', at: Date.now() }))); });`,
    // Socket.IO rooms are scoped
    `${IO} io.on('connection', (socket) => { socket.on('chat', (msg) => { io.to(socket.data.room).emit('chat', msg); }); });`,
    `${IO} io.on('connection', (socket) => { socket.on('chat', (msg) => { if (!isMember(socket.data.user, msg.room)) return; io.emit('chat', msg); }); });`,
    // broadcast not derived from the message
    `${IO} io.on('connection', (socket) => { socket.on('ping', () => io.emit('count', io.engine.clientsCount)); });`,
  ],
  invalid: [
    // Accepted false positive (documented): a public chat where everyone may see everything.
    { code: `${IO} io.on('connection', (socket) => { socket.on('public-chat', (text) => io.emit('public-chat', { text })); });`, errors: [{ messageId: 'broadcast' }] },
    { code: `${WS} wss.on('connection', (ws) => { ws.on('message', (data) => { wss.clients.forEach((c) => c.send(data)); }); });`, errors: [{ messageId: 'broadcast' }] },
    { code: `${WS} ws.on('message', (data, isBinary) => { wss.clients.forEach((client) => { if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary }); }); });`, errors: [{ messageId: 'broadcast' }] },
    { code: `${WS} ws.on('message', (raw) => { const msg = JSON.parse(raw); for (const c of wss.clients) c.send(JSON.stringify({ from: ws.id, text: msg.text })); });`, errors: [{ messageId: 'broadcast' }] },
    { code: `${IO} io.on('connection', (socket) => { socket.on('chat', (msg) => io.emit('chat', msg)); });`, errors: [{ messageId: 'broadcast' }] },
    // dispatching on a message type named like a permission word is not an authorization step
    { code: `${WS} ws.on('message', (raw) => { const msg = JSON.parse(raw); if (msg.type === 'subscribe') return; wss.clients.forEach((c) => c.send(raw)); });`, errors: [{ messageId: 'broadcast' }] },
    { code: `${IO} io.on('connection', (socket) => { socket.on('typing', ({ text }) => { socket.broadcast.emit('typing', { text }); }); });`, errors: [{ messageId: 'broadcast' }] },
    { code: `${IO} io.on('connection', (socket) => { socket.on('note', (n) => io.of('/').emit('note', n)); });`, errors: [{ messageId: 'broadcast' }] },
  ],
});

ts.run('no-unauthorized-broadcast (TypeScript)', rule, {
  valid: [],
  invalid: [{ code: `${WS} ws.on('message', (data: RawData) => { wss.clients.forEach((c: WebSocket) => c.send(data as Buffer)); });`, errors: [{ messageId: 'broadcast' }] }],
});
