import { rule } from '../../../src/lint/rules/require-message-validation.js';
import { js, ts } from '../support.js';

js.run('require-message-validation', rule, {
  valid: [
    // zod around the parse
    "ws.on('message', (data) => { const msg = Message.parse(JSON.parse(data.toString())); handle(msg); });",
    // validated afterwards: zod safeParse, ajv, valibot, a type guard
    "ws.on('message', (data) => { const raw = JSON.parse(String(data)); const r = Message.safeParse(raw); if (!r.success) return ws.close(1007); handle(r.data); });",
    "ws.on('message', (data) => { const msg = JSON.parse(data); if (!validate(msg)) return; handle(msg); });",
    "ws.on('message', (data) => { const msg = JSON.parse(data); handle(v.parse(MessageSchema, msg)); });",
    "ws.on('message', (data) => { const msg = JSON.parse(data); if (!isChatMessage(msg)) return; handle(msg); });",
    // destructured, then the part that matters validated by the schema its type selects
    "ws.on('message', (data) => { const { type, payload } = JSON.parse(data); const schema = schemas.get(type); if (!schema) return ws.close(1008); const body = schema.parse(payload); handle(type, body); });",
    "ws.on('message', (data) => { const [kind, body] = JSON.parse(data); if (!validate(body)) return; run(kind, body); });",
    // a hand-written early-exit type guard (heuristic: typeof of the parsed value, then return/throw)
    "ws.on('message', (data) => { const msg = JSON.parse(data); if (typeof msg !== 'object' || msg === null || typeof msg.status !== 'string' || msg.status.length > 20) return ws.close(1008); setStatus(msg.status); });",
    "ws.on('message', (data) => { let msg; try { msg = JSON.parse(data); } catch { return; } if (typeof msg?.text !== 'string') { ws.close(1007); throw new Error('bad'); } say(msg.text); });",
    // parsed only to test well-formedness
    "ws.on('message', (data) => { try { JSON.parse(data); } catch { ws.close(1007); } });",
    // JSON.parse of something that is not the message
    "ws.on('message', () => { const cfg = JSON.parse(fs.readFileSync('x')); use(cfg); });",
    // a Node client parsing its own server's feed: client sockets are out of scope
    "import WebSocket from 'ws'; const ws = new WebSocket('wss://feed.example/ticks'); ws.on('error', log); ws.on('message', (data) => { const tick = JSON.parse(data.toString()); prices.set(tick.symbol, tick.price); });",
    "const WebSocket = require('ws'); class Feed { start() { this.sock = new WebSocket(URL); this.sock.on('message', (d) => this.emit('tick', JSON.parse(d))); } }",
    // browser listeners are out of scope
    'ws.onmessage = (e) => { const m = JSON.parse(e.data); show(m); };',
    "ws.addEventListener('message', (e) => { const m = JSON.parse(e.data); show(m); });",
  ],
  invalid: [
    // Accepted false positive (documented): a hand-written check not named like a validator.
    "ws.on('message', (data) => { const m = JSON.parse(data); const ok = typeof m.text === 'string' && m.text.length < 100; if (ok) say(m.text); });",
    { code: "ws.on('message', (data) => { const msg = JSON.parse(data.toString()); rooms.get(msg.room).push(msg.text); });", errors: [{ messageId: 'unvalidated' }] },
    { code: "ws.on('message', (data) => { const { type, payload } = JSON.parse(data); dispatch(type, payload); });", errors: [{ messageId: 'unvalidated' }] },
    { code: "ws.on('message', (data) => handlers[JSON.parse(data).type]());", errors: [{ messageId: 'unvalidated' }] },
    { code: "ws.once('message', (raw, isBinary) => { const text = isBinary ? null : raw.toString('utf8'); const m = JSON.parse(text); db.insert(m); });", errors: [{ messageId: 'unvalidated' }] },
    // JSON.parse of a part is not a validation
    { code: "ws.on('message', (data) => { const { type, payload } = JSON.parse(data); const inner = JSON.parse(payload); dispatch(type, inner); });", errors: [{ messageId: 'unvalidated' }, { messageId: 'unvalidated' }] },
    // a typeof check that does not exit, or of something else, is no guard
    "ws.on('message', (data) => { const msg = JSON.parse(data); if (typeof msg.text === 'string') log(msg.text); save(msg); });",
    "ws.on('message', (data) => { const msg = JSON.parse(data); if (typeof other !== 'object') return; save(msg); });",
    // a guard before the parse does not guard it
    "ws.on('message', (data) => { let msg = cache; if (typeof msg !== 'object') return; msg = JSON.parse(data); save(msg); });",
    // server-side: a connection handler's socket is checked even when the file also has a client named alike
    "import WebSocket, { WebSocketServer } from 'ws'; const ws = new WebSocket(UPSTREAM); const wss = new WebSocketServer({ port: 1 }); wss.on('connection', (ws) => { ws.on('message', (d) => { const m = JSON.parse(d); save(m); }); });",
    // a validator called on something else does not count
    "ws.on('message', (data) => { const msg = JSON.parse(data); validate(other); save(msg); });",
  ].map((c) => (typeof c === 'string' ? { code: c, errors: [{ messageId: 'unvalidated' }] } : c)),
});

ts.run('require-message-validation (TypeScript)', rule, {
  valid: ["ws.on('message', (data: RawData) => { const msg = Message.parse(JSON.parse(data.toString()) as unknown); handle(msg); });"],
  invalid: [{ code: "ws.on('message', (data: RawData) => { const msg = JSON.parse(data.toString()) as ChatMessage; broadcast(msg.text); });", errors: [{ messageId: 'unvalidated' }] }],
});
