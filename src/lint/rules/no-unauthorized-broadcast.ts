/** One client's message fanned out to every client with no authorization step. */
import type * as ESTree from 'estree';
import { calleeName, facts, identifiers, isFunction, kindOf, mentions, paramName, path, patternNames, propName, reportOnce, taint, unwrap, walk, words, type Facts, type Listener, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

/** Words of an authorization step: a call or a condition naming one of these. */
const AUTHZ = /authori[sz]|permi(t|ssion)|allowed|^can[A-Z_]|^can$|^may[A-Z_]|acl|polic|access|admin|role|member|owner|scope|subscri|isallowed/i;
/** Condition words that do not scope a broadcast (`client !== ws && client.readyState === WebSocket.OPEN`). */
const NOT_A_SCOPE = new Set(['readystate', 'open', 'websocket', 'ws', 'connecting', 'closing', 'closed', 'undefined', 'null', 'true', 'false']);
const RESERVED = new Set(['disconnect', 'disconnecting', 'error', 'connect', 'connect_error', 'close', 'pong', 'ping', 'open', 'upgrade', 'headers']);

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Broadcasting data derived from one client\'s message to every client (`wss.clients.forEach(c => c.send(data))`, `io.emit(…)`, `socket.broadcast.emit(…)`) without an authorization step lets any client write to everyone, and leaks what should be scoped to a room or user.',
      recommended: true,
      url: `${DOCS_BASE}no-unauthorized-broadcast.md`,
      severity: 'medium',
      checks: ['WSG-LEAK-03', 'WSG-AUTHZ-01'],
      cwe: 'CWE-862',
      fix: 'Fan out per authorised subscription: check that the sender may publish to the channel (and that each recipient is a member) before sending, e.g. `io.to(room).emit(…)` after a membership check, or a filter on the recipient\'s permissions.',
      details: 'In a `message` listener (ws) or a Socket.IO event listener on a connection\'s socket, follows names derived from the listener\'s parameters and reports a send of them to `<server>.clients` (in `forEach` or `for…of`), `io.emit` / `io.sockets.emit` / `io.of(ns).emit`, or `socket.broadcast.emit`. Not reported: a handler that calls something named like an authorization step (`authorize`, `canPublish`, `checkAccess`, `isMember`, `hasRole`, …) or tests such a word in a condition; a loop whose condition looks at more than `readyState` and the sender (`client.room === ws.room` scopes it); `io.to(room).emit` (scoped).',
      falsePositives: [
        'A public chat or presence feed where every client may see every message is reported: say so with a disable comment on that line.',
        'An authorization done before the handler (per-connection permissions checked at the upgrade) is not seen when the handler does not mention it.',
      ],
      limits: [
        'Data flow is followed by name inside the listener only; a broadcast in a helper function is not seen.',
      ],
      example: {
        bad: "ws.on('message', (data) => {\n  wss.clients.forEach((c) => c.send(data));\n});",
        good: "ws.on('message', (data) => {\n  const msg = Message.parse(JSON.parse(String(data)));\n  if (!canPublish(user, msg.room)) return ws.close(1008);\n  for (const c of rooms.get(msg.room) ?? []) c.send(JSON.stringify(msg));\n});",
      },
    },
    schema: [],
    messages: {
      broadcast: 'Message data from one client broadcast to every client without an authorization step: check the sender may publish here and scope recipients (room/channel membership).',
    },
  },
  create(context) {
    const report = reportOnce(context);
    return {
      'Program:exit'() {
        const f = facts(context);
        for (const l of handlers(f)) {
          const seeds = new Set<string>();
          for (const p of l.fn.params) patternNames(p as Node, seeds);
          const sender = l.target.type === 'Identifier' ? l.target.name : null;
          if (sender) seeds.delete(sender);
          const tainted = taint(l.fn as Node, seeds, f.keys);
          if (authorizes(l.fn.body as Node, f)) continue;
          walk(l.fn.body as Node, f.keys, (n) => {
            if (n.type === 'CallExpression') {
              const c = n as ESTree.CallExpression;
              const callee = unwrap(c.callee as Node);
              const p = path(callee) ?? '';
              // io.emit(ev, data), io.sockets.emit, io.of('/').emit, socket.broadcast.emit
              if (propName(callee) === 'emit' && callee?.type === 'MemberExpression') {
                const obj = (callee as ESTree.MemberExpression).object as Node;
                const everyone = kindOf(obj, f) === 'socketio-server' || p.endsWith('.broadcast.emit');
                if (everyone && c.arguments.slice(1).some((a) => mentions(a as Node, tainted, f.keys))) report({ node: c, messageId: 'broadcast' });
                return;
              }
              // X.clients.forEach((client) => client.send(data))
              if (/\.clients\.forEach$/.test(p)) {
                const cb = unwrap(c.arguments[0] as Node | undefined);
                if (isFunction(cb)) checkLoop(c, cb.body as Node, paramName(cb, 0), sender, tainted, f);
              }
            }
            if (n.type === 'ForOfStatement') {
              const s = n as ESTree.ForOfStatement;
              if (!/\.clients$/.test(path(s.right as Node) ?? '')) return;
              const names = s.left.type === 'VariableDeclaration' ? patternNames(s.left.declarations[0]?.id as Node) : new Set<string>();
              checkLoop(s, s.body as Node, [...names][0] ?? null, sender, tainted, f);
            }
            return undefined;
          });
        }
        function checkLoop(at: Node, body: Node, client: string | null, sender: string | null, tainted: Set<string>, facts_: Facts) {
          let sends = false;
          let scoped = false;
          walk(body, facts_.keys, (n) => {
            if (n.type === 'CallExpression' && calleeName((n as ESTree.CallExpression).callee as Node) === 'send' && (n as ESTree.CallExpression).arguments.some((a) => mentions(a as Node, tainted, facts_.keys))) sends = true;
            let test: Node | null = null;
            if (n.type === 'IfStatement' || n.type === 'ConditionalExpression') test = (n as ESTree.IfStatement).test as Node;
            if (n.type === 'LogicalExpression') test = (n as ESTree.LogicalExpression).left as Node;
            if (test) {
              const w = [...words(test, facts_.keys)].filter((x) => !NOT_A_SCOPE.has(x) && x !== client?.toLowerCase() && x !== sender?.toLowerCase());
              if (w.length) scoped = true;
            }
          });
          if (sends && !scoped) report({ node: at as ESTree.Node, messageId: 'broadcast' });
        }
      },
    };
  },
};

/** ws `message` listeners, and Socket.IO event listeners on a connection's socket. */
function handlers(f: Facts): Listener[] {
  const out = f.listeners.filter((l) => l.event === 'message' && l.call.type === 'CallExpression' && calleeName(l.call.callee as Node) !== 'addEventListener');
  for (const conn of f.listeners) {
    if (conn.event !== 'connection' || kindOf(conn.target as Node, f) !== 'socketio-server') continue;
    const sock = paramName(conn.fn, 0);
    for (const l of f.listeners) {
      if (l.target.type === 'Identifier' && l.target.name === sock && !RESERVED.has(l.event) && l.event !== 'message' && isInside(l.call as Node, conn.fn as Node)) out.push(l);
    }
  }
  return out;
}

function isInside(node: Node, fn: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === fn) return true;
  return false;
}

function authorizes(body: Node, f: Facts): boolean {
  let ok = false;
  walk(body, f.keys, (n) => {
    if (ok) return false;
    if (n.type === 'CallExpression' && AUTHZ.test(calleeName((n as ESTree.CallExpression).callee as Node) ?? '')) ok = true;
    if (n.type === 'IfStatement' || n.type === 'ConditionalExpression') {
      // Names only: `if (msg.type === 'subscribe')` dispatches, it does not authorise.
      if ([...identifiers((n as ESTree.IfStatement).test as Node, f.keys)].some((w) => AUTHZ.test(w))) ok = true;
    }
    return undefined;
  });
  return ok;
}
