/** A `ws` server that never pings: dead peers and idle sockets are never noticed. */
import type * as ESTree from 'estree';
import { calleeName, facts, walk, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A `ws` server in a file that never calls `.ping()` (and names no heartbeat/keep-alive helper) keeps half-open and idle connections forever: each holds memory and a file descriptor.',
      recommended: true,
      url: `${DOCS_BASE}require-heartbeat.md`,
      severity: 'low',
      checks: ['WSG-SESSION-03'],
      cwe: 'CWE-400',
      fix: 'Ping every ~25 s and `terminate()` sockets that did not answer the previous ping (track `pong`), and close sockets idle longer than the application needs.',
      details: 'Reports `new WebSocketServer(...)` when the file has no `.ping(` call and no identifier or call named like `heartbeat` / `keepAlive`. Socket.IO servers are not reported: Engine.IO pings by itself.',
      falsePositives: [
        'A heartbeat implemented in another module and not named like one (`setupTimers(wss)`) is not seen: name the helper `startHeartbeat` or disable the line.',
      ],
      limits: [
        'Whether the heartbeat terminates peers that do not answer is not checked; `wsguard audit` tests it (WSG-SESSION-03).',
      ],
      example: {
        bad: "const wss = new WebSocketServer({ server, maxPayload: 65536 });",
        good: "const wss = new WebSocketServer({ server, maxPayload: 65536 });\nconst alive = new WeakSet();\nwss.on('connection', (ws) => { alive.add(ws); ws.on('pong', () => alive.add(ws)); });\nsetInterval(() => {\n  for (const ws of wss.clients) {\n    if (!alive.delete(ws)) ws.terminate();\n    else ws.ping();\n  }\n}, 25_000).unref();",
      },
    },
    schema: [],
    messages: {
      none: 'WebSocket server without a heartbeat: nothing in this file pings clients, so dead and idle connections are never closed.',
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        const f = facts(context);
        const servers = f.constructs.filter((c) => c.kind === 'ws-server');
        if (!servers.length) return;
        let beats = false;
        walk(context.sourceCode.ast as unknown as Node, f.keys, (n) => {
          if (beats) return false;
          if (n.type === 'CallExpression' && calleeName((n as ESTree.CallExpression).callee as Node) === 'ping') beats = true;
          if (n.type === 'Identifier' && /heart_?beat|keep_?alive/i.test((n as ESTree.Identifier).name)) beats = true;
          return undefined;
        });
        if (!beats) for (const s of servers) context.report({ node: s.node, messageId: 'none' });
      },
    };
  },
};
