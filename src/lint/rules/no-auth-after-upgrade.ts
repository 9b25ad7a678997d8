/** Authentication checked in the `connection` handler (after the 101) and the socket closed later. */
import type * as ESTree from 'estree';
import { calleeName, facts, isFunction, kindOf, paramName, propName, unwrap, walk, words, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

const AUTH_WORD = /token|jwt|auth|verify|credential|session|cookie|login|api_?key|password|user|identity|bearer/i;
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
      details: 'In a `connection` listener of a `ws` or Socket.IO server, reports a `close()`, `terminate()`, `disconnect()` or `destroy()` of the new socket that runs under a condition, a `catch`, or a callback of a call whose words name a credential (token, auth, verify, session, cookie, user...). Nested message listeners and timers are not searched: closing a socket that failed first-message auth, or an auth deadline timer, is the right pattern.',
      falsePositives: [
        'A re-check of an identity that was already verified before the upgrade (for example a revocation check on connect) is reported; it is usually better done in the upgrade too.',
      ],
      limits: [
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
