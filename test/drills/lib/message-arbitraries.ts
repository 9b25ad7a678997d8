/** fast-check arbitraries for near-valid protocol v1 messages: mostly right shape, often slightly wrong. */
import fc from 'fast-check';

const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: min, maxLength: max });

/** A valid value most of the time, else one of the near misses. */
const mostly = <T>(valid: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]) => fc.oneof({ weight: 5, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.oneof(...bad) });

export const channel = mostly(
  fc.constantFrom('files:acme', 'files:acme/reports', 'files:globex'),
  fc.constantFrom('', 'files:', 'files:acme/', 'files:acme/../globex', 'files:*', 'FILES:ACME', 'files:acme\u0000', 'x'.repeat(300)),
  fc.string({ maxLength: 24 }),
);
export const path = mostly(
  fc.constantFrom('a.pdf', 'dir/b.txt', 'é/ü 1.txt'),
  fc.constantFrom('', '/abs.pdf', '../etc/passwd', 'a//b', 'a/./b', 'a/', 'x\u0001y', '<script>alert(1)</script>', "'; DROP TABLE events;--", 'x'.repeat(1025)),
  fc.string({ maxLength: 40 }),
);
const size = mostly(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.double({ noNaN: true }), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant('10'), fc.constant(null));
const mime = mostly(fc.constantFrom('application/pdf', 'text/plain'), fc.constantFrom('pdf', 'a/b/c', ' text/plain', 'text/', `${'x'.repeat(200)}/y`), fc.string({ maxLength: 16 }));
const sha256 = mostly(fc.constant('a'.repeat(64)), hex(63, 65), fc.constant('A'.repeat(64)), fc.string({ maxLength: 8 }));
const since = mostly(fc.nat({ max: 1000 }), fc.integer({ min: -3, max: -1 }), fc.double({ noNaN: true }), fc.constant('5'), fc.constant(null));
/** `arb` one time in `n`, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const extraKey = fc.constantFrom('extra', '__proto__', 'constructor', 'Channel', 'seq', 'by');
const anyValue = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.nat(), { maxKeys: 2 }));

/** A payload with every field, sometimes one key missing and sometimes one key too many. */
function payloadOf<T extends Record<string, unknown>>(fields: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(fields);
  const drop = keys.length ? rarely(fc.constantFrom(...keys), 5) : fc.constant(null);
  return fc.tuple(fc.record(fields), drop, rarely(fc.tuple(extraKey, anyValue), 5)).map(([p, dropped, extra]) => {
    const out: Record<string, unknown> = { ...p };
    if (dropped !== null) delete out[dropped];
    // defineProperty: a plain assignment of '__proto__' would set the prototype instead of a key.
    if (extra) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
    return out;
  });
}

const PAYLOADS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  subscribe: payloadOf({ channel, since }),
  unsubscribe: payloadOf({ channel }),
  file_upload: payloadOf({ channel, path, size, mime, sha256 }),
  file_delete: payloadOf({ channel, path }),
  'auth.refresh': payloadOf({ token: fc.oneof(fc.constant('eyJhbGciOiJIUzI1NiJ9.e30.x'), fc.string({ maxLength: 20 })) }),
  ping: payloadOf({}),
};

const type = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(PAYLOADS)) },
  { weight: 1, arbitrary: fc.constantFrom('file_uploa', 'FILE_UPLOAD', 'event', 'ack', 'error', '', 'a'.repeat(33), 'toString', '__proto__') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const id = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('c-1', 'req.2:x_y') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', 'has space', 'x'.repeat(65), '<id>', 'é'), fc.nat()) },
  { weight: 2, arbitrary: fc.constant(null) },
);

/** One message as sent on the wire (a JSON text, sometimes broken). */
export const wireMessage: fc.Arbitrary<string> = fc
  .record({
    type,
    id,
    payloadKind: fc.oneof({ weight: 12, arbitrary: fc.constant('typed') }, { weight: 1, arbitrary: fc.constantFrom('other-type', 'not-object', 'absent') }),
    otherType: fc.constantFrom(...Object.keys(PAYLOADS)),
    notObject: fc.oneof(fc.constant(null), fc.array(fc.nat(), { maxLength: 2 }), fc.string({ maxLength: 5 }), fc.integer()),
    extraTop: rarely(fc.tuple(extraKey, anyValue), 8),
    mangle: fc.oneof({ weight: 12, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('truncate', 'trailing', 'deep') }),
  })
  .chain((m) => {
    const payloadArb = m.payloadKind === 'typed' ? (Object.hasOwn(PAYLOADS, m.type) ? PAYLOADS[m.type]! : PAYLOADS.ping!) : m.payloadKind === 'other-type' ? PAYLOADS[m.otherType]! : fc.constant(undefined);
    return payloadArb.map((payload) => {
      const env: Record<string, unknown> = { type: m.type };
      if (m.id !== null) env.id = m.id;
      if (m.payloadKind === 'not-object') env.payload = m.notObject;
      else if (payload !== undefined) env.payload = payload;
      if (m.extraTop) Object.defineProperty(env, m.extraTop[0], { value: m.extraTop[1], enumerable: true, configurable: true, writable: true });
      const text = JSON.stringify(env);
      if (m.mangle === 'truncate') return text.slice(0, Math.max(1, text.length - 3));
      if (m.mangle === 'trailing') return `${text},`;
      if (m.mangle === 'deep') return JSON.stringify({ ...env, payload: { a: [[[[[[[[[[1]]]]]]]]]] } });
      return text;
    });
  });
