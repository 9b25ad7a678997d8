/** A `ws` socket without an `'error'` listener: the first socket error throws and ends the process. */
import type * as ESTree from 'estree';
import { calleeName, chainRoot, facts, isFunction, kindOf, paramName, path, propName, unwrap, walk, type Facts, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A `ws` socket (server-side connection or Node client) without an `\'error\'` listener: ws emits `error` for invalid frames, oversized messages and network failures, and an unhandled `error` event throws and crashes the process.',
      recommended: true,
      url: `${DOCS_BASE}require-error-listener.md`,
      severity: 'medium',
      checks: ['WSG-INPUT-03', 'WSG-LIMIT-02'],
      cwe: 'CWE-248',
      fix: 'Add `ws.on(\'error\', …)` as the first thing in the connection handler (log at debug level; ws closes the socket itself), and on every Node client socket.',
      details: 'For each `connection` listener of a `ws` server, reports the socket parameter when the handler never calls `.on/.once/.addListener/.addEventListener(\'error\', …)` on it (directly or at the end of a chain: `ws.on(\'message\', f).on(\'error\', g)`, since ws returns the socket) or assigns `onerror`. For `new WebSocket(…)` from `ws` stored in a variable, reports it when no `error` listener is attached to that name in the file. A socket passed to a function (`track(ws)`, `this.accept(ws)`, `new Session(ws)`) is assumed to get its listener there.',
      falsePositives: [
        'A listener attached through an alias (`const s = ws; s.on(\'error\', …)`) is not recognised.',
      ],
      limits: [
        'Browser WebSocket objects are not checked (an unhandled error there does not crash anything).',
        'Socket.IO sockets are not checked (Socket.IO handles transport errors itself).',
        'A `connection` listener on a server created in another module is not checked: the rule cannot tell a `ws` server from a `net` one.',
      ],
      example: {
        bad: "wss.on('connection', (ws) => {\n  ws.on('message', (data) => handle(data));\n});",
        good: "wss.on('connection', (ws) => {\n  ws.on('error', (err) => log.debug({ err }, 'socket error'));\n  ws.on('message', (data) => handle(data));\n});",
      },
    },
    schema: [],
    messages: {
      connection: 'Socket \'{{name}}\' has no \'error\' listener: an invalid frame or oversized message then throws and crashes the process. Add {{name}}.on(\'error\', …).',
      client: 'WebSocket client \'{{name}}\' has no \'error\' listener: a refused connection then crashes the process. Add {{name}}.on(\'error\', …).',
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const f = facts(context);
        const connections = f.listeners.filter((l) => l.event === 'connection' && l.call.type === 'CallExpression' && kindOf(l.target as Node, f) === 'ws-server');
        // Several connection listeners on one server: one of them attaching the error listener is enough.
        const handledServers = new Set(connections.filter((l) => paramName(l.fn, 0) && handled(l.fn.body as Node, paramName(l.fn, 0)!, f)).map((l) => path(l.target as Node)));
        for (const l of connections) {
          const name = paramName(l.fn, 0);
          if (!name || handledServers.has(path(l.target as Node))) continue;
          context.report({ node: l.fn.params[0] as ESTree.Node, messageId: 'connection', data: { name } });
        }
        for (const c of f.constructs) {
          if (c.kind !== 'ws-client' || !c.name) continue;
          if (!handled(context.sourceCode.ast as unknown as Node, c.name, f)) context.report({ node: c.node, messageId: 'client', data: { name: c.name } });
        }
      },
    };
  },
};

/** True when `name` gets an error listener in `scope`, or escapes to code we cannot see. */
function handled(scope: Node, name: string, f: Facts): boolean {
  const isName = (n: Node | null | undefined) => {
    const u = chainRoot(n); // ws.on('message', f).on('error', g): `.on` returns the socket
    if (!u) return false;
    if (u.type === 'Identifier') return (u as ESTree.Identifier).name === name;
    // this.ws, self.ws
    return u.type === 'MemberExpression' && propName(u) === name;
  };
  let ok = false;
  walk(scope, f.keys, (n) => {
    if (ok) return false;
    if (n.type === 'CallExpression' || n.type === 'NewExpression') {
      const c = n as ESTree.CallExpression;
      const callee = unwrap(c.callee as Node);
      const method = calleeName(callee);
      if (callee?.type === 'MemberExpression' && isName((callee as ESTree.MemberExpression).object as Node)) {
        const ev = c.arguments[0];
        if (['on', 'once', 'addListener', 'prependListener', 'addEventListener'].includes(method ?? '') && ev?.type === 'Literal' && ev.value === 'error') ok = true;
        return;
      }
      // Passed to a function or constructor (not a collection method): it may attach the listener there.
      const plainCall = n.type === 'NewExpression' || callee?.type === 'Identifier' || (callee?.type === 'MemberExpression' && (callee as ESTree.MemberExpression).object.type === 'ThisExpression');
      if (plainCall && c.arguments.some((a) => isName(a as Node))) ok = true;
      if (c.arguments.some((a) => isFunction(a as Node))) return; // keep walking into callbacks
    }
    if (n.type === 'AssignmentExpression') {
      const a = n as ESTree.AssignmentExpression;
      if (propName(a.left as Node) === 'onerror' && a.left.type === 'MemberExpression' && isName(a.left.object as Node)) ok = true;
    }
    if (n.type === 'ReturnStatement' && isName((n as ESTree.ReturnStatement).argument as Node)) ok = true; // handed to the caller
    return undefined;
  });
  return ok;
}
