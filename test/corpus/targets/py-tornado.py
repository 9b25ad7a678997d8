# Tornado (Debian python3-tornado) WebSocketHandler echo on its defaults.
import asyncio
import tornado.web
import tornado.websocket

class Echo(tornado.websocket.WebSocketHandler):
    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))

async def main():
    app = tornado.web.Application([(r"/ws", Echo)])
    server = app.listen(0, "127.0.0.1")
    port = next(iter(server._sockets.values())).getsockname()[1]
    print(f"LISTEN {port}", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
