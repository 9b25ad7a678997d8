/**
 * The hub's live page: sign in, subscribe to channels, watch file events, publish one.
 * Every value that comes from the wire or the user is rendered with textContent (never innerHTML),
 * so a file named `<img src=x onerror=alert(1)>` is just text.
 */
import { createClient, ClientError } from '/vendor/wsguard-client.js';
import { fetchInfo, formatRemaining, HttpError, Session, tokenExpiry } from '/session.js';

const MAX_ROWS = 1000;
const MAX_LOG = 100;
const $ = (id) => document.getElementById(id);

/** Creates an element with text content and optional classes. */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

let info = { wsPath: '/ws', devMode: false, demoUsers: [] };
/** The signed-in state: { session, client, subs: Map<channel, { sub, item }> }; undefined when signed out. */
let current;

function log(message, level = 'info') {
  const item = el('li', undefined, `log-${level === 'error' ? 'error' : 'info'}`);
  item.append(el('time', new Date().toLocaleTimeString()), el('span', message));
  const list = $('log');
  list.prepend(item);
  while (list.children.length > MAX_LOG) list.lastElementChild.remove();
}

function errorCode(err) {
  return typeof err?.code === 'string' ? err.code : err instanceof Error ? err.message : 'error';
}

// ---- connection state ----

function renderState() {
  const badge = $('state');
  const state = current ? current.client.state : 'signed-out';
  badge.dataset.state = state;
  badge.className = `badge state-${state}`;
  badge.textContent = current ? state : 'signed out';
  badge.title = STATE_HELP[state] ?? '';
  $('reconnects').textContent = String(current?.client.reconnects ?? 0);
  for (const entry of current?.subs.values() ?? []) renderSubscription(entry);
}

const STATE_HELP = {
  idle: 'The hub closed the idle connection (no subscription); it reconnects on the next subscribe or publish.',
  closed: 'Disconnected for good: sign in again.',
};

/**
 * A subscription row tells the truth: live only while the server has confirmed it on an open
 * connection; otherwise waiting (reconnecting or resubscribing), refused, or stopped.
 */
function renderSubscription(entry) {
  const { sub, item, status } = entry;
  const seq = sub.lastSeq === undefined ? '' : ` · seq ${sub.lastSeq}`;
  let view;
  if (sub.status === 'live' && current?.client.state === 'open') view = ['live', `live${seq}`];
  else if (sub.status === 'pending') view = current?.client.state === 'open' ? ['pending', `subscribing…${seq}`] : ['waiting', `waiting for the connection${seq}`];
  else if (sub.status === 'refused') view = ['refused', 'refused'];
  else view = ['stopped', `stopped${seq}`];
  item.dataset.status = view[0];
  status.textContent = view[1];
}

// ---- token expiry ----

/**
 * A pasted token cannot be renewed from this tab (dev-mode tokens are, before they expire): the
 * header shows the time left, and a banner warns before it runs out and says when it has, since the
 * hub then closes the connection and refuses new ones.
 */
let expiryTimer;

function renderExpiry() {
  const label = $('token-expiry');
  const banner = $('token-banner');
  const session = current?.session;
  if (!session || session.demoUser || session.exp === undefined) {
    label.hidden = true;
    banner.hidden = true;
    return;
  }
  const { state, left } = tokenExpiry(session.exp, session.iat, Date.now());
  const at = new Date(session.exp * 1000).toLocaleTimeString();
  label.hidden = false;
  label.dataset.state = state;
  label.textContent = state === 'expired' ? 'token expired' : `token expires in ${formatRemaining(left)}`;
  label.title = `The token expires at ${at}.`;
  banner.hidden = state === 'ok';
  banner.dataset.state = state;
  if (state === 'warn') banner.textContent = `Your token expires in ${formatRemaining(left)} (at ${at}). This page cannot renew a pasted token: sign out and sign in with a new one before then.`;
  if (state === 'expired') banner.textContent = `Your token expired at ${at}. The hub closes the connection and refuses new ones: sign out and sign in with a new token.`;
  if (state !== current.expiryState) {
    if (state === 'warn') log(`the token expires in ${formatRemaining(left)}`, 'error');
    if (state === 'expired') log(`the token expired at ${at}`, 'error');
    current.expiryState = state;
  }
}

function watchExpiry() {
  clearInterval(expiryTimer);
  expiryTimer = setInterval(renderExpiry, 1000);
  renderExpiry();
}

// ---- sign in / out ----

function wsUrl() {
  const url = new URL(info.wsPath, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.toString();
}

let signingIn = false;

async function signIn(makeSession) {
  if (current || signingIn) return; // a double click must not open two connections
  signingIn = true;
  $('sign-in-error').textContent = '';
  let session;
  let firstTicket;
  try {
    session = await makeSession();
    firstTicket = await session.firstTicket();
  } catch (err) {
    $('sign-in-error').textContent = err instanceof HttpError && err.status === 401 ? 'The hub refused this token (invalid or expired).' : `Sign-in failed: ${errorCode(err)}`;
    return;
  } finally {
    signingIn = false;
  }
  let lastState = 'connecting';
  const client = createClient({
    url: wsUrl(),
    // The ticket checked at sign-in serves the first connection; every later attempt gets a new one.
    ticket: async () => {
      const t = firstTicket;
      firstTicket = undefined;
      if (t) return t;
      try {
        return await session.ticket();
      } catch (err) {
        // A browser cannot see why a handshake was refused, but the ticket request says it: a refused
        // token is reported with its status and code, and the SDK stops after a few such refusals.
        if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
          throw new ClientError('auth_failed', `the hub refused the token (HTTP ${err.status} ${err.code})`, { status: err.status, reason: err.code });
        }
        throw err;
      }
    },
    // Dev mode can mint a new token before expiry (auth.refresh); a pasted token cannot be renewed.
    ...(session.demoUser
      ? {
          token: async () => {
            const t = await session.refresh();
            log('token refreshed');
            return t;
          },
        }
      : {}),
    onState: (state) => {
      const previous = lastState;
      lastState = state;
      renderState();
      if (state === 'open') log(previous === 'reconnecting' && client.reconnects > 0 ? `reconnected (${client.reconnects})` : 'connected');
      // Waking from idle is not a loss: the app needs the connection again (a subscribe or a publish).
      else if (state === 'connecting' && previous === 'idle') log('connecting again (the connection was idle)');
      // Only a connection that was open can be lost; a first attempt that failed is retried (its error is logged).
      else if (state === 'reconnecting') log(previous === 'open' ? 'connection lost, reconnecting…' : 'cannot connect, retrying…');
      else if (state === 'idle') log('the hub closed the idle connection (no subscription); it reconnects when needed');
      else if (state === 'closed') log('disconnected for good: sign in again', 'error');
    },
    onError: (err) => {
      const http = typeof err.status === 'number' ? ` (HTTP ${err.status}${err.reason ? ` ${err.reason}` : ''})` : '';
      log(`${errorCode(err)}${http}: ${err.message}`, 'error');
    },
  });
  current = { session, client, subs: new Map() };
  $('token-input').value = '';
  $('user').textContent = session.sub;
  $('user').hidden = false;
  $('sign-out').hidden = false;
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  renderPatterns(session.perms);
  renderState();
  log(`signed in as ${session.sub}`);
  watchExpiry();
  $('channel-input').focus();
}

function signOut() {
  if (!current) return;
  current.session.closed = true;
  current.client.close();
  current.session.token = undefined;
  current = undefined;
  $('subscriptions').replaceChildren();
  clearEvents();
  $('log').replaceChildren();
  $('publish-result').textContent = '';
  $('user').hidden = true;
  $('sign-out').hidden = true;
  $('workspace').hidden = true;
  $('sign-in').hidden = false;
  clearInterval(expiryTimer);
  renderExpiry();
  renderState();
}

function renderDemoUsers() {
  const list = $('demo-users');
  list.replaceChildren();
  for (const u of info.demoUsers) {
    const button = el('button', `Sign in as ${u.sub}`);
    button.type = 'button';
    button.dataset.user = u.sub;
    button.addEventListener('click', () => void signIn(() => Session.demo(u.sub)));
    const item = el('li');
    item.append(button, el('span', u.description, 'muted small'));
    list.append(item);
  }
  $('demo').hidden = !info.devMode || info.demoUsers.length === 0;
}

// ---- channels ----

/** Shows the token's patterns as clickable hints and datalist suggestions. */
function renderPatterns(perms) {
  for (const [kind, input] of [['subscribe', 'channel-input'], ['publish', 'pub-channel']]) {
    const list = perms[kind];
    const hints = $(`${kind}-patterns`);
    hints.replaceChildren();
    if (list.length === 0) hints.append(el('span', 'nothing'));
    for (const p of list) {
      const chip = el('button', p, 'chip');
      chip.type = 'button';
      chip.title = p.endsWith('/*') ? 'any channel below this prefix' : 'this channel';
      chip.addEventListener('click', () => {
        $(input).value = p.endsWith('/*') ? p.slice(0, -1) : p;
        $(input).focus();
      });
      hints.append(chip);
    }
    $(`${kind}-hints`).replaceChildren(...list.filter((p) => !p.endsWith('/*')).map((p) => Object.assign(el('option'), { value: p })));
  }
  $('pub-channel').value = perms.publish.find((p) => !p.endsWith('/*')) ?? '';
}

function subscribe(channel) {
  const box = $('channel-error');
  box.textContent = '';
  if (!current || channel === '') return;
  const { client, subs } = current;
  if (subs.has(channel)) {
    box.textContent = `Already subscribed to ${channel}.`;
    return;
  }
  const item = el('li', undefined, 'subscription');
  item.dataset.channel = channel;
  const status = el('span', 'subscribing…', 'muted small');
  const button = el('button', 'Unsubscribe', 'secondary');
  button.type = 'button';
  button.setAttribute('aria-label', `Unsubscribe from ${channel}`);
  item.append(el('span', channel, 'mono'), status, button);
  let sub;
  let entry;
  const refresh = () => entry && renderSubscription(entry);
  try {
    sub = client.subscribe(channel, {
      onEvent: (e) => {
        addEvent(e);
        refresh();
      },
      onStatus: refresh,
      onHistoryGone: (gone) => log(`history gone on ${gone.channel}: events after seq ${gone.lastSeq} are past retention; continuing live`, 'error'),
      onError: (err) => {
        subs.delete(channel);
        item.remove();
        box.textContent = `Cannot subscribe to ${channel}: ${errorCode(err)}`;
        log(`subscription to ${channel} refused: ${errorCode(err)}`, 'error');
      },
    });
  } catch (err) {
    box.textContent = `Cannot subscribe to ${channel}: ${errorCode(err)}`;
    return;
  }
  entry = { sub, item, status };
  renderSubscription(entry);
  sub.ready.then(
    () => {
      item.dataset.ready = 'true';
      refresh();
    },
    () => {},
  );
  button.addEventListener('click', () => {
    sub.unsubscribe();
    subs.delete(channel);
    item.remove();
    log(`unsubscribed from ${channel}`);
  });
  subs.set(channel, entry);
  $('subscriptions').append(item);
  log(`subscribing to ${channel}`);
}

// ---- events ----

function formatSize(n) {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function addEvent(e) {
  const row = el('tr');
  row.dataset.channel = e.channel;
  row.dataset.seq = String(e.seq);
  const at = new Date(e.at);
  const atText = Number.isNaN(at.getTime()) ? String(e.at) : at.toLocaleTimeString();
  const cells = [
    el('td', e.kind === 'file_delete' ? 'delete' : 'upload', e.kind === 'file_delete' ? 'kind kind-delete' : 'kind kind-upload'),
    el('td', e.channel, 'mono'),
    el('td', e.seq, 'num'),
    el('td', e.path, 'path mono'),
    el('td', formatSize(e.size), 'num'),
    el('td', e.mime ?? '—'),
    el('td', e.by),
    el('td', atText, 'nowrap'),
  ];
  if (typeof e.size === 'number') cells[4].title = `${e.size} bytes`;
  if (typeof e.sha256 === 'string') cells[3].title = `sha256 ${e.sha256}`;
  cells[7].title = String(e.at);
  row.append(...cells);
  const rows = $('event-rows');
  rows.prepend(row); // newest first
  while (rows.rows.length > MAX_ROWS) rows.lastElementChild.remove();
  $('event-count').textContent = String(rows.rows.length);
  $('no-events').hidden = true;
}

function clearEvents() {
  $('event-rows').replaceChildren();
  $('event-count').textContent = '0';
  $('no-events').hidden = false;
}

// ---- publish ----

function randomSha256() {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function syncKind() {
  const upload = $('pub-kind').value === 'file_upload';
  for (const node of document.querySelectorAll('.upload-only')) node.disabled = !upload;
  $('publish-form').classList.toggle('is-delete', !upload);
}

async function publish() {
  if (!current) return;
  const out = $('publish-result');
  const kind = $('pub-kind').value;
  const payload = { channel: $('pub-channel').value.trim(), path: $('pub-path').value };
  if (kind === 'file_upload') {
    Object.assign(payload, { size: Number($('pub-size').value), mime: $('pub-mime').value.trim(), sha256: $('pub-sha').value.trim() });
  }
  out.className = 'muted';
  out.textContent = 'publishing…';
  delete out.dataset.seq;
  $('publish').disabled = true;
  try {
    const seq = await current.client.publish(kind, payload);
    out.className = 'ok';
    out.textContent = `stored as seq ${seq}`;
    out.dataset.seq = String(seq);
    log(`published ${kind} ${payload.path} to ${payload.channel}: seq ${seq}`);
  } catch (err) {
    out.className = 'error';
    out.textContent = `refused: ${errorCode(err)}`;
    log(`publish ${kind} to ${payload.channel} refused: ${errorCode(err)}`, 'error');
  } finally {
    $('publish').disabled = false;
  }
}

// ---- wiring ----

function init() {
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token-input').value.trim();
    if (token) void signIn(async () => new Session(token));
  });
  $('sign-out').addEventListener('click', signOut);
  $('subscribe-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    subscribe($('channel-input').value.trim());
  });
  $('publish-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void publish();
  });
  $('pub-kind').addEventListener('change', syncKind);
  $('random-sha').addEventListener('click', () => {
    $('pub-sha').value = randomSha256();
  });
  $('clear-events').addEventListener('click', clearEvents);
  $('pub-sha').value = randomSha256();
  syncKind();
  renderState();
  fetchInfo().then(
    (i) => {
      info = { wsPath: typeof i.wsPath === 'string' ? i.wsPath : '/ws', devMode: i.devMode === true, demoUsers: Array.isArray(i.demoUsers) ? i.demoUsers : [] };
      renderDemoUsers();
    },
    (err) => {
      $('sign-in-error').textContent = `Cannot reach the hub: ${errorCode(err)}`;
    },
  );
}

init();
