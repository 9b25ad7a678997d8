import { rule } from '../../../src/lint/rules/no-insecure-websocket-url.js';
import { js, ts } from '../support.js';

js.run('no-insecure-websocket-url', rule, {
  valid: [
    "new WebSocket('wss://api.example.com/feed');",
    "new WebSocket('ws://localhost:8080/ws');",
    "new WebSocket('ws://127.0.0.1:8080');",
    "new WebSocket('ws://[::1]:8080');",
    "new WebSocket('ws://app.localhost/ws');",
    // scheme derived from the page; host unknown
    "new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);",
    'new WebSocket(`ws://${host}/ws`);',
    'new WebSocket(url);',
    // a ws:// prefix whose host continues in an expression is unknown
    "new WebSocket('ws://api' + suffix);",
    "import { io } from 'socket.io-client'; io('https://api.example.com');",
    "import { io } from 'socket.io-client'; io('http://localhost:3000');",
  ],
  invalid: [
    // Accepted false positive (documented): a sidecar on a private address inside a trusted network.
    { code: "import WebSocket from 'ws'; new WebSocket('ws://10.0.0.5:9000/metrics');", errors: [{ messageId: 'plaintext' }] },
    { code: "new WebSocket('ws://api.example.com/feed');", errors: [{ messageId: 'plaintext', data: { scheme: 'ws', host: 'api.example.com', secure: 'wss' } }] },
    { code: "import WebSocket from 'ws'; new WebSocket('ws://10.0.0.5:9000');", errors: [{ messageId: 'plaintext' }] },
    { code: 'new WebSocket(`ws://api.example.com/rooms/${room}`);', errors: [{ messageId: 'plaintext' }] },
    { code: "const FEED = 'ws://feed.example.com'; new WebSocket(FEED);", errors: [{ messageId: 'plaintext' }] },
    { code: "new WebSocket('ws://feed.example.com/' + room);", errors: [{ messageId: 'plaintext' }] },
    { code: "import { io } from 'socket.io-client'; io('http://chat.example.com');", errors: [{ messageId: 'plaintext', data: { scheme: 'http', host: 'chat.example.com', secure: 'https' } }] },
  ],
});

ts.run('no-insecure-websocket-url (TypeScript)', rule, {
  valid: ["const ws: WebSocket = new WebSocket('wss://x.example' as string);"],
  invalid: [{ code: "const ws: WebSocket = new WebSocket('ws://x.example' as const);", errors: [{ messageId: 'plaintext' }] }],
});
