// A client in its own process (so a stall of the hub's event loop does not stall it): sends
// `count` pings, one every `everyMs`, then prints what came back as one JSON line.
// usage: node steady-pinger.mjs <wsUrl> <bearer> <count> <everyMs>
import WebSocket from 'ws';

const [url, bearer, count, everyMs] = process.argv.slice(2);
const ws = new WebSocket(url, ['wsguard.v1'], { headers: { Authorization: `Bearer ${bearer}` } });
const out = { pongs: 0, errors: {}, close: null };
const finish = () => {
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
};
ws.on('message', (d) => {
  const m = JSON.parse(String(d));
  if (m.type === 'pong') out.pongs++;
  if (m.type === 'error') out.errors[m.payload.code] = (out.errors[m.payload.code] ?? 0) + 1;
  if (out.pongs === Number(count)) ws.close();
});
ws.on('close', (code, reason) => {
  out.close = { code, reason: String(reason) };
  finish();
});
ws.on('error', (err) => {
  out.error = err.message;
  finish();
});
ws.on('open', () => {
  process.stdout.write('open\n');
  let sent = 0;
  const t = setInterval(() => {
    ws.send(JSON.stringify({ type: 'ping', id: `p${sent}`, payload: {} }));
    if (++sent === Number(count)) clearInterval(t);
  }, Number(everyMs));
});
setTimeout(finish, 60_000).unref();
