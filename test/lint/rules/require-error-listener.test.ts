import { rule } from '../../../src/lint/rules/require-error-listener.js';
import { js, ts } from '../support.js';

const WS = "import WebSocket, { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server });";
js.run('require-error-listener', rule, {
  valid: [
    `${WS} wss.on('connection', (ws) => { ws.on('error', log); ws.on('message', handle); });`,
    `${WS} wss.on('connection', (ws) => { ws.once('error', log); });`,
    `${WS} wss.on('connection', (ws) => { ws.onerror = log; });`,
    // ws's .on returns the socket: a chained error listener counts
    `${WS} wss.on('connection', (ws) => { ws.on('message', (d) => ws.send(String(d).length)).on('error', () => ws.terminate()); });`,
    "import WebSocket from 'ws'; const ws = new WebSocket('wss://x'); ws.on('open', start).once('close', stop).on('error', log);",
    // handed to code we cannot see: assumed to attach it there
    `${WS} wss.on('connection', (ws, req) => { track(ws, req); });`,
    `${WS} class Hub { constructor() { wss.on('connection', (ws) => this.accept(ws)); } }`,
    `${WS} wss.on('connection', (ws) => { new Session(ws); });`,
    // two connection listeners on one server, one of them attaching the error listener
    `${WS} wss.on('connection', (ws) => { ws.on('message', handle); }); wss.on('connection', (ws) => { ws.on('error', log); });`,
    // Socket.IO sockets are not checked
    "import { Server } from 'socket.io'; const io = new Server(h); io.on('connection', (socket) => socket.on('chat', f));",
    // Node client with a listener
    "import WebSocket from 'ws'; const ws = new WebSocket('wss://x'); ws.on('error', (e) => log(e));",
    // browser WebSocket is not checked
    "const ws = new WebSocket('wss://x'); ws.onmessage = f;",
  ],
  invalid: [
    // Accepted false positive (documented): the listener is attached through an alias.
    { code: `${WS} wss.on('connection', (ws) => { const s = ws; s.on('error', log); });`, errors: [{ messageId: 'connection' }] },
    // a chain without an error listener is still reported
    { code: `${WS} wss.on('connection', (ws) => { ws.on('message', (d) => ws.send(d)).on('close', done); });`, errors: [{ messageId: 'connection' }] },
    { code: `${WS} wss.on('connection', (ws) => { ws.on('message', (d) => ws.send(d)); });`, errors: [{ messageId: 'connection', data: { name: 'ws' } }] },
    // adding it to a collection is not handling it
    { code: `${WS} const clients = new Set(); wss.on('connection', (socket) => { clients.add(socket); socket.on('close', () => clients.delete(socket)); });`, errors: [{ messageId: 'connection' }] },
    { code: "const WebSocket = require('ws'); const wss = new WebSocket.Server({ port: 1 }); function onConn(ws) { ws.send('hi'); } wss.on('connection', onConn);", errors: [{ messageId: 'connection' }] },
    // ... but not when the other listener is on another server
    { code: `${WS} const admin = new WebSocketServer({ port: 2 }); wss.on('connection', (ws) => { ws.on('message', handle); }); admin.on('connection', (ws) => { ws.on('error', log); });`, errors: [{ messageId: 'connection' }] },
    { code: "import WebSocket from 'ws'; const upstream = new WebSocket('wss://feed.example'); upstream.on('message', relay);", errors: [{ messageId: 'client', data: { name: 'upstream' } }] },
  ],
});

ts.run('require-error-listener (TypeScript)', rule, {
  valid: [`${WS} wss.on('connection', (ws: WebSocket) => { ws.on('error', (err: Error) => log(err)); });`],
  invalid: [{ code: `${WS} wss.on('connection', (ws: WebSocket, req: IncomingMessage) => { ws.on('message', (d: RawData) => ws.send(d)); });`, errors: [{ messageId: 'connection' }] }],
});
