"""A local HTTP server that records the JSON bodies posted to it (apprise's json:// target)."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.received.append({"path": self.path, "json": json.loads(body or b"{}")})
        status = self.server.status
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def webhook_receiver(status: int = 200):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received = []
    server.status = status
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url_of(server, path: str = "/hook") -> str:
    return f"json://127.0.0.1:{server.server_address[1]}{path}"
