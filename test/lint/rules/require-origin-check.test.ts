import { rule } from '../../../src/lint/rules/require-origin-check.js';
import { js, ts } from '../support.js';

js.run('require-origin-check', rule, {
  valid: [
    // verifyClient present (an origin check in ws's own hook)
    "import { WebSocketServer } from 'ws'; new WebSocketServer({ server, verifyClient: ({ origin }) => ALLOWED.has(origin) });",
    // options through a const that has verifyClient
    "import { WebSocketServer } from 'ws'; const opts = { port: 1, verifyClient }; new WebSocketServer(opts);",
    // noServer with an upgrade handler that checks Origin (the ws README pattern)
    `import { WebSocketServer } from 'ws';
     const wss = new WebSocketServer({ noServer: true });
     server.on('upgrade', (req, socket, head) => {
       if (!ALLOWED.has(req.headers.origin)) { socket.write('HTTP/1.1 403 Forbidden\\r\\n\\r\\n'); return socket.destroy(); }
       wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
     });`,
    // verifyClient whose origin check sits in a local helper
    "import { WebSocketServer } from 'ws'; const originOk = (o) => o === 'https://a.example'; new WebSocketServer({ server, verifyClient: (info) => originOk(info.origin) && check(info.req) });",
    // ... with the check in a local helper it calls
    `import { WebSocketServer } from 'ws';
     const wss = new WebSocketServer({ noServer: true });
     function allowed(req) { return req.headers.origin === 'https://app.example'; }
     server.on('upgrade', (req, socket, head) => { if (!allowed(req)) return socket.destroy(); wss.handleUpgrade(req, socket, head, () => {}); });`,
    // an upgrade listener that does not hand sockets to ws (a proxy) is not judged
    "import { WebSocketServer } from 'ws'; export const wss = new WebSocketServer({ noServer: true }); server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head));",
    // noServer whose upgrade listener lives in another module: nothing to judge
    "import { WebSocketServer } from 'ws'; export const wss = new WebSocketServer({ noServer: true });",
    // options we cannot see (spread, parameter): silent
    "import { WebSocketServer } from 'ws'; new WebSocketServer({ ...base, port: 1 });",
    "import { WebSocketServer } from 'ws'; export function make(opts) { return new WebSocketServer(opts); }",
    // a WebSocket *client* is not a server
    "import WebSocket from 'ws'; new WebSocket('wss://x.example');",
    // Socket.IO with allowRequest
    "import { Server } from 'socket.io'; new Server(http, { cors: { origin: 'https://app.example' }, allowRequest: (req, cb) => cb(null, req.headers.origin === 'https://app.example') });",
    // allowRequest through a local helper that reads the origin; one defined elsewhere is not judged
    "import { Server } from 'socket.io'; const originOk = (req) => ALLOWED.has(req.headers.origin); new Server(http, { allowRequest: (req, cb) => cb(null, originOk(req)) });",
    "import { Server } from 'socket.io'; import { allowRequest } from './gate.js'; new Server(http, { allowRequest });",
    // Socket.IO with an io.use middleware that reads the origin
    "import { Server } from 'socket.io'; const io = new Server(http); io.use((socket, next) => next(ALLOWED.has(socket.handshake.headers.origin) ? undefined : new Error('origin')));",
    // Polling only: CORS applies to every request
    "import { Server } from 'socket.io'; new Server(http, { cors: { origin: 'https://app.example' }, transports: ['polling'] });",
    // A class named Server from another module is not Socket.IO
    "import { Server } from 'node:http'; new Server();",
  ],
  invalid: [
    // Accepted false positive (documented): the origin is checked by a reverse proxy the rule cannot see.
    { code: "import { WebSocketServer } from 'ws'; new WebSocketServer({ port: 8080, maxPayload: 65536 }); // nginx checks Origin", errors: [{ messageId: 'ws' }] },
    { code: "import { WebSocketServer } from 'ws'; new WebSocketServer({ port: 8080 });", errors: [{ messageId: 'ws' }] },
    // verifyClient that authenticates but never looks at the origin (the common Stack Overflow shape)
    {
      code: "const WebSocket = require('ws'); new WebSocket.Server({ server, verifyClient: (info, cb) => { jwt.verify(info.req.headers.token, key, (err) => cb(!err)); } });",
      errors: [{ messageId: 'verifyClientNoOrigin' }],
    },
    { code: "import { WebSocketServer } from 'ws'; function verifyClient(info) { return sessions.has(info.req.headers.cookie); } new WebSocketServer({ server, verifyClient });", errors: [{ messageId: 'verifyClientNoOrigin' }] },
    { code: "const WebSocket = require('ws'); const wss = new WebSocket.Server({ server });", errors: [{ messageId: 'ws' }] },
    { code: "const { Server } = require('ws'); new Server({ server, maxPayload: 1024 });", errors: [{ messageId: 'ws' }] },
    { code: "import WebSocket from 'ws'; const o = { server }; new WebSocket.WebSocketServer(o);", errors: [{ messageId: 'ws' }] },
    // Checking CORS-ish things that are not the origin does not count
    {
      code: `import { WebSocketServer } from 'ws';
        const wss = new WebSocketServer({ noServer: true });
        server.on('upgrade', (req, socket, head) => { if (req.url !== '/ws') return socket.destroy(); wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)); });`,
      errors: [{ messageId: 'noServerUpgrade' }],
    },
    // Two noServer servers routed by one upgrade listener: reported once
    {
      code: `import { WebSocketServer } from 'ws';
        const chat = new WebSocketServer({ noServer: true });
        const feed = new WebSocketServer({ noServer: true });
        server.on('upgrade', (req, socket, head) => {
          const target = req.url === '/chat' ? chat : feed;
          target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws, req));
        });`,
      errors: [{ messageId: 'noServerUpgrade' }],
    },
    // Socket.IO: cors alone does not cover the WebSocket transport
    { code: "import { Server } from 'socket.io'; const io = new Server(httpServer, { cors: { origin: 'https://app.example' } });", errors: [{ messageId: 'socketio' }] },
    { code: "const io = require('socket.io')(server);", errors: [{ messageId: 'socketio' }] },
    { code: "import { Server } from 'socket.io'; new Server(http, { transports: ['polling', 'websocket'] });", errors: [{ messageId: 'socketio' }] },
    { code: "import { Server } from 'socket.io'; const io = new Server(3000);", errors: [{ messageId: 'socketio' }] },
    // an allowRequest that accepts everything (never reads the origin)
    { code: "import { Server } from 'socket.io'; const io = new Server(http, { cors: { origin: '*' }, allowRequest: (req, callback) => callback(null, true) });", errors: [{ messageId: 'allowRequestNoOrigin' }] },
    { code: "const { Server } = require('socket.io'); function allowRequest(req, cb) { cb(null, !!req.headers.cookie); } new Server(http, { allowRequest });", errors: [{ messageId: 'allowRequestNoOrigin' }] },
  ],
});

ts.run('require-origin-check (TypeScript)', rule, {
  valid: ["import { WebSocketServer, type ServerOptions } from 'ws'; new WebSocketServer({ server, verifyClient } as ServerOptions);"],
  invalid: [{ code: "import { WebSocketServer, type ServerOptions } from 'ws'; const opts: ServerOptions = { port: 1 }; new WebSocketServer(opts satisfies ServerOptions);", errors: [{ messageId: 'ws' }] }],
});
