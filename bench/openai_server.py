"""A local OpenAI-compatible server for the benchmarks: a valid answer for every AI function
after a fixed latency, like a real provider that is never the bottleneck.

Chat completions answer what the demo provider would say for the request's messages (so the
real engine, schema validation and saving run end to end through the real SDK); image
generations answer an image of the requested size and `output_format` (PNG when none is
asked, as GPT image models do) as b64_json (drawn once per size and format: the
server's own CPU must not be what the benchmark measures). HTTP/1.1 keep-alive, like the
real API; each response leaves in ONE write on a socket without Nagle, so no request waits
for a delayed ACK.

Run it in its own process (its CPU must not compete with the measured worker for the GIL):

    python bench/openai_server.py --latency-ms 200     # prints "port <n>" when listening
"""

import argparse
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHAT = "/v1/chat/completions"
IMAGES = "/v1/images/generations"


def response_bytes(status: int, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {BaseHTTPRequestHandler.responses.get(status, ('Status',))[0]}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Answers:
    """The answer bodies; images cached per size."""

    def __init__(self):
        from igny8_core.ai.providers.demo import DemoProvider, draw_demo_image

        self.demo = DemoProvider()
        self.draw = draw_demo_image
        self.images: dict[tuple[str, str], str] = {}
        self.lock = threading.Lock()

    def chat(self, body: dict) -> dict:
        fmt = body["response_format"]["json_schema"]
        raw = self.demo._complete(body["messages"], fmt["schema"], fmt["name"])
        return {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": raw.text}}],
            "usage": {
                "prompt_tokens": raw.prompt_tokens,
                "completion_tokens": raw.completion_tokens,
                "total_tokens": raw.prompt_tokens + raw.completion_tokens,
            },
        }

    def image(self, body: dict) -> dict:
        size = str(body.get("size") or "1024x1024")
        fmt = str(body.get("output_format") or "png")  # a GPT image model's default is PNG
        with self.lock:
            if (size, fmt) not in self.images:
                width, height = (int(v) for v in size.lower().split("x"))
                data = self.draw("benchmark image", width, height, "benchmark image", fmt=fmt)
                self.images[size, fmt] = base64.b64encode(data).decode()
        return {"created": int(time.time()), "data": [{"b64_json": self.images[size, fmt]}]}


def make_server(latency: float, port: int = 0) -> ThreadingHTTPServer:
    answers = Answers()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            started = time.monotonic()
            if self.path == CHAT:
                status, answer = 200, answers.chat(body)
            elif self.path == IMAGES:
                status, answer = 200, answers.image(body)
            else:
                status, answer = 404, {"error": {"message": f"no route {self.path}", "type": "invalid_request"}}
            time.sleep(max(0.0, latency - (time.monotonic() - started)))  # the latency includes our work
            self.wfile.write(response_bytes(status, json.dumps(answer).encode()))

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8_core.settings")
    import django

    django.setup()
    server = make_server(args.latency_ms / 1000.0, args.port)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
