// ws@7.4.5 (CVE-2021-32640 range) behind a cookie login, as the ws README's "client authentication"
// example does it: the session cookie is checked on 'upgrade'; ws itself checks no Origin.
import http from 'node:http';
import WebSocket from 'ws7';

const SESSION = process.env.CORPUS_COOKIE ?? 'sid=corpus-alice';
const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocket.Server({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  if (!(req.headers.cookie ?? '').split(/;\s*/).includes(SESSION)) {
    socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return socket.destroy();
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (m) => ws.send(String(m) === 'whoami' ? JSON.stringify({ user: 'alice', email: 'alice@corpus.test' }) : m));
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
