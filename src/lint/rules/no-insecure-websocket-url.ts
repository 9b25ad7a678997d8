/** A client connecting over plaintext `ws://` (or Socket.IO over `http://`) to a non-loopback host. */
import type * as ESTree from 'estree';
import { constInit, facts, LOOPBACK, unwrap, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: '`new WebSocket(\'ws://…\')` (or a Socket.IO client on `http://…`) to a host that is not loopback sends every message, cookie and token in cleartext.',
      recommended: true,
      url: `${DOCS_BASE}no-insecure-websocket-url.md`,
      severity: 'medium',
      checks: ['WSG-TLS-01'],
      cwe: 'CWE-319',
      fix: 'Use `wss://` (`https://` for Socket.IO), or derive the scheme from the page: `` `${location.protocol === \'https:\' ? \'wss\' : \'ws\'}://${location.host}/ws` ``.',
      details: 'Reports the URL argument of `new WebSocket(…)` (browser or `ws`), and of `io(…)` from `socket.io-client`, when it is a string literal, a template literal, a concatenation or a `const` of one whose static prefix is `ws://host` (`http://host` for Socket.IO) and the host is known and is not `localhost`, `*.localhost`, `127.x.x.x` or `[::1]`.',
      falsePositives: [
        'A plaintext URL to a private-network host inside a trusted network (a sidecar on a pod IP) is reported; prefer TLS there too, or disable the line and say why.',
      ],
      limits: [
        'URLs built at run time (`ws://${host}`) are not judged: the host is unknown.',
      ],
      example: {
        bad: "const ws = new WebSocket('ws://api.example.com/feed');",
        good: "const ws = new WebSocket('wss://api.example.com/feed');",
      },
    },
    schema: [],
    messages: {
      plaintext: 'Plaintext {{scheme}}:// connection to {{host}}: messages, cookies and tokens travel in cleartext. Use {{secure}}://.',
    },
  },
  create(context) {
    /** The static prefix of a string-ish expression; `whole` when nothing follows it. */
    function prefix(n: Node | null | undefined, depth = 0): { text: string; whole: boolean } | null {
      const u = unwrap(n);
      if (!u || depth > 4) return null;
      if (u.type === 'Literal' && typeof (u as ESTree.Literal).value === 'string') return { text: String((u as ESTree.Literal).value), whole: true };
      if (u.type === 'TemplateLiteral') {
        const t = u as ESTree.TemplateLiteral;
        return { text: t.quasis[0]?.value.cooked ?? '', whole: t.expressions.length === 0 };
      }
      if (u.type === 'BinaryExpression' && (u as ESTree.BinaryExpression).operator === '+') {
        const left = prefix((u as ESTree.BinaryExpression).left as Node, depth + 1);
        return left && { text: left.text, whole: false };
      }
      if (u.type === 'Identifier') {
        const init = constInit(u as ESTree.Identifier, context);
        return init && init !== u ? prefix(init, depth + 1) : null;
      }
      return null;
    }
    return {
      'Program:exit'() {
        for (const c of facts(context).constructs) {
          if (c.kind !== 'browser-websocket' && c.kind !== 'ws-client' && c.kind !== 'socketio-client') continue;
          const p = prefix(c.node.arguments[0] as Node | undefined);
          if (!p) continue;
          const schemes = c.kind === 'socketio-client' ? ['ws', 'http'] : ['ws'];
          // The host must be followed by something that ends it (port, path, query, end of string).
          const m = /^([a-z]+):\/\/(\[[^\]]*\]|[^/:?#]+)([/:?#]|$)/i.exec(p.text);
          if (m && m[3] === '' && !p.whole) continue;
          if (!m || !schemes.includes(m[1]!.toLowerCase())) continue;
          const host = m[2]!;
          if (LOOPBACK.test(host)) continue;
          const scheme = m[1]!.toLowerCase();
          context.report({ node: c.node.arguments[0] as ESTree.Node, messageId: 'plaintext', data: { scheme, host, secure: scheme === 'http' ? 'https' : 'wss' } });
        }
      },
    };
  },
};
