import { rule } from '../../../src/lint/rules/no-token-in-query.js';
import { js, ts } from '../support.js';

js.run('no-token-in-query', rule, {
  valid: [
    // Single-use tickets in the URL are the recommended browser pattern
    "import { WebSocketServer } from 'ws'; wss.on('connection', (ws, req) => { const t = new URL(req.url, 'http://x').searchParams.get('ticket'); });",
    // Non-credential parameters
    "import { WebSocketServer } from 'ws'; const room = url.searchParams.get('room');",
    // A plain HTTP app (no WebSocket library, no upgrade listener): an e-mail link token is not our business
    "import express from 'express'; app.get('/reset', (req, res) => reset(req.query.token));",
    // HTTP routes in a file that also runs a WebSocket server are not WebSocket code
    "import { WebSocketServer } from 'ws'; app.get('/reset', (req, res) => reset(req.query.token));",
    "import { Server } from 'socket.io'; router.get('/download', async (ctx) => { ctx.body = await files.get(ctx.query.token); });",
    // a bare `key` outside a socket handler is a storage / cache key
    "import express from 'express'; import { WebSocketServer } from 'ws'; const app = express(); app.get('/files', async (req, res) => { res.json(await storage.list({ prefix: req.query.key })); });",
    "import { WebSocketServer } from 'ws'; const cacheKey = url.searchParams.get('key');",
    // Reading the header instead
    "import { WebSocketServer } from 'ws'; const token = req.headers.authorization;",
    // Client URL without a credential, and with a ticket
    "new WebSocket('wss://api.example/ws?room=1');",
    'new WebSocket(`wss://api.example/ws?ticket=${ticket}`);',
  ],
  invalid: [
    // Accepted false positives (documented): an HTTP route in a WebSocket file, and a non-credential `key`.
    { code: "import { WebSocketServer } from 'ws'; function reset(req, res) { done(req.query.token); } app.get('/reset', reset);", errors: [{ messageId: 'read' }] },
    { code: "import { WebSocketServer } from 'ws'; wss.on('connection', (ws, req) => { const cacheKey = new URL(req.url, 'http://x').searchParams.get('key'); });", errors: [{ messageId: 'read', data: { name: 'key' } }] },
    // a bare `key` where the socket is accepted: upgrade listener, verifyClient, handshake query
    { code: "server.on('upgrade', (req, socket, head) => { if (!keys.has(req.query.key)) socket.destroy(); });", errors: [{ messageId: 'read', data: { name: 'key' } }] },
    { code: "import { WebSocketServer } from 'ws'; new WebSocketServer({ server, verifyClient: ({ req }) => keys.has(new URL(req.url, 'http://x').searchParams.get('key')) });", errors: [{ messageId: 'read' }] },
    { code: "const { key } = socket.handshake.query;", errors: [{ messageId: 'read', data: { name: 'key' } }] },
    // a credential inside the upgrade listener of a file that also has HTTP routes
    { code: "import express from 'express'; import { WebSocketServer } from 'ws'; app.get('/files', (req, res) => res.json(list(req.query.key))); server.on('upgrade', (req) => check(req.query.token));", errors: [{ messageId: 'read', data: { name: 'token' } }] },
    { code: "import { WebSocketServer } from 'ws'; wss.on('connection', (ws, req) => { const token = new URL(req.url, 'http://x').searchParams.get('token'); });", errors: [{ messageId: 'read', data: { name: 'token' } }] },
    { code: "const url = require('url'); const WebSocket = require('ws'); const q = url.parse(req.url, true).query.access_token;", errors: [{ messageId: 'read' }] },
    { code: "io.use((socket, next) => verify(socket.handshake.query.token, next));", errors: [{ messageId: 'read' }] },
    { code: "const { token, room } = socket.handshake.query;", errors: [{ messageId: 'read' }] },
    { code: "import { Server } from 'socket.io'; const key = socket.handshake.query['api_key'];", errors: [{ messageId: 'read' }] },
    // Inside an upgrade listener, even without a ws import in the file
    { code: "server.on('upgrade', (req) => { const params = new URL(req.url, 'http://x').searchParams; check(params.get('jwt')); });", errors: [{ messageId: 'read' }] },
    // Client side: the credential goes into the URL
    { code: 'new WebSocket(`wss://api.example/ws?token=${token}`);', errors: [{ messageId: 'url' }] },
    { code: "import { io } from 'socket.io-client'; io('https://api.example?apikey=' + key);", errors: [{ messageId: 'url' }] },
  ],
});

ts.run('no-token-in-query (TypeScript)', rule, {
  valid: [],
  invalid: [{ code: "import type { IncomingMessage } from 'node:http'; import { WebSocketServer } from 'ws'; const t = new URL(req.url!, 'http://x').searchParams.get('session') as string;", errors: [{ messageId: 'read' }] }],
});
