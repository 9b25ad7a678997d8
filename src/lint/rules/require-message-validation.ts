/** `JSON.parse` of a WebSocket message whose result is used without a schema validation. */
import type * as ESTree from 'estree';
import { ancestors, calleeName, facts, kindOf, paramName, patternNames, path, rootName, taint, unwrap, walk, reportOnce, type Listener, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

/** zod/valibot/yup/joi/ajv/superstruct/io-ts/TypeBox verbs, and any function named like a validator or type guard. */
const VALIDATOR = /^(parse|safeParse|parseAsync|safeParseAsync|validate|validateSync|validateAsync|assert|check|is|create|decode|cast|conform|guard|Check|Decode|Parse)$|valid|schema|^is[A-Z]|^assert[A-Z]|^check[A-Z]|^decode[A-Z]|^parse[A-Z]/;

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: '`JSON.parse` of a WebSocket message whose result is used without a schema validation (zod, valibot, joi, yup, ajv, superstruct, io-ts, TypeBox…) trusts attacker-shaped data: wrong types crash handlers, extra fields reach the database, `__proto__` keys pollute.',
      recommended: true,
      url: `${DOCS_BASE}require-message-validation.md`,
      severity: 'medium',
      checks: ['WSG-INPUT-03', 'WSG-INPUT-02', 'WSG-AUTHZ-03'],
      cwe: 'CWE-20',
      fix: 'Validate the parsed value with a strict schema before using it (`const msg = Message.parse(JSON.parse(text))` with zod, or an ajv-compiled validator), inside a try/catch that closes the socket with 1007/1008 on failure.',
      details: 'In `.on(\'message\', …)` / `.once(\'message\', …)` listeners (the Node `ws` API), follows names derived from the listener\'s parameters and reports `JSON.parse(…)` of them when the result is used directly, or stored in a variable (or destructured into names: `const { type, payload } = JSON.parse(data)`) none of which is ever passed to a validator: a call named `parse`, `safeParse`, `validate`, `assert`, `check`, `is`, `decode`, `create`, or any function whose name contains `valid` or `schema`, or starts with `is`/`assert`/`check`/`decode`/`parse` followed by a capital. A hand-written type guard also counts (heuristic): an `if` after the parse whose test applies `typeof` to the parsed value or one of its fields (or destructured parts) and whose branch returns or throws (`if (typeof msg !== \'object\' || msg === null || typeof msg.status !== \'string\') return ws.close(1008);`); how complete its checks are is not judged.',
      falsePositives: [
        'A hand-written check that is not an early-exit guard (`const ok = typeof m.text === \'string\' && …; if (ok) …`) is not recognised: turn it into `if (typeof … ) return …;`, call it `isMessage` or `validateMessage`, or use a schema library.',
      ],
      limits: [
        'Browser listeners (`onmessage`, `addEventListener(\'message\')`) and Socket.IO events (already parsed by Socket.IO) are not checked.',
        'Parsing inside a helper in another module is not followed.',
        'Client sockets are not checked: a listener on a `new WebSocket(…)` (from `ws`, or the global) or a `socket.io-client` socket constructed in the file is skipped, since it reads the feed of a server the client chose (a listener inside a `connection` handler, on its socket parameter, is always checked). Listeners on sockets whose origin the file does not show are checked as server-side.',
      ],
      example: {
        bad: "ws.on('message', (data) => {\n  const msg = JSON.parse(data.toString());\n  rooms.get(msg.room).push(msg.text);\n});",
        good: "const Message = z.object({ room: z.string().max(64), text: z.string().max(2000) }).strict();\nws.on('message', (data) => {\n  const msg = Message.parse(JSON.parse(data.toString()));\n  rooms.get(msg.room)?.push(msg.text);\n});",
      },
    },
    schema: [],
    messages: {
      unvalidated: 'JSON.parse of a WebSocket message without a schema validation on this path: validate it (zod, valibot, ajv…) before use.',
    },
  },
  create(context) {
    const report = reportOnce(context);
    return {
      'Program:exit'() {
        const f = facts(context);
        for (const l of f.listeners) {
          if (l.event !== 'message' || l.call.type !== 'CallExpression' || calleeName(l.call.callee as Node) === 'addEventListener') continue;
          if (onClientSocket(l)) continue;
          const seeds = new Set<string>();
          for (const p of l.fn.params) patternNames(p as Node, seeds);
          const tainted = taint(l.fn as Node, seeds, f.keys);
          walk(l.fn.body as Node, f.keys, (n) => {
            if (n.type !== 'CallExpression' || path((n as ESTree.CallExpression).callee as Node) !== 'JSON.parse') return;
            const call = n as ESTree.CallExpression;
            const arg = call.arguments[0] as Node | undefined;
            if (!arg || !mentionsAny(arg, tainted)) return;
            if (!validated(call, l.fn.body as Node)) report({ node: call, messageId: 'unvalidated' });
          });
        }
        /**
         * A client's own feed (`new WebSocket('wss://…')` here) is not attacker input the way a server's
         * connections are: judge server-side sockets only. A listener inside a `connection` handler on its
         * socket parameter is server-side whatever the names; a target constructed as a client here is not.
         */
        function onClientSocket(l: Listener): boolean {
          const root = rootName(l.target as Node);
          const inConnection = ancestors(l.call as Node).some((a) => f.listeners.some((c) => c.event === 'connection' && c.fn === a && paramName(c.fn, 0) === root));
          if (inConnection) return false;
          const kind = kindOf(l.target as Node, f);
          return kind === 'ws-client' || kind === 'browser-websocket' || kind === 'socketio-client';
        }
        function mentionsAny(n: Node, names: Set<string>): boolean {
          let hit = false;
          walk(n, f.keys, (m) => {
            if (m.type === 'Identifier' && names.has((m as ESTree.Identifier).name)) hit = true;
          });
          return hit;
        }
        function validated(call: ESTree.CallExpression, body: Node): boolean {
          // Climb TS wrappers / await to the expression's real parent.
          let node: Node = call as Node;
          while (node.parent && (unwrap(node.parent) !== node.parent || node.parent.type === 'AwaitExpression')) node = node.parent;
          const parent = node.parent;
          if (!parent) return true;
          if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && (parent as ESTree.CallExpression).callee !== node) {
            return VALIDATOR.test(calleeName((parent as ESTree.CallExpression).callee as Node) ?? '');
          }
          if (parent.type === 'ExpressionStatement') return true; // parsed only to test well-formedness
          let names: Set<string> | null = null;
          // `const msg = JSON.parse(…)`, or destructured: `const { type, payload } = JSON.parse(…)` (each part a name).
          if (parent.type === 'VariableDeclarator' && (parent as ESTree.VariableDeclarator).init === node) names = patternNames((parent as ESTree.VariableDeclarator).id as Node);
          if (parent.type === 'AssignmentExpression' && (parent as ESTree.AssignmentExpression).left.type === 'Identifier') names = new Set([((parent as ESTree.AssignmentExpression).left as ESTree.Identifier).name]);
          if (!names || names.size === 0) return false; // used in place
          let ok = false;
          walk(body, f.keys, (m) => {
            if (ok || (m.type !== 'CallExpression' && m.type !== 'NewExpression')) return;
            const c = m as ESTree.CallExpression;
            if (c === call || path(c.callee as Node) === 'JSON.parse') return;
            // A validator taking the parsed value or a destructured part of it (`schema.parse(payload)`).
            if (VALIDATOR.test(calleeName(c.callee as Node) ?? '') && c.arguments.some((a) => mentionsAny(a as Node, names!))) ok = true;
          });
          return ok || typeGuarded(call, body, names);
        }
        /**
         * A hand-written type guard after the parse: `if (typeof msg !== 'object' || typeof msg.status !== 'string') return ws.close(1008);`.
         * Heuristic: an `if` whose test applies `typeof` to the parsed value (or a field of it) and whose branch leaves
         * (return / throw). Whether the checks are complete is not judged.
         */
        function typeGuarded(call: ESTree.CallExpression, body: Node, names: Set<string>): boolean {
          const after = call.range?.[1] ?? 0;
          let ok = false;
          walk(body, f.keys, (m) => {
            if (ok || m.type !== 'IfStatement') return;
            const s = m as ESTree.IfStatement;
            if ((s.range?.[0] ?? 0) < after || !exits(s.consequent as Node)) return;
            walk(s.test as Node, f.keys, (t) => {
              if (t.type === 'UnaryExpression' && (t as ESTree.UnaryExpression).operator === 'typeof' && names.has(rootName((t as ESTree.UnaryExpression).argument as Node) ?? '')) ok = true;
            });
          });
          return ok;
        }
        function exits(n: Node): boolean {
          if (n.type === 'ReturnStatement' || n.type === 'ThrowStatement') return true;
          if (n.type === 'BlockStatement') {
            const last = (n as ESTree.BlockStatement).body.at(-1);
            return !!last && exits(last as Node);
          }
          return false;
        }
      },
    };
  },
};
