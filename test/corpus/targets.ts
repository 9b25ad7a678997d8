/**
 * The audit corpus: real third-party WebSocket servers at published versions, each with the
 * weaknesses its own docs, changelog or advisories state (the ground truth), and what an operator
 * would give the auditor. Servers come from test/corpus/package.json (npm, `npm run corpus:install`)
 * and Debian packages (python3-websockets, python3-tornado, python3-aiohttp; .ci/run installs them).
 *
 * Counting: a finding claims a weakness when its severity is low or above and its confidence is
 * not tentative; info findings and tentative ones are observations, not claims.
 */
import type { AuditOptionsInput } from '../../src/audit/options.js';

export interface Weakness {
  check: string;
  /** What the source says, briefly. */
  why: string;
  source: string;
  /** Only the intrusive profile can show it. */
  intrusive?: boolean;
  /** The weakness is that the input takes the server down (WSG-LIVE-01/02 naming this check back it). */
  crash?: boolean;
}

export interface CorpusTarget {
  name: string;
  /** Package and version, as installed. */
  software: string;
  /** Command that prints `LISTEN <port>` once it listens on 127.0.0.1. */
  command: string[];
  /** What must be installed: an npm package in test/corpus, or a Debian package. */
  needs: { npm?: string; debian?: string; python?: string };
  path: string;
  audit: AuditOptionsInput;
  weaknesses: Weakness[];
  /** In the CI test (a few targets, to keep CI time modest). */
  ci?: boolean;
}

const node = (script: string) => [process.execPath, `test/corpus/targets/${script}`];
const python = (script: string) => ['/usr/bin/python3', `test/corpus/targets/${script}`];

const WS_NO_HEARTBEAT: Weakness = { check: 'WSG-SESSION-03', why: 'ws sends no pings: the README\'s "How to detect and close broken connections?" leaves it to the application', source: 'ws README' };
/** Intrusive-profile facts common to these libraries: none of them offers the limit (their option lists have none). */
const noRateLimit = (lib: string): Weakness => ({ check: 'WSG-LIMIT-05', why: `${lib} has no per-connection message rate limit`, source: `${lib} docs (no such option); OWASP WebSocket cheat sheet`, intrusive: true });
const noFragmentCap = (lib: string, src: string): Weakness => ({ check: 'WSG-LIMIT-03', why: `${lib} caps only the reassembled size, not the number of continuation frames`, source: src, intrusive: true });
const laxLength = (lib: string, src: string): Weakness => ({ check: 'WSG-PROTO-02', why: `${lib}'s frame parser does not require the minimal payload-length encoding (RFC 6455 §5.2)`, source: src, intrusive: true });

/**
 * LIMIT-09 shows two things here: the ReDoS, and a crash: past Node's maxHeadersCount (2000) the
 * Upgrade header is dropped while the parser still emits 'upgrade', and handleUpgrade calls
 * req.headers.upgrade.toLowerCase() on undefined (websocket-server.js, ws 6 and 7.4.x).
 */
const WS_CVE_2021_32640: Weakness = { check: 'WSG-LIMIT-09', why: 'ReDoS in the Sec-WebSocket-Protocol parser (CVE-2021-32640, fixed in 7.4.6 / 6.2.2); handleUpgrade throws on a request whose Upgrade header Node dropped', source: 'GHSA-6fc8-4gx4-v693; ws 7.4.5 lib/websocket-server.js handleUpgrade', intrusive: true, crash: true };
const WS_CVE_2021_32640_5: Weakness = { ...WS_CVE_2021_32640, why: 'ReDoS in the Sec-WebSocket-Protocol parser (CVE-2021-32640, fixed in 5.2.3); handleUpgrade throws on a request whose Upgrade header Node dropped', source: 'GHSA-6fc8-4gx4-v693; ws 5.2.2 lib/websocket-server.js handleUpgrade' };
/** The corpus apps check their credential on every upgrade and throttle nothing (ws offers no such option). */
const noLoginThrottle = (app: string): Weakness => ({ check: 'WSG-AUTH-06', why: 'wrong credentials are refused at full speed, with no throttling or lockout', source: `the app (test/corpus/targets/${app}); ws doc/ws.md (no such option)`, intrusive: true });
const noConnCap = (lib: string, src: string): Weakness => ({ check: 'WSG-LIMIT-06', why: `${lib} has no per-client connection cap`, source: src, intrusive: true });

export const CORPUS: CorpusTarget[] = [
  {
    name: 'ws7-cookie',
    software: 'ws 7.4.5 (npm), cookie login on upgrade',
    command: node('ws7-cookie.mjs'),
    needs: { npm: 'ws7' },
    path: '/',
    audit: { credentials: { cookie: 'sid=corpus-alice' }, canary: 'whoami', canaryExpect: '"user"', messages: ['whoami'] },
    ci: true,
    weaknesses: [
      { check: 'WSG-ORIGIN-01', why: 'ws checks no Origin (verifyClient/upgrade handler is the application\'s job); with a session cookie any page can open the socket as the user', source: 'ws doc/ws.md (verifyClient, origin); README client authentication example' },
      { check: 'WSG-LIMIT-01', why: 'maxPayload defaults to 100 MiB', source: 'ws 7 doc/ws.md: maxPayload default 104857600' },
      WS_NO_HEARTBEAT,
      WS_CVE_2021_32640,
      // Was intrusive only ("ws 7 shows nothing to identify it"): ws 7.4.5's abortHandshake refusal
      // (three headers, "Bad Request" body) identifies it, and the safe timed trigger shows the split.
      { check: 'WSG-FINGER-03', why: 'a version in the CVE-2021-32640 range (no banner: its abortHandshake refusal identifies ws 7, and the Sec-WebSocket-Protocol parse time, growing quadratically, is the advisory\'s own proof)', source: 'GHSA-6fc8-4gx4-v693; ws 7.4.5 lib/websocket-server.js (abortHandshake; completeUpgrade: protocol.trim().split(/ *, */))' },
      noRateLimit('ws'), noFragmentCap('ws', 'ws doc/ws.md (maxPayload only)'), laxLength('ws', 'ws 7 lib/receiver.js getPayloadLength16/64'), noConnCap('ws', 'ws doc/ws.md (no such option)'),
      noLoginThrottle('ws7-cookie.mjs'),
    ],
  },
  {
    name: 'ws6-token',
    software: 'ws 6.2.1 (npm), token in the query string',
    command: node('ws6-token.mjs'),
    needs: { npm: 'ws6' },
    path: '/',
    audit: { credentials: { token: 'corpus-token-alice', tokenIn: 'query', tokenParam: 'token' }, canary: 'whoami', canaryExpect: '"user"', messages: ['whoami'] },
    weaknesses: [
      { check: 'WSG-LIMIT-01', why: 'maxPayload defaults to 100 MiB', source: 'ws 6 doc/ws.md: maxPayload default 104857600' },
      WS_NO_HEARTBEAT,
      WS_CVE_2021_32640,
      { check: 'WSG-FINGER-03', why: 'a version in the CVE-2021-32640 range (ws sends no banner; its "Content-type" refusal identifies ws 4–6, and the Sec-WebSocket-Protocol parse time, growing quadratically, is the advisory\'s own proof)', source: 'GHSA-6fc8-4gx4-v693; ws 6.2.1 lib/websocket-server.js (abortHandshake, handleUpgrade)' },
      { check: 'WSG-ORIGIN-01', why: 'ws checks no Origin (the application\'s verifyClient must): a page on any origin that holds the token gets in', source: 'ws 6 doc/ws.md (verifyClient, info.origin)' },
      { check: 'WSG-PROTO-01', why: 'the ws 6 receiver never requires the MASK bit on client frames (ws 7.0.0 made the server reject unmasked frames)', source: 'ws 6.2.1 lib/receiver.js; ws 7.0.0 release notes' },
      { check: 'WSG-PROTO-03', why: 'without the optional utf-8-validate module ws 6 accepts invalid UTF-8 (close reasons included)', source: 'ws 6 README, "Opt-in for performance and spec compliance"; lib/validation.js' },
      { check: 'WSG-PROTO-04', why: 'without the optional utf-8-validate module ws 6 accepts invalid UTF-8 in text messages', source: 'ws 6 README, "Opt-in for performance and spec compliance"; lib/validation.js' },
      noRateLimit('ws'), noFragmentCap('ws', 'ws doc/ws.md (maxPayload only)'), laxLength('ws', 'ws 6 lib/receiver.js getPayloadLength16/64'), noConnCap('ws', 'ws doc/ws.md (no such option)'),
      noLoginThrottle('ws6-token.mjs'),
      { check: 'WSG-AUTH-03', why: 'the token travels in the URL (logged by proxies, kept in history), as this app chose', source: 'the app (test/corpus/targets/ws6-token.mjs); OWASP WebSocket cheat sheet' },
    ],
  },
  {
    name: 'faye',
    software: 'faye-websocket 0.11.3 + websocket-extensions 0.1.3 (npm)',
    command: node('faye.mjs'),
    needs: { npm: 'faye-websocket' },
    path: '/',
    audit: { messages: ['hello'] },
    ci: true,
    weaknesses: [
      { check: 'WSG-LIMIT-01', why: 'maxLength defaults to 2^26 - 1 bytes (64 MiB)', source: 'faye-websocket README (maxLength)' },
      { check: 'WSG-SESSION-03', why: 'the ping option is off unless set', source: 'faye-websocket README (ping)' },
      { check: 'WSG-PROTO-06', why: 'websocket-driver speaks the obsolete draft-75/76 handshakes (Sec-WebSocket-Key1/Key2) besides RFC 6455, and takes any Sec-WebSocket-Key', source: 'websocket-driver README (supported protocols); lib/websocket/driver/draft76.js' },
      { check: 'WSG-LIMIT-09', why: 'ReDoS in the Sec-WebSocket-Extensions parser (CVE-2020-7662, fixed in websocket-extensions 0.1.4)', source: 'GHSA-g78m-2chm-r7qv', intrusive: true },
      { check: 'WSG-FINGER-03', why: 'websocket-extensions in the CVE-2020-7662 range (no banner: only a timing proof of the ReDoS, an intrusive probe, can show it)', source: 'GHSA-g78m-2chm-r7qv', intrusive: true },
      noRateLimit('faye-websocket'), noConnCap('faye-websocket', 'faye-websocket README (no such option)'), noFragmentCap('faye-websocket', 'faye-websocket README (maxLength only)'), laxLength('websocket-driver', 'websocket-driver lib/websocket/driver/hybi.js'),
    ],
  },
  {
    name: 'py-websockets',
    software: 'Python websockets 10.4 (Debian python3-websockets)',
    command: python('py-websockets.py'),
    needs: { debian: 'python3-websockets', python: 'websockets' },
    path: '/',
    audit: { messages: ['hello'] },
    ci: true,
    // Defaults per its docs: ping every 20 s, max_size 1 MiB, open_timeout 10 s; no CVE for 10.4.
    weaknesses: [
      noRateLimit('websockets'),
      noFragmentCap('websockets', 'websockets docs, max_size (the only bound on a fragmented message)'),
      noConnCap('websockets', 'websockets docs, serve() (no such option)'),
      laxLength('websockets', 'websockets 10.4 legacy/framing.py (Frame.read)'),
    ],
  },
  {
    name: 'py-tornado',
    software: 'Tornado 6.2 (Debian python3-tornado)',
    command: python('py-tornado.py'),
    needs: { debian: 'python3-tornado', python: 'tornado' },
    path: '/ws',
    audit: { messages: ['hello'] },
    weaknesses: [
      { check: 'WSG-SESSION-03', why: 'websocket_ping_interval is off unless set', source: 'Tornado docs, tornado.websocket (websocket_ping_interval)' },
      { check: 'WSG-LIMIT-01', why: 'websocket_max_message_size defaults to 10 MiB', source: 'Tornado docs, WebSocketHandler.max_message_size' },
      { check: 'WSG-ORIGIN-05', why: 'check_origin compares only the host (netloc), so an http:// page on the same host passes for an https:// site', source: 'Tornado docs, WebSocketHandler.check_origin; tornado/websocket.py' },
      { check: 'WSG-PROTO-01', why: 'unmasked client frames are read as they come (the mask is applied only when the bit is set)', source: 'tornado/websocket.py 6.2, WebSocketProtocol13._receive_frame' },
      { check: 'WSG-PROTO-03', why: 'close codes are not validated (reserved 1005/1006 and out-of-range codes are echoed back)', source: 'tornado/websocket.py 6.2, _handle_message (opcode 0x8)' },
      noRateLimit('Tornado'),
      noFragmentCap('Tornado', 'Tornado docs, WebSocketHandler.max_message_size'),
      noConnCap('Tornado', 'Tornado docs (no such setting)'),
      laxLength('Tornado', 'tornado/websocket.py 6.2, _receive_frame'),
      { check: 'WSG-PROTO-06', why: 'accepts the hybi-07/08 drafts (Sec-WebSocket-Version 7 and 8) and does not validate Sec-WebSocket-Key', source: 'tornado/websocket.py 6.2 (Sec-WebSocket-Version: 7, 8, 13)' },
    ],
  },
  {
    name: 'ws5-echo',
    software: 'ws 5.2.2 (npm), plain echo, no authentication',
    command: node('ws5-echo.mjs'),
    needs: { npm: 'ws5' },
    path: '/',
    audit: { messages: ['hello'] },
    weaknesses: [
      { check: 'WSG-LIMIT-01', why: 'maxPayload defaults to 100 MiB', source: 'ws 5 doc/ws.md: maxPayload default 104857600' },
      WS_NO_HEARTBEAT,
      WS_CVE_2021_32640_5,
      { check: 'WSG-FINGER-03', why: 'a version in the CVE-2021-32640 range (fixed in 5.2.3; no banner: its "Content-type" refusal identifies ws 4–6, and the Sec-WebSocket-Protocol parse time, growing quadratically, is the advisory\'s own proof)', source: 'GHSA-6fc8-4gx4-v693; ws 5.2.2 lib/websocket-server.js (abortHandshake, handleUpgrade)' },
      { check: 'WSG-PROTO-01', why: 'the ws 5 receiver never requires the MASK bit on client frames (ws 7.0.0 made the server reject unmasked frames)', source: 'ws 5.2.2 lib/receiver.js; ws 7.0.0 release notes' },
      { check: 'WSG-PROTO-03', why: 'without the optional utf-8-validate module ws 5 accepts invalid UTF-8 (close reasons included)', source: 'ws 5 README, "Opt-in for performance and spec compliance"; lib/validation.js' },
      { check: 'WSG-PROTO-04', why: 'without the optional utf-8-validate module ws 5 accepts invalid UTF-8 in text messages', source: 'ws 5 README, "Opt-in for performance and spec compliance"; lib/validation.js' },
      { check: 'WSG-PROTO-06', why: 'handleUpgrade accepts the hybi-08 draft (Sec-WebSocket-Version 8) and only checks that a Sec-WebSocket-Key is present (ws 8 added the key format check)', source: 'ws 5.2.2 lib/websocket-server.js handleUpgrade' },
      noRateLimit('ws'), noFragmentCap('ws', 'ws doc/ws.md (maxPayload only)'), laxLength('ws', 'ws 5 lib/receiver.js getPayloadLength16/64'), noConnCap('ws', 'ws doc/ws.md (no such option)'),
    ],
  },
  {
    name: 'ws4-echo',
    software: 'ws 4.1.0 (npm), plain echo, no authentication',
    command: node('ws4-echo.mjs'),
    needs: { npm: 'ws4' },
    path: '/',
    audit: { messages: ['hello'] },
    // Not CVE-2021-32640: the advisory's range starts at 5.0.0, and ws 4.1.0's server splits
    // Sec-WebSocket-Protocol with /, */ (linear), not the / *, */ of 5.x–7.4.5. FINGER-03 must not name it.
    // It is in CVE-2024-37890's range: its refusal ("Connection: close", "Content-type: text/html",
    // in that order and case) identifies ws, and LIMIT-09's 2 100 headers kill it (intrusive).
    weaknesses: [
      { check: 'WSG-LIMIT-01', why: 'maxPayload defaults to 100 MiB', source: 'ws 4.1.0 lib/websocket-server.js (maxPayload: 100 * 1024 * 1024)' },
      WS_NO_HEARTBEAT,
      { check: 'WSG-LIMIT-09', why: 'past Node\'s maxHeadersCount the Upgrade header is dropped and handleUpgrade calls req.headers.upgrade.toLowerCase() on undefined: the process dies (CVE-2024-37890 range, fixed only from 5.2.4)', source: 'GHSA-3h5v-q93c-6h6q; ws 4.1.0 lib/websocket-server.js handleUpgrade', intrusive: true, crash: true },
      { check: 'WSG-FINGER-03', why: 'a version in the CVE-2024-37890 range (fixed only from 5.2.4): ws identified, and the target dies right after the advisory\'s own trigger (an intrusive probe)', source: 'GHSA-3h5v-q93c-6h6q; ws 4.1.0 lib/websocket-server.js (abortConnection, handleUpgrade)', intrusive: true },
      { check: 'WSG-PROTO-01', why: 'the ws 4 receiver never requires the MASK bit on client frames (ws 7.0.0 made the server reject unmasked frames)', source: 'ws 4.1.0 lib/receiver.js; ws 7.0.0 release notes' },
      { check: 'WSG-PROTO-03', why: 'without the optional utf-8-validate module ws 4 accepts invalid UTF-8 (close reasons included)', source: 'ws 4.1.0 lib/validation.js (isValidUTF8 is () => true without it)' },
      { check: 'WSG-PROTO-04', why: 'without the optional utf-8-validate module ws 4 accepts invalid UTF-8 in text messages', source: 'ws 4.1.0 lib/validation.js' },
      { check: 'WSG-PROTO-06', why: 'handleUpgrade accepts the hybi-08 draft (Sec-WebSocket-Version 8) and only checks that a Sec-WebSocket-Key is present', source: 'ws 4.1.0 lib/websocket-server.js handleUpgrade' },
      noRateLimit('ws'), noFragmentCap('ws', 'ws doc/ws.md (maxPayload only)'), laxLength('ws', 'ws 4 lib/receiver.js getPayloadLength16/64'), noConnCap('ws', 'ws doc/ws.md (no such option)'),
    ],
  },
  {
    name: 'py-gevent',
    software: 'gevent-websocket 0.10.1 on gevent 22.10 (Debian python3-gevent-websocket), README echo app',
    command: python('py-gevent.py'),
    needs: { debian: 'python3-gevent-websocket', python: 'geventwebsocket' },
    path: '/',
    audit: { messages: ['hello'] },
    // Ground truth for the checks this target was added for (LIMIT-01 and the liveness watch);
    // other claims show up as unexpected until someone reads them against the source.
    weaknesses: [
      { check: 'WSG-LIMIT-01', why: 'no message size limit: read_message appends every frame\'s payload with no bound; swallowing a 16 MiB message keeps the one gevent loop busy, so new handshakes time out meanwhile', source: 'geventwebsocket 0.10.1 websocket.py (WebSocket.read_message; no size option)', crash: true },
      { check: 'WSG-SESSION-03', why: 'sends no pings and closes no idle socket', source: 'geventwebsocket 0.10.1 websocket.py (no ping timer)' },
      { check: 'WSG-PROTO-01', why: 'unmasked client frames are read as they come (the mask is applied only when the bit is set)', source: 'geventwebsocket 0.10.1 websocket.py (read_frame: if header.mask)' },
      { check: 'WSG-PROTO-03', why: 'close() sends its message without packing the status code, so a bad close code or reason is never answered 1002/1007: every close frame it sends carries no code', source: 'geventwebsocket 0.10.1 websocket.py (WebSocket.close, handle_close)' },
      { check: 'WSG-PROTO-06', why: 'accepts the hybi-07/08 drafts (Sec-WebSocket-Version 7 and 8) besides 13', source: 'geventwebsocket 0.10.1 handler.py (SUPPORTED_VERSIONS = 13, 8, 7)' },
      noRateLimit('gevent-websocket'),
      noConnCap('gevent-websocket', 'gevent-websocket README (no such option)'),
      noFragmentCap('gevent-websocket', 'geventwebsocket 0.10.1 websocket.py (read_message loops until FIN, no frame count)'),
      laxLength('gevent-websocket', 'geventwebsocket 0.10.1 websocket.py (Header.decode_header: 126/127 read as given)'),
    ],
  },
  {
    name: 'websocket-node',
    software: 'WebSocket-Node (npm websocket 1.0.28), README echo server',
    command: node('websocket-node.mjs'),
    needs: { npm: 'websocket' },
    path: '/',
    audit: { messages: ['hello'] },
    // Defaults per its docs/WebSocketServer.md: maxReceivedFrameSize 64 KiB, maxReceivedMessageSize
    // 1 MiB (no LIMIT-01), keepalive pings every 20 s (no SESSION-03), no permessage-deflate.
    weaknesses: [
      { check: 'WSG-PROTO-01', why: 'the frame parser reads the MASK bit but never requires it on a client frame', source: 'WebSocket-Node 1.0.28 lib/WebSocketFrame.js addData' },
      { check: 'WSG-PROTO-03', why: 'close reasons are checked with isValidUTF8, which without the optional native build (lib/Validation.fallback.js) accepts anything', source: 'WebSocket-Node 1.0.28 lib/Validation.js, lib/Validation.fallback.js' },
      { check: 'WSG-PROTO-04', why: 'text messages are checked with the same isValidUTF8: without the native build invalid UTF-8 passes', source: 'WebSocket-Node 1.0.28 lib/Validation.fallback.js; lib/WebSocketConnection.js processFrame' },
      { check: 'WSG-PROTO-06', why: 'the version is read with parseInt ("13;" and "13,14" pass), version 8 is accepted, Sec-WebSocket-Key is not validated and the method is not checked', source: 'WebSocket-Node 1.0.28 lib/WebSocketRequest.js readHandshake' },
      laxLength('WebSocket-Node', 'WebSocket-Node 1.0.28 lib/WebSocketFrame.js addData (16/64-bit lengths)'),
      noRateLimit('WebSocket-Node'),
      noConnCap('WebSocket-Node', 'WebSocket-Node docs/WebSocketServer.md (no such option)'),
      noFragmentCap('WebSocket-Node', 'WebSocket-Node docs/WebSocketServer.md (maxReceivedMessageSize only)'),
    ],
  },
  {
    name: 'py-aiohttp',
    software: 'aiohttp 3.8.4 (Debian python3-aiohttp)',
    command: python('py-aiohttp.py'),
    needs: { debian: 'python3-aiohttp', python: 'aiohttp' },
    path: '/ws',
    audit: { messages: ['hello'] },
    // compress=True by default: permessage-deflate is negotiated, and max_msg_size (4 MiB) is
    // applied to the inflated message too (no LIMIT-04).
    weaknesses: [
      { check: 'WSG-SESSION-03', why: 'WebSocketResponse heartbeat is None (off) unless set', source: 'aiohttp docs, WebSocketResponse(heartbeat=None)' },
      { check: 'WSG-LIMIT-01', why: 'max_msg_size defaults to 4 MiB', source: 'aiohttp docs, WebSocketResponse(max_msg_size=4*1024*1024)' },
      { check: 'WSG-PROTO-01', why: 'the frame parser applies the mask only when the bit is set and never requires it from a client', source: 'aiohttp 3.8.4 http_websocket.py WebSocketReader.parse_frame' },
      { check: 'WSG-PROTO-03', why: 'close codes of 3000 and above are not checked, and 1006 is in ALLOWED_CLOSE_CODES (every WSCloseCode member)', source: 'aiohttp 3.8.4 http_websocket.py (ALLOWED_CLOSE_CODES, _feed_data)' },
      laxLength('aiohttp', 'aiohttp 3.8.4 http_websocket.py WebSocketReader.parse_frame (UNPACK_LEN2/UNPACK_LEN3)'),
      noRateLimit('aiohttp'),
      noConnCap('aiohttp', 'aiohttp docs, WebSocketResponse (no such option)'),
      noFragmentCap('aiohttp', 'aiohttp docs, WebSocketResponse(max_msg_size) (the only bound on a fragmented message)'),
    ],
  },
  {
    name: 'socketio4',
    software: 'socket.io 4.5.4 (npm; engine.io 6.2.1, socket.io-parser 4.2.x, ws 8.2.3), token in the CONNECT auth payload',
    command: node('socketio4.mjs'),
    needs: { npm: 'socket.io' },
    path: '/socket.io/',
    // The operator's view: io(url, { auth: { token } }), events as JSON arrays, whoami answered by
    // ack, and the chat reply rendered as HTML by the client (a top-level argument is "(root)").
    audit: { credentials: { token: 'corpus-token-alice', tokenIn: 'message' }, canary: '["whoami"]', canaryExpect: '"user"', messages: ['["chat","hello"]'], renderFields: ['(root)'] },
    ci: true,
    // Defaults per its docs: pingInterval 25 s (no SESSION-03), maxHttpBufferSize 1e6 (no LIMIT-01);
    // CVE-2022-41940 is fixed in the engine.io 6.2.1 installed, CVE-2023-32695 in the socket.io-parser 4.2.3+ installed.
    // connectTimeout (45 s) bounds a pre-auth transport beyond AUTH-05's default 20 s window: the audit
    // reports it tentative ("not closed within 20 s"), certain only with --auth-window 50, so it is not
    // a weakness these default-window runs can be scored on.
    weaknesses: [
      { check: 'WSG-AUTH-02', why: 'the io.use() middleware accepts any non-empty token (nothing is verified)', source: 'the app (test/corpus/targets/socketio4.mjs)' },
      { check: 'WSG-INPUT-01', why: 'the chat event broadcasts the message inside HTML without encoding it to every connection', source: 'the app (test/corpus/targets/socketio4.mjs)', intrusive: true },
      { check: 'WSG-ORIGIN-01', why: 'Socket.IO checks no Origin on the WebSocket transport (CORS only governs polling; allowRequest is the application\'s job): a page on any origin that holds a token gets in', source: 'Socket.IO docs, "Handling CORS" and server option allowRequest' },
      { check: 'WSG-FINGER-03', why: 'socket.io 4.5.4 is in the CVE-2024-38355 range (3.0.0 to 4.6.1), and pins engine.io ~6.2.0, in the CVE-2023-31125 range (engine.io 5.1.0 to 6.4.1); /socket.io/socket.io.js announces "Socket.IO v4.5.4"', source: 'GHSA-25hc-qcg6-38wj; GHSA-q9mw-68c2-j6m5' },
      { check: 'WSG-INPUT-03', why: 'a client emitting the reserved "error" event throws an unhandled \'error\' and ends the process (CVE-2024-38355, fixed in 4.6.2; the app adds no "error" listener)', source: 'GHSA-25hc-qcg6-38wj', intrusive: true, crash: true },
      noRateLimit('Socket.IO'),
      noConnCap('Socket.IO', 'Socket.IO docs, server options (no such option)'),
      noFragmentCap('ws (under Engine.IO)', 'engine.io passes maxHttpBufferSize to ws as maxPayload, the only bound on a fragmented message'),
      laxLength('ws 8.2.3 (under Engine.IO)', 'ws 8.2.3 lib/receiver.js getPayloadLength16/64'),
      { check: 'WSG-AUTH-06', why: 'wrong credentials are refused at full speed, with no throttling or lockout', source: 'the app (test/corpus/targets/socketio4.mjs); Socket.IO docs, middlewares (no such option)', intrusive: true },
    ],
  },
];
