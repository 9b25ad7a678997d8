/** A `ws` or Socket.IO server that never checks the Origin header before the upgrade (CSWSH). */
import type * as ESTree from 'estree';
import { facts, getProp, kindOf, propName, reads, resolveFunction, resolveObject, staticBool, unwrap, type Construct, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A `ws` server without an Origin check before the upgrade, or a Socket.IO server without `allowRequest`, accepts cross-site WebSocket hijacking.',
      recommended: true,
      url: `${DOCS_BASE}require-origin-check.md`,
      severity: 'high',
      checks: ['WSG-ORIGIN-01', 'WSG-ORIGIN-06'],
      cwe: 'CWE-1385',
      fix: 'Check the Origin header against an exact allowlist before answering 101: `verifyClient` (ws), a `noServer` upgrade handler that reads `req.headers.origin` and answers 403, or `allowRequest` (Socket.IO; its `cors` option does not cover the WebSocket transport).',
      details: 'Reports `new WebSocketServer({...})` (also `WebSocket.Server`, `require(\'ws\').Server`) whose options have no `verifyClient` (or a `verifyClient` function in the file that never reads an origin), unless they set `noServer: true`: then each `upgrade` listener in the file that calls `handleUpgrade` (itself or through a local function) must read an origin, and none in the file means it lives elsewhere (not judged). Reports a Socket.IO server (`new Server(http, {...})`, `require(\'socket.io\')(http)`) whose options have no `allowRequest`, or an `allowRequest` function in the file that never reads an origin (`(req, cb) => cb(null, true)`), unless an `io.use(...)` middleware in the file reads an origin or `transports` is a literal list without `websocket` (polling only, where `cors` is the check).',
      falsePositives: [
        'An origin check done by a reverse proxy or in another module is not seen: disable the rule for that line with a comment that says where the check is.',
        'A `verifyClient` that authenticates with a header token only (no cookie) is reported although cross-site pages cannot send that header; the auditor rates the same case medium (WSG-ORIGIN-01). Checking the origin there too costs one line.',
      ],
      limits: [
        'Options built by a spread (`{ ...base }`) or passed in from elsewhere are not followed: the rule stays silent.',
        'A `noServer` server whose `upgrade` listener lives in another file is not reported.',
        'Whether the check is correct (exact match, no substring) is not judged; `wsguard audit` tests that (WSG-ORIGIN-04).',
      ],
      example: {
        bad: "const wss = new WebSocketServer({ server, maxPayload: 65536 });",
        good: "const ALLOWED = new Set(['https://app.example']);\nconst wss = new WebSocketServer({\n  server,\n  maxPayload: 65536,\n  verifyClient: ({ origin }) => ALLOWED.has(origin),\n});",
      },
    },
    schema: [],
    messages: {
      ws: 'WebSocket server without an Origin check: add verifyClient (or check req.headers.origin in a noServer upgrade handler) to prevent cross-site WebSocket hijacking.',
      verifyClientNoOrigin: 'verifyClient never reads the Origin: a page on any site can open this socket with the user\'s cookies. Check info.origin against an allowlist here too.',
      noServerUpgrade: 'This upgrade handler calls handleUpgrade without reading the Origin header: check it against an allowlist and answer 403 first.',
      allowRequestNoOrigin: 'allowRequest never reads the Origin header: a page on any site can open this socket. Check req.headers.origin against an allowlist here.',
      socketio: 'Socket.IO server without allowRequest: its cors option does not restrict the WebSocket transport, so check the Origin in allowRequest.',
    },
  },
  create(context) {
    const ORIGIN = /origin/i;
    const reported = new Set<Node>();
    function checkWs(c: Construct) {
      const opts = resolveObject(c.node.arguments[0] as Node | undefined, context);
      if (!opts) return;
      const verify = getProp(opts, 'verifyClient');
      if (verify.state === 'present') {
        // A verifyClient we can read that never looks at the origin authenticates but does not stop CSWSH.
        const fn = resolveFunction(verify.value, facts(context));
        if (fn && !reads(fn, ORIGIN, facts(context))) context.report({ node: verify.property, messageId: 'verifyClientNoOrigin' });
        return;
      }
      if (verify.state === 'unknown') return;
      const noServer = getProp(opts, 'noServer');
      if (noServer.state === 'unknown') return;
      if (noServer.state === 'present' && staticBool(noServer.value, context) !== false) {
        const f = facts(context);
        // Upgrade listeners that hand sockets to ws; none here means the listener is elsewhere: nothing to judge.
        const upgrades = f.listeners.filter((l) => l.event === 'upgrade' && l.call.type === 'CallExpression' && reads(l.fn, /^handleupgrade$/, f));
        for (const l of upgrades) {
          if (reported.has(l.call) || reads(l.fn, ORIGIN, f)) continue;
          reported.add(l.call); // one report per listener, however many servers it serves
          context.report({ node: l.call, messageId: 'noServerUpgrade' });
        }
        return;
      }
      context.report({ node: c.node, messageId: 'ws' });
    }
    function checkSocketIo(c: Construct) {
      const args = c.node.arguments as Node[];
      const last = args.at(-1);
      let opts: ESTree.ObjectExpression | null = null;
      if (last) {
        opts = resolveObject(last, context);
        const u = unwrap(last);
        // A second argument we cannot see is unknown; a lone http server / port is "no options".
        if (!opts && args.length >= 2 && u?.type !== 'Literal') return;
      }
      const allow = opts ? getProp(opts, 'allowRequest') : ({ state: 'missing' } as const);
      if (allow.state === 'unknown') return;
      if (opts && pollingOnly(opts)) return; // no WebSocket transport: CORS is the origin check
      if (hasOriginMiddleware()) return;
      if (allow.state === 'present') {
        // An allowRequest we can read that never looks at the origin (`(req, cb) => cb(null, true)`) stops nothing.
        const f = facts(context);
        const fn = resolveFunction(allow.value, f);
        if (fn && !reads(fn, ORIGIN, f)) context.report({ node: allow.property, messageId: 'allowRequestNoOrigin' });
        return;
      }
      context.report({ node: c.node, messageId: 'socketio' });
    }
    function pollingOnly(opts: ESTree.ObjectExpression): boolean {
      const t = getProp(opts, 'transports');
      if (t.state !== 'present') return false;
      const arr = unwrap(t.value);
      if (arr?.type !== 'ArrayExpression') return false;
      return (arr as ESTree.ArrayExpression).elements.every((e) => e?.type === 'Literal' && e.value !== 'websocket' && e.value !== 'webtransport');
    }
    function hasOriginMiddleware(): boolean {
      const f = facts(context);
      let found = false;
      for (const n of USE_CALLS) {
        const callee = unwrap(n.callee as Node) as ESTree.MemberExpression;
        if (kindOf(callee.object as Node, f) !== 'socketio-server') continue;
        const fn = resolveFunction(n.arguments[0] as Node | undefined, f);
        if (fn && reads(fn, ORIGIN, f)) found = true;
      }
      return found;
    }
    const USE_CALLS: ESTree.CallExpression[] = [];
    return {
      CallExpression(node) {
        if (propName(node.callee as Node) === 'use' && node.callee.type === 'MemberExpression') USE_CALLS.push(node);
      },
      'Program:exit'() {
        for (const c of facts(context).constructs) {
          if (c.kind === 'ws-server') checkWs(c);
          else if (c.kind === 'socketio-server') checkSocketIo(c);
        }
      },
    };
  },
};
