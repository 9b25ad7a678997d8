# gevent-websocket (Debian python3-gevent-websocket) echo server, as its README shows it.
from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler


def app(environ, start_response):
    ws = environ.get("wsgi.websocket")
    if ws is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    while True:
        message = ws.receive()
        if message is None:
            break
        ws.send(message)
    return []


server = pywsgi.WSGIServer(("127.0.0.1", 0), app, handler_class=WebSocketHandler, log=None)
server.start()
print(f"LISTEN {server.server_port}", flush=True)
server.serve_forever()
