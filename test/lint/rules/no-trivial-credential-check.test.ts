import { rule } from '../../../src/lint/rules/no-trivial-credential-check.js';
import { js, ts } from '../support.js';

/** Verifier-named functions are checked in WebSocket or auth code. */
const H = "import { createServer } from 'node:http'; ";
const wss = (verify: string) => `import { WebSocketServer } from 'ws'; new WebSocketServer({ server, verifyClient: ${verify} });`;

js.run('no-trivial-credential-check', rule, {
  valid: [
    // An origin-only verifyClient compares with a constant on purpose: not a credential
    wss("(info) => info.origin === 'https://app.example'"),
    wss('({ origin }) => ALLOWED.has(origin)'),
    // Real verification
    wss("({ req }, done) => { jwtVerify(req.headers.authorization.slice(7), key).then(() => done(true), () => done(false, 401)); }"),
    // Presence guard, then a verifier: the guard returns false, not the token
    H + "function verifyToken(token) { if (!token) return false; return jwt.verify(token, secret, { algorithms: ['HS256'] }); }",
    // A presence test of a *verified* value
    H + 'async function authenticate(req) { const session = await store.lookup(req.headers.cookie); return !!session; }',
    // A store lookup counts as a verifier
    H + "function isAuthorized(token) { return tokens.has(token); }",
    // timingSafeEqual against configuration
    H + "function checkApiKey(key) { return timingSafeEqual(Buffer.from(key), CONFIGURED); }",
    // a key from configuration is fine
    H + "function verifyToken(token) { return jwt.verify(token, process.env.JWT_SECRET, { algorithms: ['HS256'] }); }",
    // Not a verifier by name or position
    H + 'function hasToken(req) { return !!req.headers.authorization; }',
    H + 'function render(token) { return token.length > 0; }',
    // A lexer's tokens are not credentials: no WebSocket/auth import, so verifier-named functions are not checked
    'function isToken(node) { return node.kind >= FIRST && node.kind <= LAST; }',
    'function verifyToken(token) { return token.length > 0; }',
    // ... a one-character literal is not a secret, and a property of a credential (token.type) is not the credential
    wss("(info) => info.req.headers.authorization !== '-' && verify(info.req.headers.authorization)"),
    H + "function verifyToken(token) { if (token.type !== 'Bearer') return false; return jwt.verify(token.value, key); }",
    // Socket.IO middleware that verifies
    "import { Server } from 'socket.io'; const io = new Server(h); io.use((socket, next) => verify(socket.handshake.auth.token).then(() => next(), next));",
  ],
  invalid: [
    // Accepted false positive (documented): a presence pre-filter named like a verifier.
    { code: H + 'function checkAuth(req) { return !!req.headers.authorization; }', errors: [{ messageId: 'trivial' }] },
    { code: wss('({ req }) => !!req.headers.authorization'), errors: [{ messageId: 'trivial' }] },
    // a real verifier, but with the secret in the source
    { code: wss("(info, cb) => jwt.verify(info.req.headers.token, 'secret-key', (err) => cb(!err))"), errors: [{ messageId: 'hardcodedKey' }] },
    { code: wss('(info, cb) => cb(Boolean(info.req.headers.authorization))'), errors: [{ messageId: 'trivial' }] },
    { code: wss("({ req }) => req.headers['x-api-key'] === 's3cret-key'"), errors: [{ messageId: 'constant' }] },
    { code: H + 'function verifyToken(token) { return token.length > 0; }', errors: [{ messageId: 'trivial' }] },
    { code: H + 'function authenticate(req) { const token = req.headers.authorization; return token !== undefined; }', errors: [{ messageId: 'trivial' }] },
    { code: H + "const API_KEY = 'abc123'; function checkAuth(req) { if (req.headers.authorization === 'Bearer abc123') return true; return false; }", errors: [{ messageId: 'constant' }] },
    { code: "import { Server } from 'socket.io'; const io = new Server(h); io.use((socket, next) => { if (socket.handshake.auth.token) next(); else next(new Error('no token')); });", errors: [{ messageId: 'noVerifier' }] },
    { code: "const verifyClient = (info, done) => { const token = new URL(info.req.url, 'http://x').searchParams.get('token'); done(typeof token === 'string'); }; import { WebSocketServer } from 'ws'; new WebSocketServer({ server, verifyClient });", errors: [{ messageId: 'trivial' }] },
  ],
});

ts.run('no-trivial-credential-check (TypeScript)', rule, {
  valid: ["import { jwtVerify } from 'jose'; export async function verifyToken(token: string): Promise<Identity> { return (await jwtVerify(token, key)).payload as Identity; }"],
  invalid: [{ code: "import type { IncomingMessage } from 'node:http'; export function isAuthenticated(req: IncomingMessage): boolean { return !!req.headers.authorization!; }", errors: [{ messageId: 'trivial' }] }],
});
