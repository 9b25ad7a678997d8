import { rule } from '../../../src/lint/rules/require-max-payload.js';
import { js, ts } from '../support.js';

const ws = "import { WebSocketServer } from 'ws';";
js.run('require-max-payload', rule, {
  valid: [
    `${ws} new WebSocketServer({ server, maxPayload: 64 * 1024 });`,
    `${ws} const MAX = 2 ** 16; new WebSocketServer({ server, maxPayload: MAX });`,
    `${ws} new WebSocketServer({ server, maxPayload: 1024 * 1024 });`,
    // not static: not judged
    `${ws} new WebSocketServer({ server, maxPayload: config.maxPayload });`,
    `${ws} new WebSocketServer({ ...defaults, server });`,
    // the threshold is configurable
    { code: `${ws} new WebSocketServer({ server, maxPayload: 8 * 1024 * 1024 });`, options: [{ max: 16 * 1024 * 1024 }] },
    // Socket.IO at or below its default
    "import { Server } from 'socket.io'; new Server(http, { maxHttpBufferSize: 1e5, allowRequest });",
    "import { Server } from 'socket.io'; new Server(http);",
  ],
  invalid: [
    // Accepted false positive (documented): an upload endpoint that really needs big messages.
    { code: `${ws} new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 }); // uploads`, errors: [{ messageId: 'tooHigh' }] },
    { code: `${ws} new WebSocketServer({ server });`, errors: [{ messageId: 'missing' }] },
    { code: "const WebSocket = require('ws'); new WebSocket.Server({ port: 8080 });", errors: [{ messageId: 'missing' }] },
    { code: `${ws} new WebSocketServer({ server, maxPayload: 100 * 1024 * 1024 });`, errors: [{ messageId: 'tooHigh' }] },
    { code: `${ws} new WebSocketServer({ server, maxPayload: 0 });`, errors: [{ messageId: 'tooHigh', data: { value: '0', max: '1048576', zero: ' (0 means no limit)' } }] },
    { code: `${ws} const LIMIT = 50e6; const opts = { noServer: true, maxPayload: LIMIT }; new WebSocketServer(opts);`, errors: [{ messageId: 'tooHigh' }] },
    { code: "import { Server } from 'socket.io'; new Server(http, { maxHttpBufferSize: 1e8 });", errors: [{ messageId: 'socketio' }] },
  ],
});

ts.run('require-max-payload (TypeScript)', rule, {
  valid: [`${ws} new WebSocketServer({ noServer: true, maxPayload: 65_536 as const });`],
  invalid: [{ code: `${ws} const wss: WebSocketServer = new WebSocketServer({ noServer: true } as ServerOptions);`, errors: [{ messageId: 'missing' }] }],
});
