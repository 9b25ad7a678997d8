// ws@4.1.0 as a plain echo server, no authentication: in the CVE-2024-37890 range, not in CVE-2021-32640's (its server splits Sec-WebSocket-Protocol with a linear regex).
import http from 'node:http';
import WebSocket from 'ws4';

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocket.Server({ server });
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (m) => ws.send(m));
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
