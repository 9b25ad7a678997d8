/** `ws` servers without `maxPayload` (100 MiB default) or above a threshold; Socket.IO `maxHttpBufferSize` raised. */
import { facts, getProp, resolveObject, staticNumber, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

const MiB = 1024 * 1024;
/** Socket.IO's default maxHttpBufferSize. */
const SOCKETIO_DEFAULT = 1e6;

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A `ws` server without `maxPayload` accepts 100 MiB messages (its default); one above the threshold (1 MiB unless configured) or `0` is nearly as bad; a raised Socket.IO `maxHttpBufferSize` does the same.',
      recommended: true,
      url: `${DOCS_BASE}require-max-payload.md`,
      severity: 'medium',
      checks: ['WSG-LIMIT-01'],
      cwe: 'CWE-770',
      fix: 'Set `maxPayload` to what the application needs (wsguard uses 64 KiB); ws closes with 1009 above it, and the cap also bounds inflated (permessage-deflate) messages. Keep Socket.IO\'s `maxHttpBufferSize` at its 1 MB default or lower.',
      details: 'Reads the options object of `new WebSocketServer(...)` (or the `const` it names): reports a missing `maxPayload`, and a static value (`64 * 1024`, `1e6`, a `const`) above the `max` option (default 1 MiB) or equal to 0 (no limit). For Socket.IO servers, reports a static `maxHttpBufferSize` above 1e6.',
      falsePositives: [
        'A server that really must accept large messages (file upload over WebSocket) is reported: raise `max` for that file in the ESLint config, or stream uploads over HTTP.',
      ],
      limits: [
        'Options from a spread or a parameter, and non-static values (`config.maxPayload`), are not judged.',
      ],
      example: {
        bad: "const wss = new WebSocketServer({ server });",
        good: "const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });",
      },
    },
    schema: [{ type: 'object', properties: { max: { type: 'number', minimum: 1 } }, additionalProperties: false }],
    messages: {
      missing: 'WebSocket server without maxPayload: ws accepts messages up to 100 MiB by default. Set maxPayload (for example 64 * 1024).',
      tooHigh: 'maxPayload {{value}} is above {{max}} bytes{{zero}}: one client can make the server buffer that much per message.',
      socketio: 'maxHttpBufferSize raised to {{value}} bytes (default 1e6): one client can make the server buffer that much per message.',
    },
  },
  create(context) {
    const opt = (context.options[0] ?? {}) as { max?: number };
    const max = opt.max ?? MiB;
    return {
      'Program:exit'() {
        for (const c of facts(context).constructs) {
          if (c.kind === 'ws-server') {
            const opts = resolveObject(c.node.arguments[0] as Node | undefined, context);
            if (!opts) continue;
            const p = getProp(opts, 'maxPayload');
            if (p.state === 'missing') context.report({ node: c.node, messageId: 'missing' });
            if (p.state !== 'present') continue;
            const v = staticNumber(p.value, context);
            if (v !== null && (v > max || v === 0)) context.report({ node: p.property, messageId: 'tooHigh', data: { value: String(v), max: String(max), zero: v === 0 ? ' (0 means no limit)' : '' } });
          } else if (c.kind === 'socketio-server') {
            for (const a of c.node.arguments) {
              const opts = resolveObject(a as Node, context);
              const p = opts ? getProp(opts, 'maxHttpBufferSize') : null;
              if (p?.state !== 'present') continue;
              const v = staticNumber(p.value, context);
              if (v !== null && v > Math.max(SOCKETIO_DEFAULT, opt.max ?? 0)) context.report({ node: p.property, messageId: 'socketio', data: { value: String(v) } });
            }
          }
        }
      },
    };
  },
};
