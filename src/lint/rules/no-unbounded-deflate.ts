/** `perMessageDeflate: true`, or compression that keeps a context per connection. */
import { facts, getProp, resolveObject, staticBool, unwrap, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: '`perMessageDeflate: true` (or an options object without `serverNoContextTakeover` or `serverMaxWindowBits`) keeps zlib contexts per connection: memory for every socket, decompression work for every message, and compression-oracle leaks (CRIME-style) when secrets and attacker data share a socket.',
      recommended: true,
      url: `${DOCS_BASE}no-unbounded-deflate.md`,
      severity: 'medium',
      checks: ['WSG-LIMIT-04', 'WSG-PROTO-08'],
      cwe: 'CWE-409',
      fix: 'Leave `perMessageDeflate` off (ws\'s server default). If bandwidth needs it, pass an object with `serverNoContextTakeover: true` (or a small `serverMaxWindowBits`), a `threshold`, a `concurrencyLimit`, and keep `maxPayload` set: ws applies it to the inflated size.',
      details: 'On `ws` servers and Socket.IO servers, reports `perMessageDeflate: true` (or a `const` that is `true`), and on `ws` servers an options object that sets neither `serverNoContextTakeover: true` nor `serverMaxWindowBits`.',
      falsePositives: [
        'A server that only sends public data and has measured the memory cost may keep context takeover on deliberately: disable the rule for that line and say so.',
      ],
      limits: [
        '`ws` clients (which offer compression by default) are not checked.',
        'The missing message cap that makes a decompression bomb dangerous is reported by require-max-payload.',
      ],
      example: {
        bad: "new WebSocketServer({ server, maxPayload: 65536, perMessageDeflate: true });",
        good: "new WebSocketServer({\n  server,\n  maxPayload: 65536,\n  perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 1024, concurrencyLimit: 10 },\n});",
      },
    },
    schema: [],
    messages: {
      enabled: 'perMessageDeflate: true keeps compression contexts for every connection: leave it off, or pass limits (serverNoContextTakeover, threshold, concurrencyLimit).',
      takeover: 'permessage-deflate with context takeover: set serverNoContextTakeover: true (or a small serverMaxWindowBits) to bound memory per socket and avoid compression-oracle leaks.',
    },
  },
  create(context) {
    return {
      'Program:exit'() {
        for (const c of facts(context).constructs) {
          if (c.kind !== 'ws-server' && c.kind !== 'socketio-server') continue;
          for (const a of c.kind === 'ws-server' ? c.node.arguments.slice(0, 1) : c.node.arguments) {
            const opts = resolveObject(a as Node, context);
            if (!opts) continue;
            const p = getProp(opts, 'perMessageDeflate');
            if (p.state !== 'present') continue;
            if (staticBool(p.value, context) === true) {
              context.report({ node: p.property, messageId: 'enabled' });
              continue;
            }
            const obj = c.kind === 'ws-server' ? resolveObject(unwrap(p.value), context) : null;
            if (!obj) continue;
            const noTakeover = getProp(obj, 'serverNoContextTakeover');
            const bits = getProp(obj, 'serverMaxWindowBits');
            if (noTakeover.state === 'unknown' || bits.state !== 'missing') continue;
            if (noTakeover.state === 'present' && staticBool(noTakeover.value, context) !== false) continue;
            context.report({ node: p.property, messageId: 'takeover' });
          }
        }
      },
    };
  },
};
