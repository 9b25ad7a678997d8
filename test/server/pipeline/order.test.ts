/**
 * The stage order is carried by types: pipeline() accepts a stage only after the stages that set
 * what it reads (tsc checks the @ts-expect-error lines below: if a misordered list compiled, the
 * directive itself would fail the typecheck). At run time the guard's list is the documented order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipeline } from '../../../src/server/pipeline/types.js';
import { envelopeStage } from '../../../src/server/pipeline/envelope.js';
import { handlerStage } from '../../../src/server/pipeline/handler.js';
import { jsonStage } from '../../../src/server/pipeline/json.js';
import { schemaStage } from '../../../src/server/pipeline/schema.js';
import { sessionStage } from '../../../src/server/pipeline/session.js';
import { authorizeStage } from '../../../src/server/pipeline/authorize.js';
import { DEFAULTS } from '../../../src/server/index.js';
import { startGuard } from '../helpers.js';

test('pipeline(): a stage before the stage that sets what it reads does not compile', () => {
  const routes = new Map();
  // @ts-expect-error schema reads the envelope, which no earlier stage set
  pipeline().then(jsonStage(DEFAULTS.json)).then(schemaStage(routes));
  // @ts-expect-error the handler needs the context that authorize builds
  pipeline().then(jsonStage(DEFAULTS.json)).then(envelopeStage()).then(schemaStage(routes)).then(sessionStage()).then(handlerStage());
  const ok = pipeline().then(jsonStage(DEFAULTS.json)).then(envelopeStage()).then(schemaStage(routes)).then(sessionStage()).then(authorizeStage()).then(handlerStage());
  assert.deepEqual(ok.stages.map((s) => s.name), ['json', 'envelope', 'schema', 'session', 'authorize', 'handler']);
});

test("the guard's pipeline runs the stages in the documented order", async (t) => {
  const h = await startGuard();
  t.after(() => h.close());
  assert.deepEqual(h.guard.pipeline.map((s) => s.name), ['size', 'text-only', 'json', 'envelope', 'rate-limit', 'schema', 'session', 'authorize', 'handler']);
});
