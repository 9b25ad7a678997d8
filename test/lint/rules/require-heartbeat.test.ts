import { rule } from '../../../src/lint/rules/require-heartbeat.js';
import { js, ts } from '../support.js';

const WS = "import { WebSocketServer } from 'ws'; const wss = new WebSocketServer({ server });";
js.run('require-heartbeat', rule, {
  valid: [
    `${WS} setInterval(() => { for (const ws of wss.clients) { if (!alive.delete(ws)) ws.terminate(); else ws.ping(); } }, 25000);`,
    `${WS} startHeartbeat(wss);`,
    `${WS} import { keepAlive } from './keepalive.js'; keepAlive(wss);`,
    // Socket.IO pings by itself
    "import { Server } from 'socket.io'; new Server(h);",
    // no server in this file
    "ws.send('x');",
  ],
  invalid: [
    // Accepted false positive (documented): a heartbeat in another module, not named like one.
    { code: `${WS} import { setupTimers } from './timers.js'; setupTimers(wss);`, errors: [{ messageId: 'none' }] },
    { code: WS, errors: [{ messageId: 'none' }] },
    { code: `${WS} wss.on('connection', (ws) => ws.on('pong', noop));`, errors: [{ messageId: 'none' }] },
    { code: "const WebSocket = require('ws'); const a = new WebSocket.Server({ port: 1 }); const b = new WebSocket.Server({ port: 2 });", errors: [{ messageId: 'none' }, { messageId: 'none' }] },
  ],
});

ts.run('require-heartbeat (TypeScript)', rule, {
  valid: [`${WS} const timer: NodeJS.Timeout = setInterval(() => wss.clients.forEach((c: WebSocket) => c.ping()), 25_000);`],
  invalid: [{ code: `${WS} export const server: WebSocketServer = wss;`, errors: [{ messageId: 'none' }] }],
});
