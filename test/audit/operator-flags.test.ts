/** The LIMIT/INPUT/AUTHZ operator flags parse into the options the checks read; defaults otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { OPERATOR_FLAG_KEYS, OPERATOR_FLAG_SPEC, operatorFlagOptions } from '../../src/audit/operator-flags.js';
import { authzOptions, inputOptions, limitOptions, OPTION_FLAGS, resolveOptions } from '../../src/audit/options.js';

test('operator flags → options the LIMIT/INPUT/AUTHZ checks read; defaults otherwise', () => {
  const args = ['--max-conns', '30', '--slow-wait', '2.5', '--ip-banned', '--render-field', 'text', '--render-field', 'html', '--priv-message', '{"type":"admin.x"}', '--priv-token', 'T', '--foreign-id', 'user:bob'];
  const { values } = parseArgs({ args, options: OPERATOR_FLAG_SPEC, strict: true });
  const o = resolveOptions(new URL('ws://127.0.0.1:1/ws'), operatorFlagOptions(values));
  assert.equal(limitOptions(o).maxConns, 30);
  assert.equal(limitOptions(o).slowWaitMs, 2500);
  // Short observation windows by default; --thorough restores the long ones.
  assert.equal(limitOptions(o).backpressureWaitMs, 30_000);
  assert.equal(limitOptions(resolveOptions(new URL('ws://h/'), { thorough: true })).backpressureWaitMs, 120_000);
  assert.equal(limitOptions(resolveOptions(new URL('ws://h/'), { thorough: true })).slowWaitMs, 120_000);
  assert.equal(resolveOptions(new URL('ws://h/')).idleWaitMs, 25_000);
  assert.equal(resolveOptions(new URL('ws://h/'), { thorough: true }).idleWaitMs, 300_000);
  assert.equal(resolveOptions(new URL('ws://h/'), { thorough: true, idleWaitMs: 7000 }).idleWaitMs, 7000, 'an explicit window wins');
  assert.equal(resolveOptions(new URL('ws://h/'), operatorFlagOptions({ 'session-wait': '12' })).sessionWaitMs, 12_000);
  assert.deepEqual(inputOptions(o).renderFields, ['text', 'html']);
  assert.equal(inputOptions(o).ipBanned, true);
  assert.deepEqual(authzOptions(o).privMessages, ['{"type":"admin.x"}']);
  assert.equal(authzOptions(o).privIdentity?.token, 'T');
  assert.equal(authzOptions(o).privIdentity?.tokenIn, 'header', 'the rest of the identity gets the defaults');
  assert.equal(authzOptions(o).foreignId, 'user:bob');
  assert.throws(() => operatorFlagOptions({ 'max-conns': '1.5' }), /--max-conns must be a positive integer/);
});

test('every operator flag is the flag an option error names for its option', () => {
  for (const [flag, key] of Object.entries(OPERATOR_FLAG_KEYS)) assert.equal(OPTION_FLAGS[key], `--${flag}`, key);
  assert.ok(Object.keys(OPERATOR_FLAG_KEYS).length >= 20, 'the table was read');
});
