/** Credentials read from (or put into) a WebSocket URL's query string. */
import type * as ESTree from 'estree';
import { ancestors, calleeName, facts, isFunction, path, propName, unwrap, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

/** Query parameter names that carry a reusable credential (single-use tickets are fine). */
const CRED_PARAM = /^(token|access_?token|accesstoken|id_?token|jwt|auth|authorization|bearer|api_?key|apikey|session|session_?id|sessionid|sid|password|passwd|secret)$/i;
/** A bare `key` is a credential only where a socket is being authenticated (it is as often a cache or storage key). */
const BARE_KEY = /^key$/i;
/** `app.get('/path', (req, res) => …)`: an HTTP route, not a WebSocket handshake. */
const HTTP_ROUTE = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
const CRED_IN_URL = /[?&](token|access_?token|id_?token|jwt|auth|authorization|bearer|api_?key|apikey|key|session|session_?id|sid|password|passwd|secret)=/i;
function propKey(p: ESTree.Property): string | null {
  return !p.computed && p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' ? String(p.key.value) : null;
}
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
      details: 'Reports `url.searchParams.get(\'token\')` (any `.get` on something named `searchParams`/`params`/`query`), `….query.token` / `….query[\'token\']`, and `{ token } = ….query` inside an `upgrade` or `connection` listener or a `verifyClient`/`allowRequest` hook, or elsewhere in files that import a WebSocket server library (`ws`, `socket.io`, …) except inside an HTTP route callback (`app.get(\'/path\', (req, res) => …)`); `socket.handshake.query.token` anywhere; and a `new WebSocket(…)` / `io(…)` URL literal with `?token=`. Parameter names: token, access_token, id_token, jwt, auth, authorization, bearer, api_key/apikey, session, session_id, sid, password, secret; a bare `key` only in a handshake query or inside those listeners and hooks (elsewhere it is as often a cache or storage key). `ticket` is allowed on purpose.',
      falsePositives: [
        'An HTTP handler in a file that also runs a WebSocket server, written other than as `x.get/post/…(\'/path\', (req, res) => …)` with a literal or template path (a named function passed to the router, `router.route(…)`), is treated as WebSocket code: move it to its own module or disable the line.',
        'A parameter named `key` that is not a credential (a cache or channel key) is reported when read inside an upgrade/connection listener or a verifyClient hook.',
      ],
      limits: [
        'Parameters are recognised by name; a credential under another name, or read through a helper in another module, is not seen.',
        'A bare `key` read outside an upgrade/connection listener or verifyClient hook (a helper the upgrade handler calls) is not reported.',
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
    /** Inside an upgrade / connection listener, or a verifyClient / allowRequest hook: a socket is being accepted here. */
    const inSocketHandler = (node: Node): boolean => {
      const f = facts(context);
      return ancestors(node).some((a) => {
        if (!isFunction(a)) return false;
        if (f.listeners.some((l) => l.fn === a && (l.event === 'upgrade' || l.event === 'connection'))) return true;
        const p = a.parent;
        return p?.type === 'Property' && (p as ESTree.Property).value === a && ['verifyClient', 'allowRequest'].includes(propKey(p as ESTree.Property) ?? '');
      });
    };
    /** The callback of `app.get('/path', (req, res) => …)` (Express, Koa router `(ctx) => …`, Fastify shorthand…). */
    const inHttpRoute = (node: Node): boolean => ancestors(node).some((a) => {
      if (!isFunction(a) || a.params.length < 1 || a.parent?.type !== 'CallExpression') return false;
      const call = a.parent as ESTree.CallExpression;
      const route = unwrap(call.arguments[0] as Node | undefined);
      const isPath = (route?.type === 'Literal' && /^[/*]/.test(String((route as ESTree.Literal).value))) || route?.type === 'TemplateLiteral';
      return isPath && call.arguments.includes(a as ESTree.FunctionExpression) && HTTP_ROUTE.has(calleeName(call.callee as Node) ?? '') && call.callee.type === 'MemberExpression';
    });
    const inWsContext = (node: Node): boolean => {
      const f = facts(context);
      if (inSocketHandler(node)) return true;
      if (inHttpRoute(node)) return false;
      return [...f.modules].some((m) => WS_MODULES.has(m));
    };
    const isCred = (name: string, node: Node, handshake: boolean): boolean => CRED_PARAM.test(name) || (BARE_KEY.test(name) && (handshake || inSocketHandler(node)));
    const credName = (n: Node | undefined | null, at: Node, handshake: boolean): string | null => {
      const u = unwrap(n);
      if (u?.type === 'Literal' && typeof (u as ESTree.Literal).value === 'string' && isCred(String((u as ESTree.Literal).value), at, handshake)) return String((u as ESTree.Literal).value);
      return null;
    };
    return {
      CallExpression(node) {
        // x.searchParams.get('token'), params.get('token')
        if (calleeName(node.callee as Node) !== 'get' || node.callee.type !== 'MemberExpression') return;
        const recv = path(node.callee.object as Node) ?? calleeName(node.callee.object as Node) ?? '';
        const handshake = /handshake\.query$/.test(recv);
        const name = credName(node.arguments[0] as Node | undefined, node as Node, handshake);
        if (name && /(searchparams|params|query)$/i.test(recv) && (handshake || inWsContext(node as Node))) context.report({ node, messageId: 'read', data: { name } });
      },
      MemberExpression(node) {
        const name = propName(node as Node);
        const obj = unwrap(node.object as Node);
        if (!name || propName(obj) !== 'query') return;
        const handshake = (path(obj) ?? '').endsWith('handshake.query');
        if (!isCred(name, node as Node, handshake)) return;
        if (handshake || inWsContext(node as Node)) context.report({ node, messageId: 'read', data: { name } });
      },
      VariableDeclarator(node) {
        // const { token } = req.query / socket.handshake.query
        if (node.id.type !== 'ObjectPattern' || !node.init || propName(node.init as Node) !== 'query') return;
        const handshake = (path(node.init as Node) ?? '').endsWith('handshake.query');
        if (!handshake && !inWsContext(node as Node)) return;
        for (const prop of node.id.properties) {
          if (prop.type === 'Property' && prop.key.type === 'Identifier' && isCred(prop.key.name, node as Node, handshake)) context.report({ node: prop, messageId: 'read', data: { name: prop.key.name } });
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
