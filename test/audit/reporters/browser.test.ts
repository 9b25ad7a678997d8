/** HTML report in headless Chromium (screenshot + text), and JUnit parsed by the browser's XML parser. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPORTERS } from '../../../src/audit/reporters/index.js';
import { HOSTILE, sampleMetas, sampleReport } from './sample-report.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install -y chromium)`;
const input = { report: sampleReport, metas: sampleMetas };
let browser: Browser | undefined;
const dir = mkdtempSync(join(tmpdir(), 'wsg-report-'));

before(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('html: self-contained, escaped, readable in Chromium, screenshot saved', { skip }, async () => {
  const html = REPORTERS.html(input);
  assert.doesNotMatch(html, /<script|<link|src=|@import|url\(/i, 'no scripts or external assets');
  assert.ok(!html.includes(HOSTILE.slice(0, 20)), 'evidence is escaped');
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const page = await browser!.newPage();
  const requests: string[] = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await page.goto(`file://${file}`);
  const text = await page.innerText('body');
  assert.match(text, /wsguard audit/);
  assert.match(text, /3 findings \(1 critical, 1 high, 1 info\)/);
  assert.match(text, /<script>alert\("x"\)<\/script>/, 'hostile evidence shows as text');
  for (const c of sampleReport.checks) assert.ok(text.includes(c.id), `${c.id} listed`);
  assert.match(text, /skipped/);
  assert.equal(await page.locator('svg rect').count(), 5, 'one bar per severity');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 0);
  assert.deepEqual(requests, []);
  const shot = join(dir, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 1000);
  await page.close();
});

test('junit: well-formed XML with one testcase per check and the expected counts', { skip }, async () => {
  const xml = REPORTERS.junit(input);
  const page = await browser!.newPage();
  const parsed = await page.evaluate((src) => {
    const doc = new DOMParser().parseFromString(src, 'application/xml');
    const err = doc.querySelector('parsererror');
    const suite = doc.querySelector('testsuite');
    return {
      error: err?.textContent ?? null,
      cases: doc.querySelectorAll('testcase').length,
      failures: doc.querySelectorAll('testcase > failure').length,
      failedCases: [...doc.querySelectorAll('testcase')].filter((c) => c.querySelector('failure')).length,
      skipped: doc.querySelectorAll('testcase > skipped').length,
      errors: doc.querySelectorAll('testcase > error').length,
      attrs: suite ? { tests: suite.getAttribute('tests'), failures: suite.getAttribute('failures'), skipped: suite.getAttribute('skipped'), errors: suite.getAttribute('errors') } : null,
      firstFailure: [...doc.querySelectorAll('failure')].map((f) => f.textContent).join('\n'),
    };
  }, xml);
  await page.close();
  assert.equal(parsed.error, null);
  assert.equal(parsed.cases, 5);
  assert.equal(parsed.failures, 3);
  assert.equal(parsed.failedCases, 2);
  assert.equal(parsed.skipped, 1);
  assert.equal(parsed.errors, 1);
  assert.deepEqual(parsed.attrs, { tests: '5', failures: '2', skipped: '1', errors: '1' });
  assert.match(parsed.firstFailure, /<script>alert/);
  // The parser must be able to fail.
  assert.notEqual(await (async () => {
    const p = await browser!.newPage();
    const r = await p.evaluate((s) => new DOMParser().parseFromString(s, 'application/xml').querySelector('parsererror') !== null, '<a><b></a>');
    await p.close();
    return r;
  })(), false);
});
