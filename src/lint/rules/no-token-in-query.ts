/** Credentials read from (or put into) a WebSocket URL's query string. */
import type * as ESTree from 'estree';
import { ancestors, calleeName, facts, isFunction, path, propName, unwrap, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

/** Query parameter names that carry a reusable credential (single-use tickets are fine). */
const CRED_PARAM = /^(token|access_?token|accesstoken|id_?token|jwt|auth|authorization|bearer|api_?key|apikey|key|session|session_?id|sessionid|sid|password|passwd|secret)$/i;
const CRED_IN_URL = /[?&](token|access_?token|id_?token|jwt|auth|authorization|bearer|api_?key|apikey|key|session|session_?id|sid|password|passwd|secret)=/i;
const WS_MODULES = new Set(['ws', 'socket.io', 'engine.io', 'express-ws', '@fastify/websocket', 'uWebSockets.js', 'isomorphic-ws']);

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A token, API key or session id read from the WebSocket URL\'s query string (or put into one) ends up in proxy and server logs, browser history and Referer headers.',
      recommended: true,
      url: `${DOCS_BASE}no-token-in-query.md`,
      severity: 'medium',
      checks: ['WSG-AUTH-03'],
      cwe: 'CWE-598',
      fix: 'Send the credential in a header (non-browser clients), a cookie, a `Sec-WebSocket-Protocol` entry or the first message, or exchange it over HTTPS for a single-use short-lived ticket and put only the ticket in the URL.',
      details: 'Reports `url.searchParams.get(\'token\')` (any `.get` on something named `searchParams`/`params`/`query`), `….query.token` / `….query[\'token\']`, and `{ token } = ….query` in files that import a WebSocket server library (`ws`, `socket.io`, …) or inside an `upgrade` listener; `socket.handshake.query.token` anywhere; and a `new WebSocket(…)` / `io(…)` URL literal with `?token=`. Parameter names: token, access_token, id_token, jwt, auth, authorization, bearer, api_key/apikey, key, session, session_id, sid, password, secret. `ticket` is allowed on purpose.',
      falsePositives: [
        'An HTTP route (a password-reset or e-mail link) in a file that also runs a WebSocket server is reported: move it to its own module or disable the line.',
        'A parameter named `key` that is not a credential (a cache or channel key) is reported.',
      ],
      limits: [
        'Parameters are recognised by name; a credential under another name, or read through a helper in another module, is not seen.',
      ],
      example: {
        bad: "wss.on('connection', (ws, req) => {\n  const token = new URL(req.url, 'http://x').searchParams.get('token');\n});",
        good: "// POST /api/tickets (authenticated, over HTTPS) returns a single-use ticket:\nconst ticket = new URL(req.url, 'http://x').searchParams.get('ticket');\nconst user = await tickets.redeem(ticket); // once, within seconds",
      },
    },
    schema: [],
    messages: {
      read: 'Credential \'{{name}}\' read from the URL query string: URLs are logged and leak. Use a header, subprotocol, first message or a single-use ticket.',
      url: 'Credential in the WebSocket URL\'s query string: URLs are logged and leak. Use a subprotocol entry, the first message or a single-use ticket.',
    },
  },
  create(context) {
    const inWsContext = (node: Node): boolean => {
      const f = facts(context);
      if ([...f.modules].some((m) => WS_MODULES.has(m))) return true;
      return ancestors(node).some((a) => isFunction(a) && f.listeners.some((l) => l.fn === a && l.event === 'upgrade'));
    };
    const credName = (n: Node | undefined | null): string | null => {
      const u = unwrap(n);
      if (u?.type === 'Literal' && typeof (u as ESTree.Literal).value === 'string' && CRED_PARAM.test(String((u as ESTree.Literal).value))) return String((u as ESTree.Literal).value);
      return null;
    };
    return {
      CallExpression(node) {
        // x.searchParams.get('token'), params.get('token')
        if (calleeName(node.callee as Node) !== 'get' || node.callee.type !== 'MemberExpression') return;
        const name = credName(node.arguments[0] as Node | undefined);
        const recv = path(node.callee.object as Node) ?? calleeName(node.callee.object as Node) ?? '';
        if (name && /(searchparams|params|query)$/i.test(recv) && (/handshake\.query$/.test(recv) || inWsContext(node as Node))) context.report({ node, messageId: 'read', data: { name } });
      },
      MemberExpression(node) {
        const name = propName(node as Node);
        if (!name || !CRED_PARAM.test(name)) return;
        const obj = unwrap(node.object as Node);
        if (propName(obj) !== 'query') return;
        const p = path(obj) ?? '';
        if (p.endsWith('handshake.query') || inWsContext(node as Node)) context.report({ node, messageId: 'read', data: { name } });
      },
      VariableDeclarator(node) {
        // const { token } = req.query / socket.handshake.query
        if (node.id.type !== 'ObjectPattern' || !node.init || propName(node.init as Node) !== 'query') return;
        const p = path(node.init as Node) ?? '';
        if (!p.endsWith('handshake.query') && !inWsContext(node as Node)) return;
        for (const prop of node.id.properties) {
          if (prop.type === 'Property' && prop.key.type === 'Identifier' && CRED_PARAM.test(prop.key.name)) context.report({ node: prop, messageId: 'read', data: { name: prop.key.name } });
        }
      },
      'Program:exit'() {
        for (const c of facts(context).constructs) {
          if (c.kind !== 'browser-websocket' && c.kind !== 'ws-client' && c.kind !== 'socketio-client') continue;
          const arg = unwrap(c.node.arguments[0] as Node | undefined);
          let text = '';
          if (arg?.type === 'Literal' && typeof (arg as ESTree.Literal).value === 'string') text = String((arg as ESTree.Literal).value);
          else if (arg?.type === 'TemplateLiteral') text = (arg as ESTree.TemplateLiteral).quasis.map((q) => q.value.cooked ?? '').join('${}');
          else if (arg?.type === 'BinaryExpression') text = context.sourceCode.getText(arg as ESTree.Node);
          if (CRED_IN_URL.test(text)) context.report({ node: c.node, messageId: 'url' });
        }
      },
    };
  },
};
