/** The path policy (src/protocol/paths.ts, docs/protocol.md "Path policy"), property-tested with fast-check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import fc from 'fast-check';
import { FilePath, isSafeRelativePath, parseBoundedJson, pathProblem } from '../../src/protocol/index.js';

const RUNS = { numRuns: 2000 };

/** Pieces an attacker would try, mixed with ordinary characters. */
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'report', 'é', '名', '1', '-', '_', '.txt', ' x') },
  { weight: 4, arbitrary: fc.constantFrom('.', '..', '/', '\\', ':', ' ', '.', 'C:', 'con', 'NUL', 'com1', 'LPT9', 'aux.txt', 'con .txt', 'CLOCK$', '  .', '$', '::$DATA', '\\\\srv\\share\\', '//srv/share/', '\u202e', '\u2066', '\u200f', '\u2028', '\u2029', '\ud800', '\udfff', '\u0000', '\u001b', '\u0085', '\u007f', '\uff3c', '\uff0e', '\uff1a', '\uff0f', '\ufe68', '\u00a5', '\u20a9', '\u2215', '\u2216', '\u2044', '\u2236', '\ua789', '\u02d0', '\u29f5', '\u29f8', '\uff0e\uff0e') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const candidate = fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

/** Plain, safe segments: what a real upload looks like. */
/** A Windows device name, with spaces before the extension (an independent spelling of the rule, for the oracle). */
const DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$) *(\.|$)/i;
const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9 _.-]{0,10}[A-Za-z0-9_-]$/).filter((s) => !DEVICE.test(s));
const safePath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));

const BIDI_OR_LINE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Windows' best-fit mapping as far as separators and dots go: NFKC, then the code-page look-alikes. */
const bestFit = (p: string): string => p.normalize('NFKC').replace(/[\u00a5\u20a9\u2216\u29f5]/g, '\\').replace(/[\u2215\u2044\u29f8]/g, '/').replace(/[\u2236\ua789\u02d0]/g, ':');

test('property: an accepted path stays inside its folder on POSIX and on Windows, and is not renamed or a device there', () => {
  fc.assert(
    fc.property(candidate, (accepted) => {
      if (!isSafeRelativePath(accepted)) return;
      // What a Windows client on the ANSI file APIs sees after "best fit": it must be safe too.
      const p = bestFit(accepted);
      const w = win32.resolve('C:\\base', p);
      assert.ok(w.startsWith('C:\\base\\'), `win32 ${JSON.stringify(p)} -> ${w}`);
      assert.ok(posix.resolve('/base', p).startsWith('/base/'), `posix ${JSON.stringify(p)}`);
      for (const s of p.split(/[\\/]/)) {
        assert.equal(s.replace(/[. ]+$/, ''), s, `Windows would rename ${JSON.stringify(s)}`);
        assert.doesNotMatch(s, DEVICE);
      }
      assert.doesNotMatch(p, BIDI_OR_LINE);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(p, /[\u0000-\u001f\u007f-\u009f:\\]/);
      assert.ok(Buffer.from(p, 'utf8').toString('utf8') === p, 'round-trips through UTF-8 (no lone surrogate)');
    }),
    RUNS,
  );
});

test('property: ordinary relative paths are accepted (the policy does not refuse real uploads)', () => {
  fc.assert(fc.property(safePath, (p) => assert.equal(pathProblem(p), undefined, p)), RUNS);
});

test('property: putting any refused element anywhere into a safe path gets it refused', () => {
  const bad = fc.constantFrom('..\\', '\\', 'C:', 'C:/', '\\\\srv\\share\\', '::$DATA', ':stream', '\u202e', '\u202a', '\u2067', '\u200e', '\u061c', '\u2028', '\u2029', '\ud800', '\udc00', '\u0000', '\u0007', '\u0085', '\u009f');
  fc.assert(
    fc.property(safePath, bad, fc.nat(), (p, b, at) => {
      const i = at % (p.length + 1);
      const mutated = p.slice(0, i) + b + p.slice(i);
      assert.equal(isSafeRelativePath(mutated), false, JSON.stringify(mutated));
      assert.equal(FilePath.safeParse(mutated).success, false);
    }),
    RUNS,
  );
});

test('property: a segment made a device name, or ending in a dot or space, is refused', () => {
  const device = fc.tuple(fc.constantFrom('CON', 'con', 'PRN', 'Aux', 'NUL', 'COM1', 'com9', 'LPT1', 'lpt3', 'COM\u00b9', 'CONIN$', 'conout$', 'CLOCK$', 'clock$'), fc.constantFrom('', '.txt', '.tar.gz', ' .txt', '  .txt', '   .tar.gz'));
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.nat(), device, fc.constantFrom('.', ' ', '..', ' .', '. '), (segs, at, [name, ext], tail) => {
      const i = at % segs.length;
      const withDevice = segs.map((s, j) => (j === i ? name + ext : s)).join('/');
      assert.equal(pathProblem(withDevice), 'reserved_name', withDevice);
      const withTail = segs.map((s, j) => (j === i ? s + tail : s)).join('/');
      assert.equal(pathProblem(withTail), 'trailing_dot_or_space', withTail);
    }),
    RUNS,
  );
});

test('the table in docs/protocol.md: one example per rule', () => {
  const cases: [string, string][] = [
    ['..\\..\\x', 'backslash'],
    ['C:\\Windows\\x', 'backslash'],
    ['C:/Windows/x', 'colon'],
    ['\\\\server\\share\\x', 'backslash'],
    ['name::$DATA', 'colon'],
    ['CON', 'reserved_name'],
    ['dir/nul.txt', 'reserved_name'],
    ['COM1', 'reserved_name'],
    ['con .txt', 'reserved_name'],
    ['CON  .txt', 'reserved_name'],
    ['x/con .txt', 'reserved_name'],
    ['CLOCK$', 'reserved_name'],
    ['dir/clock$.log', 'reserved_name'],
    ['a.', 'trailing_dot_or_space'],
    ['a ', 'trailing_dot_or_space'],
    ['report\u202efdp.exe', 'bidi'],
    ['a\u2028b', 'line_separator'],
    ['a\ud800b', 'lone_surrogate'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty_segment'],
    ['a/../b', 'dot_segment'],
    ['a\nb', 'control'],
    ['', 'empty'],
    ['é'.repeat(513), 'too_long'],
    ['..\uff3c..\uff3cx', 'best_fit'],
    ['\uff0e\uff0e/x', 'best_fit'],
    ['C\uff1a\uff3cx', 'best_fit'],
    ['CON\uff0etxt', 'best_fit'],
    ['..\u00a5..\u00a5boot.ini', 'best_fit'],
  ];
  for (const [p, problem] of cases) assert.equal(pathProblem(p), problem, JSON.stringify(p));
  for (const ok of ['a.txt', 'dir/sub/file.pdf', 'ünïcode/名前.txt', '<img src=x onerror=alert(1)>', 'console.log', 'com10.txt', 'a.b/c', 'con x.txt', 'clock.txt', 'clock$x', '\uff21\uff22.txt', 'ﬁle.txt']) assert.equal(pathProblem(ok), undefined, ok);
});

test('property: a lone surrogate anywhere in a message (any string or key, any depth) is refused by the bounded JSON parser', () => {
  const lone = fc.constantFrom('\\ud800', '\\udbff', '\\udc00', '\\udfff');
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }).filter((v) => !/"(__proto__|constructor|prototype)"/.test(JSON.stringify(v))), lone, fc.boolean(), (value, escape, asKey) => {
      const text = JSON.stringify({ type: 'x', payload: { v: value } });
      // Put the lone escape inside a string literal: as the value of a new key, or as a key.
      const injected = asKey ? text.replace('"payload":{', `"payload":{"k${escape}":1,`) : text.replace('"payload":{', `"payload":{"k":"a${escape}b",`);
      const r = parseBoundedJson(injected, { maxDepth: 16, maxKeys: 64, maxArrayLength: 1024, maxStringLength: 1 << 20 });
      assert.deepEqual(r, { ok: false, reason: 'lone_surrogate' });
    }),
    { numRuns: 500 },
  );
  // A well-formed pair is fine.
  assert.equal(parseBoundedJson('{"p":"\\ud83d\\ude00"}').ok, true);
});
