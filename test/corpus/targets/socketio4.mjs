// socket.io@4.5.4 (engine.io 6.2.x: the CVE-2023-31125 range) as many apps write it: a hand-rolled
// io.use() auth that only checks a token is present, a chat event that broadcasts the message as
// HTML without encoding it, and no Origin check (Socket.IO checks none on the WebSocket transport
// unless allowRequest does). Engine.IO defaults: ping every 25 s, maxHttpBufferSize 1e6.
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer((_req, res) => res.writeHead(404).end());
const io = new Server(server);
io.use((socket, next) => {
  // The weakness: any non-empty token passes (the signature is never verified).
  const token = socket.handshake.auth?.token;
  if (typeof token === 'string' && token.length > 0) { socket.data.user = 'alice'; return next(); }
  next(new Error('unauthorized'));
});
io.on('connection', (socket) => {
  socket.on('whoami', (ack) => {
    const me = { user: socket.data.user, email: 'alice@corpus.test' };
    if (typeof ack === 'function') ack(me);
    else socket.emit('whoami', me);
  });
  socket.on('chat', (msg, ack) => {
    const html = `<p>${msg}</p>`;
    if (typeof ack === 'function') ack(html);
    // To the whole room, as a chat does (a reply to the sender alone would be self-reflection).
    io.emit('chat', html);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTEN ${server.address().port}`));
