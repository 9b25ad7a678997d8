/**
 * Issue 19: a hostile target's headers, frames, bodies and close reasons reach the report. The
 * text report and the CLI's lines carry no raw control, bidi or invisible characters; JSON and
 * SARIF keep the exact values and parse; JUnit stays well-formed XML; the HTML page shows the
 * values as inert, visible text. Real audit over real sockets; Chromium parses HTML and JUnit.
 */
/* eslint-disable no-control-regex -- these tests look for raw control bytes on purpose */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadChecks } from '../../../src/audit/registry.js';
import { REPORTERS } from '../../../src/audit/reporters/index.js';
import { displaySafe, isDisplaySafe, terminalSafeJson } from '../../../src/audit/reporters/sanitize.js';
import { runAudit } from '../../../src/audit/runner.js';
import type { AuditReport, CheckMeta } from '../../../src/audit/types.js';
import { RAW_CONTROL, startHostileServer, type HostileServer } from '../../fixtures/hostile-server.js';

const CHROMIUM = '/usr/bin/chromium';
const noBrowser = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM}`;
const dir = mkdtempSync(join(tmpdir(), 'wsg-hostile-'));
const ONLY = ['WSG-ORIGIN-01', 'WSG-PROTO-01', 'WSG-FINGER-01', 'WSG-LEAK-01', 'WSG-LEAK-04'];
let server: HostileServer;
let report: AuditReport;
let metas: CheckMeta[];
let browser: Browser | undefined;

before(async () => {
  server = await startHostileServer('hostile');
  const checks = (await loadChecks()).filter((c) => ONLY.includes(c.meta.id));
  metas = checks.map((c) => c.meta);
  ({ report } = await runAudit(new URL(server.url), { allowedOrigins: ['http://127.0.0.1'], requestTimeoutMs: 2000 }, { checks }));
  if (!noBrowser) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});
after(async () => {
  await browser?.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The findings that quote the target's hostile bytes (the premise of every test below). */
function hostileFindings() {
  return report.findings.filter((f) => /\x1b/.test(f.evidence));
}

test('the hostile target gets its bytes into findings (premise)', () => {
  const ids = new Set(hostileFindings().map((f) => f.checkId));
  assert.ok(ids.has('WSG-FINGER-01'), `findings quoting ESC: ${[...ids].join(', ')}; all: ${report.findings.map((f) => f.checkId).join(', ')}`);
  // Header bytes are read as latin1: the UTF-8 of U+202E arrives as C1 characters.
  assert.ok(hostileFindings().some((f) => /\u0080/.test(f.evidence)));
  // The frames and the close reason were recorded and judged (LEAK-01, LEAK-04).
  assert.ok(report.findings.some((f) => f.checkId === 'WSG-LEAK-01') && report.findings.some((f) => f.checkId === 'WSG-LEAK-04'));
});

test('text: no raw control, bidi or invisible characters; the values are shown escaped', () => {
  const text = REPORTERS.text({ report, metas });
  assert.doesNotMatch(text, RAW_CONTROL);
  assert.ok(isDisplaySafe(text));
  assert.match(text, /\\x1b\[5mBLINK/, 'the ESC byte is visible as \\x1b');
  // The same with colours on: only our own SGR sequences, which start the severity headings.
  const coloured = REPORTERS.text({ report, metas, color: true });
  for (const m of coloured.matchAll(/\x1b\[[0-9;]*m/g)) assert.ok(/^\x1b\[(?:1;35|1;31|33|36|2|0)m$/.test(m[0]), JSON.stringify(m[0]));
  assert.doesNotMatch(coloured.replace(/\x1b\[(?:1;35|1;31|33|36|2|0)m/g, ''), RAW_CONTROL);
});

test('json and sarif: exact values, valid JSON, and still no raw control/bidi character in the text', () => {
  const text = REPORTERS.json({ report, metas });
  assert.doesNotMatch(text, RAW_CONTROL, 'C1, DEL and bidi written as \\u escapes (JSON.stringify leaves them raw)');
  assert.doesNotMatch(REPORTERS.sarif({ report, metas }), RAW_CONTROL);
  const json = JSON.parse(text) as { findings: Array<{ evidence: string }> };
  const evidence = hostileFindings().map((f) => f.evidence);
  assert.ok(evidence.every((e) => json.findings.some((f) => f.evidence === e)), 'exact evidence kept');
  const sarif = JSON.parse(REPORTERS.sarif({ report, metas })) as { runs: Array<{ results: Array<{ message: { text: string } }> }> };
  assert.ok(sarif.runs[0]?.results.some((r) => r.message.text.includes('\x1b[5mBLINK')));
});

test('junit: well-formed XML (Chromium DOMParser), the forbidden characters written as visible escapes', { skip: noBrowser }, async () => {
  const xml = REPORTERS.junit({ report, metas });
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no character XML 1.0 forbids');
  assert.doesNotMatch(xml, RAW_CONTROL, 'C1, DEL and bidi as character references');
  const page = await browser!.newPage();
  const parsed = await page.evaluate((src) => {
    const doc = new DOMParser().parseFromString(src, 'application/xml');
    const err = doc.querySelector('parsererror');
    return { error: err ? err.textContent : null, failures: [...doc.querySelectorAll('failure')].map((f) => f.textContent ?? '') };
  }, xml);
  await page.close();
  assert.equal(parsed.error, null);
  assert.ok(parsed.failures.some((f) => f.includes('\\x1b[5mBLINK')), 'the failure text shows the escape');
  assert.ok(parsed.failures.some((f) => f.includes('\u0080')), 'characters XML allows come back exactly (C1 from the latin1 header)');
});

test('html: hostile markup is inert text, control and bidi characters visible', { skip: noBrowser }, async () => {
  // The audit's findings plus one whose evidence carries Unicode bidi controls as such.
  const bidi = { ...report.findings[0]!, evidence: 'reply: \u202eevil\u202c \u2066iso\u2069' };
  const html = REPORTERS.html({ report: { ...report, findings: [...report.findings, bidi] }, metas });
  assert.doesNotMatch(html, RAW_CONTROL);
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const page = await browser!.newPage();
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  await page.goto(`file://${file}`);
  const text = await page.innerText('body');
  const svgs = await page.locator('svg').count();
  await page.close();
  assert.equal(dialogs, 0, 'no script ran');
  assert.equal(svgs, 1, 'only the report\'s own chart is an SVG element');
  assert.match(text, /<svg onload=alert\(3\)>/);
  assert.match(text, /\\x1b\[5mBLINK/);
  assert.match(text, /\\x80/);
  assert.match(text, /\\u202eevil\\u202c \\u2066iso\\u2069/);
});

test('terminal-safe JSON keeps every value exactly', () => {
  const nasty = { s: `a\u009b31m\u007f\u202eb\u2066c\u200bd\ufeff\u2028e\ud800f\u{e0041}g\x1b[2J😀 héllo`, n: [1, 'x\ny'] };
  const out = terminalSafeJson(JSON.stringify(nasty, null, 2));
  assert.doesNotMatch(out, RAW_CONTROL);
  assert.deepEqual(JSON.parse(out), nasty);
  assert.match(out, /\\u009b31m\\u007f\\u202eb/);
});

test('sanitizer: escapes controls, bidi, invisible and lone surrogates; cuts long values; keeps newlines only when asked', () => {
  assert.equal(displaySafe('a\x1b[2Jb'), 'a\\x1b[2Jb');
  assert.equal(displaySafe('\u202eevil\u2066'), '\\u202eevil\\u2066');
  assert.equal(displaySafe('z\u200bw\ufeff\u00ad'), 'z\\u200bw\\ufeff\\xad');
  assert.equal(displaySafe('\ud800x'), '\\ud800x');
  assert.equal(displaySafe('tag\u{e0041}'), 'tag\\u{e0041}');
  assert.equal(displaySafe('\u009b31m\x7f'), '\\x9b31m\\x7f');
  assert.equal(displaySafe('l1\r\nl2', { multiline: true }), 'l1\\x0d\nl2');
  assert.equal(displaySafe('l1\nl2'), 'l1\\x0al2');
  assert.equal(displaySafe('héllo — ✓ 日本 😀'), 'héllo — ✓ 日本 😀', 'ordinary text untouched');
  const long = displaySafe('x'.repeat(10_000), { max: 100 });
  assert.equal(long, `${'x'.repeat(100)} …[cut: 9900 more characters]`);
  assert.doesNotMatch(displaySafe('😀'.repeat(60), { max: 101 }), /[\ud800-\udbff](?![\udc00-\udfff])/, 'no half surrogate at the cut');
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args], { timeout: 60_000, env: { ...process.env, WSGUARD_DEBUG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('cli: the text report on stdout and the error line on stderr carry no raw control bytes', async () => {
  const r = await cli([server.url, '--only', 'FINGER-01,LEAK-04', '--origin', 'http://127.0.0.1', '--fail-on', 'critical']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\\x1b/);
  assert.doesNotMatch(r.stdout, RAW_CONTROL);
  const bad = await startHostileServer('bad-status');
  try {
    const e = await cli([bad.url]);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /unreachable: not an HTTP response/);
    assert.match(e.stderr, /\\x9b/, 'the C1 CSI byte is shown escaped');
    assert.doesNotMatch(e.stderr, RAW_CONTROL);
  } finally {
    await bad.close();
  }
});
