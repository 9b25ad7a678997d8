/** Verify/auth functions that do not verify: `!!token`, `token.length > 0`, a constant, no verifier call. */
import type * as ESTree from 'estree';
import { calleeName, CREDENTIAL, facts, getProp, isFunction, kindOf, paramName, path, propName, resolveFunction, resolveObject, unwrap, walk, type Fn, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';



const AUTH_FN = /^(verify|authenticate|authorize|auth|check|validate|is)([A-Z_]\w*)?$/;
const AUTH_FN_TOPIC = /auth|token|cred|jwt|session|login|key|client|user|bearer/i;
/** Calls that read or reshape a credential without checking it. */
const NOT_A_VERIFIER = new Set([
  'Boolean', 'String', 'Number', 'parseInt', 'toString', 'trim', 'startsWith', 'endsWith', 'includes', 'indexOf', 'split', 'slice',
  'substring', 'substr', 'replace', 'toLowerCase', 'toUpperCase', 'parse', 'URL', 'URLSearchParams', 'Error', 'log', 'warn', 'info', 'debug',
  'error', 'trace', 'match', 'test', 'exec', 'at', 'push', 'emit', 'end', 'writeHead', 'setHeader', 'destroy', 'write', 'from',
]);
/** Modules whose presence makes a file WebSocket or authentication code. */
const AUTH_CONTEXT = /^(ws|socket\.io|engine\.io|express-ws|@fastify\/websocket|uWebSockets\.js|jsonwebtoken|jose|passport.*|express-session|cookie-session|@fastify\/(jwt|session|cookie)|node:http|node:https|http|https|express|fastify|koa|hapi|@hapi\/.*)$/;
const QUERYISH = /(searchparams|headers|query|params|cookies|url)$/i;

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A verify/auth function whose result is `!!token`, `Boolean(token)`, `token.length > 0`, a comparison with a constant, or that never calls a verifier accepts any (or a hard-coded) credential.',
      recommended: true,
      url: `${DOCS_BASE}no-trivial-credential-check.md`,
      severity: 'high',
      checks: ['WSG-AUTH-02', 'WSG-AUTH-01'],
      cwe: 'CWE-287',
      fix: 'Verify the credential: check a JWT signature with a pinned algorithm and its exp/aud (jose), look a session or ticket up in its store, or compare a secret with `crypto.timingSafeEqual` against a value loaded from configuration, never a literal.',
      details: 'Looks at `verifyClient` and `allowRequest` functions, Socket.IO `io.use()` middleware, and, in files that construct a WebSocket server or client or import a server, WebSocket or auth library (`ws`, `socket.io`, `http`, `express`, `jose`, `jsonwebtoken`, `passport`…), functions named like `verifyToken`, `authenticate`, `checkAuth`, `isAuthorized`. Reports a decision (a `return` value, an arrow body, the argument of the `done`/`cb`/`callback`/`next` callback) that is only a presence test of a credential-named value (`!!token`, `Boolean(token)`, `token`, `token.length > 0`, `token !== undefined`, `typeof token === \'string\'`) or its comparison with a literal; any condition comparing a credential with a literal of 4 or more characters; a function that reads a credential but calls nothing that could verify it (only string helpers, parsers, loggers and its own callback); and a string literal passed as the key to `verify`/`jwtVerify`/`sign` in such a function.',
      falsePositives: [
        'A function that only pre-filters (presence) and leaves verification to a later stage that the rule cannot see is reported: name it for what it does (for example `hasTokenHeader`) or verify in it.',
        'Comparing with a constant that is a public, non-secret value (a feature flag named like a token) is reported.',
      ],
      limits: [
        'A verifier-named function in a module that imports none of those libraries (an auth helper split into its own file with no imports) is not checked, so that lexers\' `isToken(node)` are not reported.',
        'Credentials are recognised by name (token, jwt, authorization, api key, session id, password, secret, cookie, bearer, credential); a credential in a variable named otherwise is not seen.',
        'Whether a called verifier is itself sound (algorithms, expiry) is not judged; `wsguard audit` tests forged and expired tokens (WSG-AUTH-02).',
      ],
      example: {
        bad: "const wss = new WebSocketServer({\n  server,\n  verifyClient: ({ req }) => !!req.headers.authorization,\n});",
        good: "const wss = new WebSocketServer({\n  server,\n  verifyClient: ({ req }, done) => {\n    jwtVerify(bearer(req.headers.authorization), key, { algorithms: ['ES256'] })\n      .then(() => done(true), () => done(false, 401));\n  },\n});",
      },
    },
    schema: [],
    messages: {
      trivial: 'This credential check accepts any value that is present: verify the credential (signature, store lookup, timingSafeEqual), do not just test it.',
      constant: 'Credential compared with a constant: a hard-coded secret. Load it from configuration and compare with crypto.timingSafeEqual, or verify a signed token.',
      noVerifier: 'This {{what}} reads a credential but never calls anything that could verify it.',
      hardcodedKey: 'Verification key or secret hard-coded in the source: anyone who reads the code can mint valid tokens. Load it from configuration or a key store.',
    },
  },
  create(context) {
    const f = () => facts(context);
    /** Is the value itself credential-named (`token`, `req.headers.authorization`), not a property of one (`token.type`)? */
    const isCred = (n: Node): boolean => {
      const u = unwrap(n);
      if (!u) return false;
      if (u.type === 'UnaryExpression') return isCred((u as ESTree.UnaryExpression).argument as Node);
      if (u.type === 'CallExpression') {
        const c = u as ESTree.CallExpression;
        // token.trim(), String(token): the credential is the receiver / argument
        if (c.callee.type === 'MemberExpression' && ['trim', 'toString', 'toLowerCase', 'slice', 'substring', 'replace'].includes(propName(c.callee as Node) ?? '')) return isCred(c.callee.object as Node);
        if (calleeName(c.callee as Node) === 'String' && c.arguments[0]) return isCred(c.arguments[0] as Node);
        return CREDENTIAL.test(calleeName(c.callee as Node) ?? '');
      }
      const name = u.type === 'Identifier' ? (u as ESTree.Identifier).name : propName(u);
      return !!name && CREDENTIAL.test(name);
    };
    const isConst = (n: Node | null): boolean => {
      const u = unwrap(n);
      if (!u) return false;
      // A secret is at least a few characters; '+' or 'x' compared with a lexer token is not one.
      if (u.type === 'Literal') return typeof (u as ESTree.Literal).value === 'string' && String((u as ESTree.Literal).value).length >= 4;
      if (u.type === 'TemplateLiteral') return (u as ESTree.TemplateLiteral).expressions.length === 0 && ((u as ESTree.TemplateLiteral).quasis[0]?.value.cooked ?? '').length >= 4;
      return false;
    };
    const isNothing = (n: Node | null): boolean => {
      const u = unwrap(n);
      return !!u && ((u.type === 'Literal' && ((u as ESTree.Literal).value === null || (u as ESTree.Literal).value === '' || (u as ESTree.Literal).value === 0)) || (u.type === 'Identifier' && (u as ESTree.Identifier).name === 'undefined'));
    };
    /** 'trivial' | 'constant' | null for one decision expression. */
    function shape(e: Node | null | undefined): 'trivial' | 'constant' | null {
      const n = unwrap(e);
      if (!n) return null;
      if (n.type === 'UnaryExpression' && (n as ESTree.UnaryExpression).operator === '!') return shape((n as ESTree.UnaryExpression).argument as Node);
      if (n.type === 'LogicalExpression') {
        const l = n as ESTree.LogicalExpression;
        const a = shape(l.left as Node);
        const b = shape(l.right as Node);
        if (a === 'constant' || b === 'constant') return 'constant';
        return a && b ? 'trivial' : null;
      }
      if (n.type === 'CallExpression' && calleeName((n as ESTree.CallExpression).callee as Node) === 'Boolean') {
        const arg = (n as ESTree.CallExpression).arguments[0] as Node | undefined;
        return arg && isCred(arg) ? 'trivial' : null;
      }
      if (n.type === 'BinaryExpression') {
        const b = n as ESTree.BinaryExpression;
        const l = unwrap(b.left as Node);
        const r = unwrap(b.right as Node);
        if (!l || !r) return null;
        if (['===', '==', '!==', '!='].includes(b.operator)) {
          if ((isConst(r) && isCred(l)) || (isConst(l) && isCred(r))) {
            // typeof token === 'string' is a presence test, not a secret.
            if (l.type === 'UnaryExpression' && (l as ESTree.UnaryExpression).operator === 'typeof') return 'trivial';
            return 'constant';
          }
          if ((isNothing(r) && isCred(l)) || (isNothing(l) && isCred(r))) return 'trivial';
          return null;
        }
        if (['>', '>=', '<', '<='].includes(b.operator)) {
          const side = propName(l) === 'length' ? l : propName(r) === 'length' ? r : null;
          return side && isCred((side as ESTree.MemberExpression).object as Node) ? 'trivial' : null;
        }
        return null;
      }
      if (n.type === 'Identifier' || n.type === 'MemberExpression') {
        if (propName(n) === 'length') return isCred((n as ESTree.MemberExpression).object as Node) ? 'trivial' : null;
        return isCred(n) && !/^(is|has|ok|valid)/i.test(calleeName(n) ?? '') ? 'trivial' : null;
      }
      return null;
    }

    function check(fn: Fn, what: string, callbacks: Set<string>) {
      const keys = f().keys;
      let verifier = false;
      let readsCred = false;
      const decisions: Node[] = [];
      const conditions: Node[] = [];
      const keyLiterals: Node[] = [];
      if (fn.body.type !== 'BlockStatement') decisions.push(fn.body as Node);
      walk(fn.body as Node, keys, (n) => {
        if (n.type === 'Identifier' && CREDENTIAL.test((n as ESTree.Identifier).name)) readsCred = true;
        if (n.type === 'Literal' && typeof (n as ESTree.Literal).value === 'string' && CREDENTIAL.test(String((n as ESTree.Literal).value))) readsCred = true;
        if (n.type === 'ReturnStatement' && (n as ESTree.ReturnStatement).argument) decisions.push((n as ESTree.ReturnStatement).argument as Node);
        if (n.type === 'IfStatement' || n.type === 'ConditionalExpression') conditions.push((n as ESTree.IfStatement).test as Node);
        if (n.type === 'CallExpression' || n.type === 'NewExpression') {
          const c = n as ESTree.CallExpression;
          const name = calleeName(c.callee as Node) ?? '';
          if (callbacks.has(name)) {
            if (c.arguments[0]) decisions.push(c.arguments[0] as Node);
            return;
          }
          if (/^(verify|jwtVerify|compactVerify|sign)$/.test(name) && c.arguments.slice(1).some((a) => isConst(a as Node))) keyLiterals.push(c.arguments.slice(1).find((a) => isConst(a as Node)) as Node);
          const recv = c.callee.type === 'MemberExpression' ? path(c.callee.object as Node) ?? calleeName(c.callee.object as Node) ?? '' : '';
          const readOnly = (name === 'get' || name === 'has') && QUERYISH.test(recv);
          if (!NOT_A_VERIFIER.has(name) && !readOnly && name !== '') verifier = true;
          if (name === '' && c.callee.type !== 'Identifier') verifier = true; // computed calls: assume they verify
        }
      });
      // A presence test after a verifier call is fine (`const user = await verify(t); return !!user`);
      // a comparison with a literal never is.
      let trivialFound = false;
      for (const d of decisions) {
        const s = shape(d);
        if (s === 'constant') {
          context.report({ node: d as ESTree.Node, messageId: 'constant' });
          trivialFound = true;
        } else if (s === 'trivial' && !verifier && readsCred) {
          context.report({ node: d as ESTree.Node, messageId: 'trivial' });
          trivialFound = true;
        }
      }
      for (const c of conditions) {
        if (shape(c) === 'constant' && !decisions.includes(c)) {
          context.report({ node: c as ESTree.Node, messageId: 'constant' });
          trivialFound = true;
        }
      }
      for (const k of keyLiterals) context.report({ node: k as ESTree.Node, messageId: 'hardcodedKey' });
      if (!trivialFound && readsCred && !verifier) context.report({ node: fn as ESTree.Node, messageId: 'noVerifier', data: { what } });
    }

    const seen = new Set<Node>();
    function once(fn: Fn | null, what: string, callbacks: Set<string>) {
      if (!fn || seen.has(fn)) return;
      seen.add(fn);
      check(fn, what, callbacks);
    }
    const CALLBACKS = ['done', 'cb', 'callback', 'next', 'resolve', 'accept'];
    return {
      'Program:exit'() {
        const facts_ = f();
        // verifyClient / allowRequest on servers we recognise.
        for (const c of facts_.constructs) {
          if (c.kind !== 'ws-server' && c.kind !== 'socketio-server') continue;
          for (const a of c.node.arguments) {
            const opts = resolveObject(a as Node, context);
            if (!opts) continue;
            for (const key of ['verifyClient', 'allowRequest']) {
              const p = getProp(opts, key);
              if (p.state !== 'present') continue;
              const fn = resolveFunction(p.value, facts_);
              if (fn) once(fn, key, new Set([...CALLBACKS, paramName(fn, 1) ?? '']));
            }
          }
        }
        // io.use((socket, next) => …)
        walk(context.sourceCode.ast as unknown as Node, facts_.keys, (n) => {
          if (n.type === 'CallExpression') {
            const c = n as ESTree.CallExpression;
            if (propName(c.callee as Node) === 'use' && c.callee.type === 'MemberExpression' && kindOf(c.callee.object as Node, facts_) === 'socketio-server') {
              const fn = resolveFunction(c.arguments[0] as Node | undefined, facts_);
              if (fn) once(fn, 'middleware', new Set([...CALLBACKS, paramName(fn, 1) ?? '']));
            }
          }
        });
        // Functions named like verifiers, in files that are WebSocket or auth code (a lexer's
        // isToken(node) is not a credential check).
        const relevant = facts_.constructs.length > 0 || [...facts_.modules].some((m) => AUTH_CONTEXT.test(m));
        for (const [name, fn] of relevant ? facts_.functions : new Map<string, Fn>()) {
          if (!AUTH_FN.test(name) || !(AUTH_FN_TOPIC.test(name) || name === 'verify' || name === 'authenticate')) continue;
          if (!isFunction(fn)) continue;
          once(fn, `function ${name}`, new Set(CALLBACKS));
        }
      },
    };
  },
};
