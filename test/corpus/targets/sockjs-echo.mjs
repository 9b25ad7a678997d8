// sockjs-node 0.3.19 (faye-websocket 0.10.0), the echo server from its README: raw websocket at
// /echo/websocket. CVE-2020-7693 (fixed in 0.3.20): an Upgrade: websocket request it refuses
// crashes the process (the refusal's error handler writes after end, sockjs-node issue #252).
import http from 'node:http';
import sockjs from 'sockjs';

const echo = sockjs.createServer({ prefix: '/echo', log: () => undefined });
echo.on('connection', (conn) => conn.on('data', (m) => conn.write(m)));
const server = http.createServer();
echo.installHandlers(server);
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
