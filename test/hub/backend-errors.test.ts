import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { BackendErrorLog } from '../../src/hub/backend-errors.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

const flushed = () => new Promise((r) => setImmediate(r));

test('an outage repeating one error is one line, then one (repeated) line with the count per interval', async () => {
  const { lines, logger } = capture();
  const log = new BackendErrorLog(logger, 60_000);
  for (let i = 0; i < 45; i++) log.record(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
  log.record(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  await flushed();
  assert.deepEqual(lines.map((l) => [l.msg, l.err]), [
    ['event log error', "Stream isn't writeable and enableOfflineQueue options is false"],
    ['event log error', 'connect ECONNREFUSED 127.0.0.1:6379'],
  ]);
  log.close();
  await flushed();
  assert.equal(lines.length, 3);
  assert.deepEqual([lines[2]!.msg, lines[2]!.repeated], ['event log error (repeated)', 44]);
  // A new interval logs the first occurrence again.
  log.record(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  await flushed();
  assert.equal(lines.length, 4);
});

test('distinct messages are bounded per interval: the rest are counted on one line', async () => {
  const { lines, logger } = capture();
  const log = new BackendErrorLog(logger, 60_000);
  for (let i = 0; i < 100; i++) log.record(new Error(`error ${i}`));
  log.close();
  await flushed();
  assert.equal(lines.filter((l) => l.msg === 'event log error').length, 32);
  assert.deepEqual(lines.at(-1), { ...lines.at(-1), msg: 'event log error (repeated, other messages)', repeated: 68 });
});
