/** `app.use(helmet)`: helmet passed as middleware without being called sets no header at all. */
import type * as ESTree from 'estree';
import { facts, propName, unwrap, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: '`app.use(helmet)` (or `app.use(helmet.hsts)`) registers the factory as a middleware: Express calls it as `helmet(req, res, next)`, it returns a middleware nobody runs, and the request hangs or goes on without any security header.',
      recommended: true,
      url: `${DOCS_BASE}no-uncalled-helmet.md`,
      severity: 'medium',
      checks: [],
      cwe: 'CWE-693',
      fix: 'Call it: `app.use(helmet())` (or `app.use(helmet.hsts({ maxAge: 31536000 }))`).',
      details: 'Reports an argument of a `.use(…)` call that is the `helmet` import (or an unbound name `helmet`), or a member of it (`helmet.contentSecurityPolicy`), not called. `@fastify/helmet`, which is registered uncalled on purpose, is not reported.',
      falsePositives: [
        'A local middleware that happens to be named `helmet` without importing the package is reported: rename it.',
      ],
      limits: [
        'Only `.use(…)` registrations are checked (Express, Connect, Koa-style).',
      ],
      example: {
        bad: "import helmet from 'helmet';\napp.use(helmet);",
        good: "import helmet from 'helmet';\napp.use(helmet());",
      },
    },
    schema: [],
    messages: {
      uncalled: 'helmet is passed uncalled, so no security header is set: use app.use({{name}}()).',
    },
  },
  create(context) {
    return {
      CallExpression(node) {
        if (propName(node.callee as Node) !== 'use') return;
        const f = facts(context);
        for (const a of node.arguments) {
          const u = unwrap(a as Node);
          let root: Node | null = u;
          if (u?.type === 'MemberExpression') root = unwrap((u as ESTree.MemberExpression).object as Node);
          if (root?.type !== 'Identifier') continue;
          const name = (root as ESTree.Identifier).name;
          const bind = f.bindings.get(name);
          const isHelmet = bind ? bind.module === 'helmet' : name === 'helmet';
          if (isHelmet) context.report({ node: a, messageId: 'uncalled', data: { name: context.sourceCode.getText(a) } });
        }
      },
    };
  },
};
