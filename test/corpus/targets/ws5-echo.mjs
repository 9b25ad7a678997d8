// ws@5.2.2 (CVE-2021-32640 range: fixed in 5.2.3) as a plain echo server, no authentication.
import http from 'node:http';
import WebSocket from 'ws5';

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocket.Server({ server });
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (m) => ws.send(m));
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
