/**
 * The page at `/` in headless Chromium (Debian's, driven by playwright-core): dev sign-in, subscribe,
 * live events from other clients, the XSS file name rendered inert, publish from the form, a hub
 * restart on the same port and SQLite file with the page resuming (no seq lost or repeated), and no
 * credential outside memory.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestHub, removeDir, TestClient, token, upload, ALICE, BOB, type TestHub } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP = !existsSync(CHROMIUM) && `${CHROMIUM} missing (apt-get install -y chromium)`;
const XSS = '<img src=x onerror=alert(1)>';

let browser: Browser | undefined;
async function newPage(): Promise<Page> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  return page;
}
const hubs: TestHub[] = [];
after(async () => {
  await browser?.close();
  for (const h of hubs) await h.close(1000);
  for (const dir of new Set(hubs.map((h) => h.dir))) removeDir(dir);
});

// The hub announces `session.expiring` 3 s into each 15-minute dev token, so the page's refresh runs during the test.
const EXPIRING_NOTICE_MS = 15 * 60_000 - 3_000;

async function hub(overrides: { port?: number; devMode?: boolean } = {}, dir?: string): Promise<TestHub> {
  const h = await startTestHub({ devMode: true, ...overrides }, { guard: { expiringNoticeMs: EXPIRING_NOTICE_MS }, ...(dir === undefined ? {} : { dir }) });
  hubs.push(h);
  return h;
}

/** Server-side publish over the HTTP API: what a backend job would do. */
async function publishHttp(h: TestHub, bearer: string, path: string): Promise<number> {
  const res = await fetch(`${h.url}/api/channels/${encodeURIComponent('files:acme')}/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ type: 'file_upload', payload: upload('files:acme', path, 2048) }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { seq: number }).seq;
}

const state = (page: Page) => page.locator('#state').getAttribute('data-state');
const reconnects = async (page: Page) => Number(await page.locator('#reconnects').textContent());

/** Seqs of the rows for a channel, oldest first (the table shows the newest on top). */
function seqs(page: Page, channel = 'files:acme'): Promise<number[]> {
  return page.$$eval('#event-rows tr', (rows, ch) => rows.filter((r) => (r as HTMLElement).dataset.channel === ch).map((r) => Number((r as HTMLElement).dataset.seq)).reverse(), channel);
}

async function waitForRow(page: Page, seq: number, channel = 'files:acme'): Promise<void> {
  await page.locator(`#event-rows tr[data-channel="${channel}"][data-seq="${seq}"]`).waitFor();
}

test('the page: sign in, live events, inert XSS, publish form, resume after a hub restart, credentials in memory only', { skip: SKIP, timeout: 90_000 }, async () => {
  let h = await hub();
  const page = await newPage();

  const dialogs: string[] = [];
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  const requestUrls: string[] = [];
  const wsUrls: string[] = [];
  const devTokens: Promise<string>[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requestUrls.push(r.url()));
  page.on('websocket', (ws) => wsUrls.push(ws.url()));
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/dev/token') devTokens.push(r.json().then((b: { token: string }) => b.token));
  });
  // CSP violations are reported to the page as events, whether or not Chromium also logs them.
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });

  // Sign in as a demo user, subscribe.
  await page.goto(h.url);
  await page.getByRole('button', { name: 'Sign in as alice' }).click();
  await page.locator('#state[data-state="open"]').waitFor();
  assert.equal(await page.locator('#user').textContent(), 'alice');
  assert.match(await page.locator('#subscribe-patterns').innerText(), /files:acme\/\*/);
  await page.getByLabel('Channel to subscribe to').fill('files:acme');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.locator('#subscriptions li[data-channel="files:acme"][data-ready="true"]').waitFor();

  // A channel outside alice's perms is refused, and the page says so.
  await page.getByLabel('Channel to subscribe to').fill('files:globex');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.locator('#channel-error', { hasText: 'forbidden' }).waitFor();

  // Events from a second client arrive live; the XSS file name is plain text.
  const publisherToken = await token('uploader', ALICE);
  const other = await TestClient.connect(h, publisherToken);
  const ack = await other.request('file_upload', upload('files:acme', 'reports/q3.pdf', 123_456));
  assert.deepEqual(ack.type === 'ack' && ack.payload.seq, 1);
  await waitForRow(page, 1);
  const first = await page.locator('#event-rows tr[data-seq="1"] td').allTextContents();
  assert.deepEqual([first[0], first[1], first[2], first[3], first[5], first[6]], ['upload', 'files:acme', '1', 'reports/q3.pdf', 'application/pdf', 'uploader']);
  const xssAck = await other.request('file_upload', upload('files:acme', XSS));
  assert.deepEqual(xssAck.type === 'ack' && xssAck.payload.seq, 2);
  await waitForRow(page, 2);
  assert.equal(await page.locator('#event-rows tr[data-seq="2"] td.path').textContent(), XSS);
  assert.equal(await page.locator('#events img').count(), 0);
  other.close();

  // Publish from the page's form: the ack's seq is shown and the event comes back as a row.
  await page.getByLabel('Path').fill('from-page/notes.txt');
  await page.getByLabel('Size (bytes)').fill('42');
  await page.getByLabel('MIME type').fill('text/plain');
  await page.getByRole('button', { name: 'Random' }).click();
  assert.match(await page.getByLabel('SHA-256').inputValue(), /^[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.locator('#publish-result[data-seq="3"]', { hasText: 'stored as seq 3' }).waitFor();
  await waitForRow(page, 3);
  assert.equal(await page.locator('#event-rows tr[data-seq="3"] td').nth(6).textContent(), 'alice');
  // A refused publish shows the error code.
  await page.getByLabel('SHA-256').fill('not-a-hash');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.locator('#publish-result', { hasText: 'refused: invalid_message' }).waitFor();

  // Restart the hub on the same port and SQLite file. Ticket requests are blocked meanwhile, so the
  // page stays disconnected while the new hub stores events it has to replay.
  await page.route('**/api/tickets', (route) => route.abort());
  const { port, dir } = h;
  await h.close();
  await page.locator('#state[data-state="reconnecting"]').waitFor();
  h = await hub({ port }, dir);
  const missed: number[] = [];
  for (let i = 0; i < 4; i++) missed.push(await publishHttp(h, publisherToken, `while-away/${i}.bin`));
  assert.deepEqual(missed, [4, 5, 6, 7]);
  assert.equal(await state(page), 'reconnecting');
  await page.unroute('**/api/tickets');
  await page.locator('#state[data-state="open"]').waitFor({ timeout: 30_000 });
  assert.ok((await reconnects(page)) >= 1);
  for (let i = 0; i < 3; i++) await publishHttp(h, publisherToken, `live/${i}.bin`);
  await waitForRow(page, 10);
  assert.deepEqual(await seqs(page), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(await page.locator('#event-rows tr[data-seq="2"] td.path').textContent(), XSS);

  const shot = join(dir, 'page.png');
  await page.screenshot({ path: shot, fullPage: true });
  // WSGUARD_PAGE_SCREENSHOT=docs/page.png refreshes the docs' picture.
  if (process.env.WSGUARD_PAGE_SCREENSHOT) copyFileSync(shot, process.env.WSGUARD_PAGE_SCREENSHOT);

  // Unsubscribe: once a later subscribe is confirmed (same socket, handled in order), files:acme is silent.
  await page.getByRole('button', { name: 'Unsubscribe from files:acme' }).click();
  await page.getByLabel('Channel to subscribe to').fill('files:acme/reports');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.locator('#subscriptions li[data-channel="files:acme/reports"][data-ready="true"]').waitFor();
  assert.equal(await page.locator('#subscriptions li[data-channel="files:acme"]').count(), 0);
  assert.equal(await publishHttp(h, publisherToken, 'after-unsubscribe.bin'), 11);
  const reports = await TestClient.connect(h, publisherToken);
  const reportAck = await reports.request('file_delete', { channel: 'files:acme/reports', path: 'old.pdf' });
  assert.deepEqual(reportAck.type === 'ack' && reportAck.payload.seq, 1);
  reports.close();
  await waitForRow(page, 1, 'files:acme/reports');
  assert.deepEqual(await page.locator('#event-rows tr[data-channel="files:acme/reports"] td').allTextContents().then((c) => [c[0], c[4]]), ['delete', '—']);
  assert.deepEqual(await seqs(page), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  // Dev mode: the token was refreshed from /api/dev/token (auth.refresh) and the session stayed up.
  for (let i = 0; i < 100 && devTokens.length < 2; i++) await page.waitForTimeout(100);
  assert.ok(devTokens.length >= 2, 'no token refresh');
  assert.equal(await state(page), 'open');
  // The log holds the two refusals of this session (subscription, publish) and no other error.
  const errors = await page.locator('#log .log-error span').allTextContents();
  assert.deepEqual(errors.reverse(), ['subscription to files:globex refused: forbidden', 'publish file_upload to files:acme refused: invalid_message']);
  assert.ok((await page.locator('#log li span').allTextContents()).includes('published file_upload from-page/notes.txt to files:acme: seq 3'));
  // /favicon.ico answers (no 404 in the console).
  const icon = await fetch(`${h.url}/favicon.ico`);
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get('content-type'), 'image/x-icon');
  // (The aborted ticket requests during the restart are the only failed loads.)
  assert.deepEqual(consoleLines.filter((l) => l.startsWith('error:') && !l.endsWith('net::ERR_FAILED')), []);

  // Nothing ran from the wire, CSP allowed everything the page does (ws://same-origin included).
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
  assert.deepEqual(consoleLines.filter((l) => /content security policy/i.test(l)), []);

  // The token lives in memory only: not in storage, cookies, the URL, or any request or WebSocket URL.
  const tokens = await Promise.all(devTokens);
  assert.ok(tokens.length >= 1);
  const exposed = await page.evaluate(() => [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.cookie, location.href]);
  for (const t of tokens) {
    for (const place of [...exposed, ...requestUrls, ...wsUrls]) assert.ok(!place.includes(t), `token found in ${place.slice(0, 80)}`);
  }
  assert.ok(wsUrls.length >= 2);
  for (const u of wsUrls) assert.match(u, new RegExp(`^ws://127\\.0\\.0\\.1:${port}/ws\\?ticket=[A-Za-z0-9_-]+$`));
});

test('the page without dev mode: no demo users, a refused token is reported, a pasted token signs in', { skip: SKIP, timeout: 60_000 }, async () => {
  const h = await hub({ devMode: false });
  const page = await newPage();
  await page.goto(h.url);
  const field = page.getByLabel('JSON Web Token');
  await field.waitFor();
  assert.equal(await page.locator('#demo').isHidden(), true);
  await field.fill('not.a.token');
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await page.locator('#sign-in-error', { hasText: 'refused this token' }).waitFor();
  await field.fill(await token('bob', BOB));
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await page.locator('#state[data-state="open"]').waitFor();
  assert.equal(await field.inputValue(), ''); // not left in the DOM
  assert.equal(await page.locator('#user').textContent(), 'bob');
  await page.getByLabel('Channel to subscribe to').fill('files:globex');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.locator('#subscriptions li[data-channel="files:globex"][data-ready="true"]').waitFor();
  // Publishing outside the token's perms shows the hub's answer.
  await page.getByLabel('Channel', { exact: true }).fill('files:acme');
  await page.getByLabel('Path').fill('x.pdf');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await page.locator('#publish-result', { hasText: 'refused: forbidden' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#state[data-state="signed-out"]').waitFor();
  assert.equal(await page.locator('#workspace').isHidden(), true);
  await page.close();
});

test('the page with a pasted token: the time left in the header, a banner before it expires, and one saying it has', { skip: SKIP, timeout: 90_000 }, async () => {
  const h = await hub({ devMode: false });
  const page = await newPage();
  await page.goto(h.url);
  // 24 s: the banner comes a quarter of the lifetime before expiry (6 s), 5 minutes for real tokens.
  const issued = Date.now();
  await page.getByLabel('JSON Web Token').fill(await token('bob', BOB, 24));
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await page.locator('#state[data-state="open"]').waitFor();
  const label = page.locator('#token-expiry');
  const banner = page.locator('#token-banner');
  assert.match((await label.textContent()) ?? '', /^token expires in 0:[0-2]\d$/);
  if (Date.now() - issued < 15_000) assert.equal(await banner.isHidden(), true, 'no warning while plenty of time is left');
  // Warned before expiry, visibly, with the time left.
  await page.locator('#token-banner[data-state="warn"]').waitFor({ state: 'visible', timeout: 30_000 });
  assert.ok(Date.now() < issued + 24_000, 'the warning came before the expiry');
  assert.match((await banner.textContent()) ?? '', /^Your token expires in 0:0[0-6] \(at .+\)\. This page cannot renew a pasted token: sign out and sign in with a new one before then\.$/);
  assert.equal(await label.getAttribute('data-state'), 'warn');
  // Expired: said plainly, and the hub has closed the connection.
  await page.locator('#token-banner[data-state="expired"]').waitFor({ state: 'visible', timeout: 30_000 });
  assert.match((await banner.textContent()) ?? '', /^Your token expired at .+\. The hub closes the connection and refuses new ones: sign out and sign in with a new token\.$/);
  assert.equal(await label.textContent(), 'token expired');
  await page.locator('#log li', { hasText: 'the token expired at' }).waitFor();
  await page.locator('#state:not([data-state="open"])').waitFor({ timeout: 20_000 });
  // Signing out clears both.
  await page.getByRole('button', { name: 'Sign out' }).click();
  assert.equal(await banner.isHidden(), true);
  assert.equal(await label.isHidden(), true);
  await page.close();
});

test('the page with short idle timers: a quiet subscription stays live; with none the hub closes the connection as idle and the page says so, then resumes', { skip: SKIP, timeout: 60_000 }, async () => {
  const h = await startTestHub({ devMode: true }, { guard: { heartbeatMs: 400, idleTimeoutMs: 1500 } });
  hubs.push(h);
  const page = await newPage();
  await page.goto(h.url);
  await page.getByRole('button', { name: 'Sign in as alice' }).click();
  await page.locator('#state[data-state="open"]').waitFor();
  await page.getByLabel('Channel to subscribe to').fill('files:acme');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  const row = page.locator('#subscriptions li[data-channel="files:acme"]');
  await page.locator('#subscriptions li[data-channel="files:acme"][data-status="live"]').waitFor();
  // (Signed in but not yet subscribed, the page may already have been closed as idle once and come back.)
  const before = await reconnects(page);

  // Witness: a silent socket opened after the subscription is closed as idle (4408); the page's stays up.
  const witness = await TestClient.connect(h, await token('witness', ALICE));
  await witness.until(() => false, 10_000).catch(() => {});
  assert.equal(witness.closeCode, 4408);
  assert.equal(await state(page), 'open');
  assert.equal(await reconnects(page), before);
  assert.equal(await row.getAttribute('data-status'), 'live');
  const bearer = await token('uploader', ALICE);
  assert.equal(await publishHttp(h, bearer, 'after-quiet.pdf'), 1);
  await waitForRow(page, 1);

  // Unsubscribed, the connection is idle: closed with 4408, shown as idle (not "disconnected for good").
  await page.getByRole('button', { name: 'Unsubscribe from files:acme' }).click();
  await page.locator('#state[data-state="idle"]').waitFor();
  const log = await page.locator('#log li span').allTextContents();
  assert.ok(log.some((l) => l.includes('closed the idle connection')), log.join(' | '));
  assert.ok(!log.some((l) => l.includes('for good')));
  // Subscribing again reconnects and resumes live.
  await page.getByLabel('Channel to subscribe to').fill('files:acme');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.locator('#subscriptions li[data-channel="files:acme"][data-status="live"]').waitFor();
  assert.equal(await state(page), 'open');
  // Waking from idle is not a lost connection: not counted, not logged as one.
  const woken = await page.locator('#log li span').allTextContents();
  assert.ok(woken.some((l) => l.includes('connecting again (the connection was idle)')), woken.join(' | '));
  assert.ok(!woken.some((l) => l.includes('connection lost')), woken.join(' | '));
  assert.equal(await reconnects(page), before);
  assert.equal(await publishHttp(h, bearer, 'resumed.pdf'), 2);
  await waitForRow(page, 2);

  // The hub going away: the row says it is waiting, not live.
  await page.route('**/api/tickets', (route) => route.abort());
  await h.close();
  await page.locator('#subscriptions li[data-channel="files:acme"][data-status="waiting"]').waitFor();
  assert.match((await row.textContent()) ?? '', /waiting for the connection · seq 2/);
  await page.close();
});

test('the page when the hub stops accepting its token: the log names HTTP 401 invalid_token and the page stops (no silent reconnect loop)', { skip: SKIP, timeout: 60_000 }, async () => {
  const h = await startTestHub({ devMode: false });
  hubs.push(h);
  const page = await newPage();
  await page.goto(h.url);
  await page.getByLabel('JSON Web Token').fill(await token('bob', BOB));
  await page.getByRole('button', { name: 'Sign in with token' }).click();
  await page.locator('#state[data-state="open"]').waitFor();
  // The hub comes back on the same port with another secret: bob's token is now refused.
  const { port } = h;
  await h.close();
  const other = await startTestHub({ devMode: false, port, jwt: { secret: 'another-secret-'.padEnd(43, 'x') } });
  hubs.push(other);
  await page.locator('#state[data-state="closed"]').waitFor({ timeout: 30_000 });
  const errors = await page.locator('#log .log-error span').allTextContents();
  assert.ok(errors.some((l) => l.startsWith('auth_failed (HTTP 401 invalid_token)')), errors.join(' | '));
  assert.ok(errors.some((l) => l.includes('disconnected for good')), errors.join(' | '));
  await page.close();
});
