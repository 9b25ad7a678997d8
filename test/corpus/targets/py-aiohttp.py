# aiohttp (Debian python3-aiohttp) WebSocketResponse echo on its defaults (compress on,
# max_msg_size 4 MiB, heartbeat off).
import asyncio
from aiohttp import web, WSMsgType

async def echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws

async def main():
    app = web.Application()
    app.router.add_get("/ws", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"LISTEN {port}", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
