// WebSocket-Node (npm `websocket` 1.0.28): the echo server of its README, on its defaults
// (maxReceivedFrameSize 64 KiB, maxReceivedMessageSize 1 MiB, keepalive pings every 20 s).
import http from 'node:http';
import websocket from 'websocket';

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wsServer = new websocket.server({ httpServer: server, autoAcceptConnections: false });
wsServer.on('request', (request) => {
  const connection = request.accept(null, request.origin);
  connection.on('message', (m) => (m.type === 'utf8' ? connection.sendUTF(m.utf8Data) : connection.sendBytes(m.binaryData)));
  connection.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
