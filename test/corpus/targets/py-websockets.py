# Python websockets (Debian python3-websockets) echo server on its defaults.
import asyncio
import websockets

async def echo(ws):
    async for message in ws:
        await ws.send(message)

async def main():
    async with websockets.serve(echo, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"LISTEN {port}", flush=True)
        await asyncio.Future()

asyncio.run(main())
