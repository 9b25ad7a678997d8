import { rule } from '../../../src/lint/rules/no-uncalled-helmet.js';
import { js, ts } from '../support.js';

js.run('no-uncalled-helmet', rule, {
  valid: [
    "import helmet from 'helmet'; app.use(helmet());",
    "import helmet from 'helmet'; app.use(helmet.hsts({ maxAge: 31536000 }));",
    "const helmet = require('helmet'); app.use(helmet({ contentSecurityPolicy: false }));",
    // @fastify/helmet is registered uncalled on purpose
    "import helmet from '@fastify/helmet'; fastify.register(helmet); app.use(helmet);",
    "import cors from 'cors'; app.use(cors());",
  ],
  invalid: [
    // Accepted false positive (documented): a local middleware that happens to be named helmet.
    { code: 'const helmet = (req, res, next) => next(); app.use(helmet);', errors: [{ messageId: 'uncalled' }] },
    { code: "import helmet from 'helmet'; app.use(helmet);", errors: [{ messageId: 'uncalled', data: { name: 'helmet' } }] },
    { code: "const helmet = require('helmet'); app.use('/api', helmet);", errors: [{ messageId: 'uncalled' }] },
    { code: "import helmet from 'helmet'; app.use(helmet.contentSecurityPolicy);", errors: [{ messageId: 'uncalled', data: { name: 'helmet.contentSecurityPolicy' } }] },
    { code: "import shield from 'helmet'; router.use(express.json(), shield);", errors: [{ messageId: 'uncalled' }] },
  ],
});

ts.run('no-uncalled-helmet (TypeScript)', rule, {
  valid: ["import helmet from 'helmet'; app.use(helmet() as RequestHandler);"],
  invalid: [{ code: "import helmet from 'helmet'; app.use(helmet as unknown as RequestHandler);", errors: [{ messageId: 'uncalled' }] }],
});
