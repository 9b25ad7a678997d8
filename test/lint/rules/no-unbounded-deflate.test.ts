import { rule } from '../../../src/lint/rules/no-unbounded-deflate.js';
import { js, ts } from '../support.js';

const ws = "import { WebSocketServer } from 'ws';";
js.run('no-unbounded-deflate', rule, {
  valid: [
    `${ws} new WebSocketServer({ server });`,
    `${ws} new WebSocketServer({ server, perMessageDeflate: false });`,
    `${ws} new WebSocketServer({ server, perMessageDeflate: { serverNoContextTakeover: true, threshold: 1024 } });`,
    `${ws} new WebSocketServer({ server, perMessageDeflate: { serverMaxWindowBits: 10, concurrencyLimit: 10 } });`,
    `${ws} new WebSocketServer({ server, perMessageDeflate: { ...shared } });`,
    `${ws} new WebSocketServer({ server, perMessageDeflate: config.deflate });`,
    "import { Server } from 'socket.io'; new Server(http, { perMessageDeflate: false });",
    // a client is not checked
    "import WebSocket from 'ws'; new WebSocket('wss://x', { perMessageDeflate: true });",
  ],
  invalid: [
    // Accepted false positive (documented): public data, memory cost measured and accepted.
    { code: `${ws} new WebSocketServer({ server, maxPayload: 65536, perMessageDeflate: { threshold: 4096, concurrencyLimit: 4 } }); // public ticker`, errors: [{ messageId: 'takeover' }] },
    { code: `${ws} new WebSocketServer({ server, perMessageDeflate: true });`, errors: [{ messageId: 'enabled' }] },
    { code: `${ws} const DEFLATE = true; new WebSocketServer({ server, perMessageDeflate: DEFLATE });`, errors: [{ messageId: 'enabled' }] },
    { code: `${ws} new WebSocketServer({ server, perMessageDeflate: { threshold: 1024 } });`, errors: [{ messageId: 'takeover' }] },
    { code: `${ws} new WebSocketServer({ server, perMessageDeflate: { serverNoContextTakeover: false } });`, errors: [{ messageId: 'takeover' }] },
    { code: "import { Server } from 'socket.io'; new Server(http, { perMessageDeflate: true });", errors: [{ messageId: 'enabled' }] },
  ],
});

ts.run('no-unbounded-deflate (TypeScript)', rule, {
  valid: [],
  invalid: [{ code: `${ws} new WebSocketServer({ server, perMessageDeflate: { zlibDeflateOptions: { level: 3 } } satisfies PerMessageDeflateOptions });`, errors: [{ messageId: 'takeover' }] }],
});
