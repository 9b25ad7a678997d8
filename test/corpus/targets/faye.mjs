// faye-websocket 0.11.3 with websocket-extensions 0.1.3 (CVE-2020-7662: ReDoS in the
// Sec-WebSocket-Extensions parser), the echo server from its README, on its defaults.
import http from 'node:http';
import WebSocket from 'faye-websocket';

const server = http.createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (request, socket, body) => {
  if (!WebSocket.isWebSocket(request)) return socket.destroy();
  const ws = new WebSocket(request, socket, body);
  ws.on('message', (event) => ws.send(event.data));
  ws.on('close', () => undefined);
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
