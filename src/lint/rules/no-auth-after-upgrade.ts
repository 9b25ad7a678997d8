/** Authentication checked in the `connection` handler (after the 101) and the socket closed later. */
import type * as ESTree from 'estree';
import { calleeName, facts, getProp, isFunction, kindOf, paramName, propName, reachable, reads, resolveFunction, resolveObject, unwrap, walk, words, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

/** Credential or identity words; `user` only as a whole name (`user`, `currentUser`), not `MAX_USERS`. */
const AUTH_WORD = /token|jwt|auth|verify|credential|session|cookie|login|api_?key|password|identity|bearer|user$|^getuser/i;
/** What a verifyClient must read to count as an authentication gate: a credential, a verifier call, a signed ticket. */
const GATE_WORD = new RegExp(`${AUTH_WORD.source}|api[-_]?key|sec-websocket-protocol|ticket|signature|hmac|secret`, 'i');
const CLOSE = new Set(['close', 'terminate', 'disconnect', 'destroy']);
/** Nested callbacks that run later by design (message handlers, the first-message auth deadline). */
const LATER = new Set(['on', 'once', 'addEventListener', 'addListener', 'setTimeout', 'setInterval']);

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A credential checked in the `connection` handler, closing the socket when it fails, authenticates after the upgrade: the socket was already open.',
      recommended: true,
      url: `${DOCS_BASE}no-auth-after-upgrade.md`,
      severity: 'medium',
      checks: ['WSG-AUTH-01'],
      cwe: 'CWE-696',
      fix: 'Authenticate before the upgrade: in `verifyClient` or a `noServer` upgrade handler answering 401 (ws), or in an `io.use()` middleware (Socket.IO). For first-message auth, close sockets that do not authenticate within a few seconds and process nothing before.',
      details: 'In a `connection` listener of a `ws` or Socket.IO server, reports a `close()`, `terminate()`, `disconnect()` or `destroy()` of the new socket that runs under a condition, a `catch`, or a callback of a call whose words name a credential (token, auth, verify, session, cookie, user...). Nested message listeners and timers are not searched: closing a socket that failed first-message auth, or an auth deadline timer, is the right pattern. A server that already gates the upgrade (a `verifyClient` that reads a credential (header, cookie, query token, subprotocol, ticket) or calls a verifier, or one defined in another module; `noServer` with an upgrade handler that authenticates or lives elsewhere, a Socket.IO `io.use` middleware that reads a credential) is not reported: a check on connection is then a defensive re-check.',
      falsePositives: [
        'A re-check of an identity on connection is reported when the file shows no pre-upgrade gate (the `verifyClient` or upgrade handler lives in another module): disable the line and say where the gate is.',
      ],
      limits: [
        'A `verifyClient` that only checks the Origin is not an authentication gate, so the connection handler is judged; one whose credential check hides behind a helper in another module with a neutral name (`policy(info)`) counts as not authenticating.',
        'Only the connection handler itself is searched (and `else` branches of the same condition); a check in a helper function it calls is not seen.',
        'A `connection` listener on a server created in another module is not checked.',
      ],
      example: {
        bad: "wss.on('connection', (ws, req) => {\n  const token = req.headers['sec-websocket-protocol'];\n  if (!isValid(token)) ws.close(1008);\n});",
        good: "const wss = new WebSocketServer({\n  server,\n  verifyClient: ({ req }, done) => done(isValid(req.headers['sec-websocket-protocol']), 401),\n});",
      },
    },
    schema: [],
    messages: {
      closeLater: 'Authentication after the upgrade: the socket is already open when this check closes it. Authenticate before the 101 (verifyClient, an upgrade handler, or io.use).',
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const f = facts(context);
        for (const l of f.listeners) {
          if (l.event !== 'connection' || l.call.type !== 'CallExpression') continue;
          const kind = kindOf(l.target as Node, f);
          if (kind !== 'ws-server' && kind !== 'socketio-server') continue;
          if (authenticatesBefore(l.target as Node, kind)) continue;
          const sock = paramName(l.fn, 0);
          if (!sock) continue;
          walk(l.fn.body as Node, f.keys, (n) => {
            if (isFunction(n) && n.parent?.type === 'CallExpression' && LATER.has(calleeName((n.parent as ESTree.CallExpression).callee as Node) ?? '')) return false;
            if (n.type !== 'CallExpression') return;
            const callee = unwrap((n as ESTree.CallExpression).callee as Node);
            if (!CLOSE.has(propName(callee) ?? '') || callee?.type !== 'MemberExpression') return;
            const obj = unwrap((callee as ESTree.MemberExpression).object as Node);
            if (obj?.type !== 'Identifier' || (obj as ESTree.Identifier).name !== sock) return;
            if (guardedByAuth(n, l.fn as Node)) context.report({ node: n as ESTree.Node, messageId: 'closeLater' });
          });
        }
        /** A server that already gates the upgrade (verifyClient, noServer + upgrade handler, io.use): a later check is a re-check. */
        function authenticatesBefore(target: Node, kind: string): boolean {
          const t = unwrap(target);
          const name = t?.type === 'Identifier' ? (t as ESTree.Identifier).name : propName(t);
          if (kind === 'socketio-server') {
            return hasUse(context.sourceCode.ast as unknown as Node);
          }
          const server = f.constructs.find((c) => c.kind === 'ws-server' && c.name === name);
          const opts = server ? resolveObject(server.node.arguments[0] as Node | undefined, context) : null;
          if (!opts) return true; // cannot see how it is built: stay silent
          const verify = getProp(opts, 'verifyClient');
          if (verify.state === 'unknown') return true;
          if (verify.state === 'present') {
            // A verifyClient we can read must read a credential to be a gate (an origin-only check is not one).
            const fn = resolveFunction(verify.value, f);
            return !fn || readsCredential(fn as Node);
          }
          if (getProp(opts, 'noServer').state === 'missing') return false;
          // noServer: gated when an upgrade listener here authenticates, unknown when there is none here.
          const upgrades = f.listeners.filter((l) => l.event === 'upgrade');
          return upgrades.length === 0 || upgrades.some((l) => reads(l.fn as Node, AUTH_WORD, f));
        }
        /** Does a hook (or a local function it calls) read a credential or call a verifier? Its own name is not counted. */
        function readsCredential(fn: Node): boolean {
          return reachable(fn, f).some((g) => {
            const fnNode = g as unknown as ESTree.Function;
            return [...fnNode.params, fnNode.body].some((part) => [...words(part as Node, f.keys)].some((w) => GATE_WORD.test(w)));
          });
        }
        function hasUse(ast: Node): boolean {
          let found = false;
          walk(ast, f.keys, (n) => {
            if (found) return false;
            if (n.type !== 'CallExpression' || propName((n as ESTree.CallExpression).callee as Node) !== 'use') return undefined;
            const c = n as ESTree.CallExpression;
            const fn = resolveFunction(c.arguments[0] as Node | undefined, f);
            if (kindOf((c.callee as ESTree.MemberExpression).object as Node, f) === 'socketio-server' && fn && reads(fn as Node, AUTH_WORD, f)) found = true;
            return undefined;
          });
          return found;
        }
        function guardedByAuth(node: Node, top: Node): boolean {
          let child = node;
          for (let p = node.parent; p && child !== top; child = p, p = p.parent) {
            let guard: Node | null = null;
            if ((p.type === 'IfStatement' || p.type === 'ConditionalExpression') && (p as ESTree.IfStatement).test !== child) guard = (p as ESTree.IfStatement).test as Node;
            else if (p.type === 'LogicalExpression' && (p as ESTree.LogicalExpression).right === child) guard = (p as ESTree.LogicalExpression).left as Node;
            else if (p.type === 'TryStatement' && (p as ESTree.TryStatement).handler === child) guard = (p as ESTree.TryStatement).block as Node;
            else if (p.type === 'CallExpression' && isFunction(child)) guard = (p as ESTree.CallExpression).callee as Node;
            if (guard && [...words(guard, f.keys)].some((w) => AUTH_WORD.test(w))) return true;
            // A guard clause: `if (!ok(token)) { ...; return ws.close(); }` is found above; an early
            // `if (...) return;` before the close in the same block is not a guard of the close.
          }
          return false;
        }
      },
    };
  },
};
