// ws@6.2.1 (CVE-2021-32640 range) with a bearer token in the query string (?token=), checked in
// verifyClient as the ws 6 docs show.
import http from 'node:http';
import WebSocket from 'ws6';

const TOKEN = process.env.CORPUS_TOKEN ?? 'corpus-token-alice';
const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocket.Server({
  server,
  verifyClient: (info) => new URL(info.req.url, 'http://x').searchParams.get('token') === TOKEN,
});
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (m) => ws.send(String(m) === 'whoami' ? JSON.stringify({ user: 'alice' }) : m));
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
