import { rule } from '../../../src/lint/rules/no-auth-after-upgrade.js';
import { js, ts } from '../support.js';

const WS = "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server, maxPayload: 65536 });";
const IO = "import { Server } from 'socket.io'; const io = new Server(http);";

js.run('no-auth-after-upgrade', rule, {
  valid: [
    // Closing for a non-auth reason (protocol, capacity) is fine
    `${WS} wss.on('connection', (ws) => { if (ws.protocol !== 'v1') ws.close(1002); });`,
    `${WS} wss.on('connection', (ws) => { if (wss.clients.size > MAX) ws.close(1013); });`,
    `${WS} wss.on('connection', (ws) => { if (onlineUsers.size >= MAX_USERS) ws.close(1013, 'full'); });`,
    // First-message auth: closing in the message handler, and the auth deadline timer, are the right pattern
    `${WS} wss.on('connection', (ws) => {
       const deadline = setTimeout(() => { if (!ws.user) ws.close(4408); }, 5000);
       ws.on('message', async (m) => { if (!ws.user) { const user = await verify(m); if (!user) return ws.close(4401); ws.user = user; clearTimeout(deadline); } });
     });`,
    // Socket.IO: auth in middleware, before the connection
    `${IO} io.use(async (socket, next) => { try { socket.data.user = await verify(socket.handshake.auth.token); next(); } catch { next(new Error('unauthorized')); } }); io.on('connection', (socket) => socket.join('lobby'));`,
    // A defensive re-check on a server that already authenticates in verifyClient / its upgrade handler
    "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server, verifyClient }); wss.on('connection', (ws, req) => { if (!req.user) ws.close(1008); });",
    "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server, verifyClient: (info, cb) => jwt.verify(info.req.headers.authorization, key, (err) => cb(!err)) }); wss.on('connection', (ws, req) => { if (!req.user) ws.close(1008); });",
    "import { WebSocketServer } from 'ws'; function verifyClient(info) { return ALLOWED.has(info.origin) && sessions.has(info.req.headers.cookie); } const wss = new WebSocketServer({ server, verifyClient }); wss.on('connection', (ws, req) => { if (!req.user) ws.close(1008); });",
    "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ noServer: true }); wss.on('connection', (ws, req, session) => { if (!session) ws.close(4401); });",
    "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ noServer: true }); server.on('upgrade', (req, s, h) => authenticate(req, () => wss.handleUpgrade(req, s, h, (ws) => wss.emit('connection', ws, req)))); wss.on('connection', (ws, req) => { if (!req.user) ws.close(4401); });",
    // options we cannot see
    "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer(opts); wss.on('connection', (ws, req) => { if (!req.user) ws.close(1008); });",
    // A 'connection' listener on something that is not a WebSocket server
    "import net from 'node:net'; const srv = net.createServer(); srv.on('connection', (s) => { if (!token) s.destroy(); });",
    // Closing another socket, not the new one
    `${WS} wss.on('connection', (ws) => { if (tokenRevoked) other.close(); });`,
  ],
  invalid: [
    // Accepted false positive (documented): a re-check whose pre-upgrade gate lives in another module.
    { code: "import { WebSocketServer } from 'ws'; import { gate } from './gate.js'; const wss = new WebSocketServer({ server, maxPayload: 65536 }); gate(server); wss.on('connection', (ws, req) => { if (!req.user) ws.close(1008); });", errors: [{ messageId: 'closeLater' }] },
    { code: `${WS} wss.on('connection', (ws, req) => { const token = req.headers['sec-websocket-protocol']; if (!isValid(token)) ws.close(1008); });`, errors: [{ messageId: 'closeLater' }] },
    { code: `${WS} wss.on('connection', async (ws, req) => { const user = await sessions.get(cookie(req)); if (!user) { ws.terminate(); return; } });`, errors: [{ messageId: 'closeLater' }] },
    { code: `${WS} wss.on('connection', (ws, req) => { try { jwt.verify(bearer(req), key); } catch { ws.close(4401); } });`, errors: [{ messageId: 'closeLater' }] },
    { code: `${WS} wss.on('connection', (ws, req) => { jwt.verify(t(req), key, (err) => { if (err) ws.close(); }); });`, errors: [{ messageId: 'closeLater' }] },
    { code: `${IO} io.on('connection', (socket) => { if (!socket.handshake.auth.token) return socket.disconnect(true); });`, errors: [{ messageId: 'closeLater' }] },
    // a middleware that does not authenticate is no gate
    { code: `${IO} io.use((socket, next) => { socket.data.t0 = Date.now(); next(); }); io.on('connection', (socket) => { if (!socket.handshake.auth.token) socket.disconnect(); });`, errors: [{ messageId: 'closeLater' }] },
    // a verifyClient that checks only the origin is no authentication gate
    { code: "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server, verifyClient: (info) => ALLOWED.has(info.origin) }); wss.on('connection', (ws, req) => { const token = new URL(req.url, 'http://x').searchParams.get('ticket'); if (!verifyToken(token)) ws.close(1008); });", errors: [{ messageId: 'closeLater' }] },
    // ... even when the function is itself named verifyClient
    { code: "import { WebSocketServer } from 'ws'; function verifyClient({ origin }, done) { done(origin === 'https://app.example'); } const wss = new WebSocketServer({ server, verifyClient }); wss.on('connection', (ws, req) => { if (!isValid(req.headers.authorization)) ws.terminate(); });", errors: [{ messageId: 'closeLater' }] },
    // noServer whose upgrade handler here does not authenticate
    { code: "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ noServer: true }); server.on('upgrade', (req, s, h) => wss.handleUpgrade(req, s, h, (ws) => wss.emit('connection', ws, req))); wss.on('connection', (ws, req) => { if (!sessionOf(req)) ws.close(4401); });", errors: [{ messageId: 'closeLater' }] },
    { code: `${WS} function onConnection(ws, req) { authenticate(req) || ws.close(1008); } wss.on('connection', onConnection);`, errors: [{ messageId: 'closeLater' }] },
  ],
});

ts.run('no-auth-after-upgrade (TypeScript)', rule, {
  valid: [],
  invalid: [{ code: `${WS} wss.on('connection', (ws: WebSocket, req: IncomingMessage) => { if (!verifyToken(req.url!)) (ws as WebSocket).close(1008); });`, errors: [{ messageId: 'closeLater' }] }],
});
