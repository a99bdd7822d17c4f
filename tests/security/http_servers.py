"""Tiny local HTTP servers that record what reaches them (an internal service an attacker aims at)."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def recording_server(status=200, body=b"{}", headers=None, host="127.0.0.1", port=0):
    """Answers every request with `status`/`body`/`headers`; `.received` lists (method, path, headers)."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            received.append((self.command, self.path, dict(self.headers)))
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.port = server.server_address[1]
    server.url = f"http://{host}:{server.port}"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
