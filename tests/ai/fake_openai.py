"""A small threaded OpenAI-compatible HTTP server for the provider tests.

It records every request (path, headers, JSON body, arrival time) and answers from a
per-endpoint script of canned responses; when a script is empty it answers correctly:
chat completions with what the demo provider would say for the request's messages (so
the real engine runs end to end through the real SDK), images with a PNG as b64_json or
as a url that the same server serves.
"""

import base64
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from igny8_core.ai.providers.demo import DemoProvider, draw_demo_image

CHAT = "/v1/chat/completions"
# How the provider names the wanted object when the schema is given in the prompt.
SCHEMA_NAME = re.compile(r"JSON object \(schema `([a-z_]+)`\)")
IMAGES = "/v1/images/generations"


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict -> JSON; str/bytes -> sent as is
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    content_type: str = "application/json"


def chat_reply(content: str, model: str = "test-text", prompt_tokens: int = 11, completion_tokens: int = 7) -> Reply:
    return Reply(
        body={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1700000000,
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def error_reply(status: int, message: str = "error", headers: dict | None = None) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "type": "test_error"}}, headers=headers or {})


def png_bytes(width=320, height=200, title="fake server image") -> bytes:
    return draw_demo_image(title, width, height, title)


def response_bytes(status: int, content_type: str, headers: dict, payload: bytes) -> bytes:
    """A whole HTTP/1.0 response (status line, headers, body) as one buffer, for one write."""
    lines = [
        f"HTTP/1.0 {status} {BaseHTTPRequestHandler.responses.get(status, ('Status',))[0]}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(payload)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: object
    at: float


class FakeOpenAI:
    """`serves` limits the routes like real servers do: {"chat"} for Ollama / vLLM / LM Studio
    (no image route), {"images"} for an image-only server; `json_schema=False` answers a
    `json_schema` response_format with 400, as servers without structured output do."""

    def __init__(self, serves=("chat", "images"), json_schema: bool = True):
        self.serves = set(serves)
        self.json_schema = json_schema
        self.requests: list[Recorded] = []
        self.scripts: dict[str, deque] = {CHAT: deque(), IMAGES: deque()}
        self.files: dict[str, bytes] = {}
        self.image_mode = "b64_json"
        self._lock = threading.Lock()
        self._demo = DemoProvider()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False  # don't wait for a handler still sleeping (timeouts)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def script(self, path: str, *replies: Reply):
        self.scripts[path].extend(replies)

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    # --- default answers -------------------------------------------------------------
    def _default(self, path: str, body) -> Reply:
        if path == CHAT and "chat" in self.serves:
            return self._chat(body)
        if path == IMAGES and "images" in self.serves:
            data = png_bytes(title=body["prompt"][:40])
            if self.image_mode == "url":
                name = f"/files/img-{len(self.files)}.png"
                self.files[name] = data
                return Reply(body={"created": 1700000000, "data": [{"url": self.url + name}]})
            return Reply(body={"created": 1700000000, "data": [{"b64_json": base64.b64encode(data).decode()}]})
        if path in self.files:
            return Reply(body=self.files[path], content_type="image/png")
        return error_reply(404, f"no route {path}")

    def _chat(self, body) -> Reply:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            if not self.json_schema:
                return error_reply(400, "response_format type 'json_schema' is not supported by this server")
            raw = self._demo._complete(body["messages"], fmt["json_schema"]["schema"], fmt["json_schema"]["name"])
            return chat_reply(raw.text, model=body["model"])
        # JSON mode or plain text: the schema's name is only in the prompt, as for a real model.
        text = "\n".join(m["content"] for m in body["messages"])
        match = SCHEMA_NAME.search(text)
        if match is None:
            return chat_reply("I am not sure what you want.", model=body["model"])
        raw = self._demo._complete(body["messages"], {}, match.group(1))
        if fmt.get("type") == "json_object":
            return chat_reply(raw.text, model=body["model"])
        return chat_reply(f"Sure! Here it is:\n\n```json\n{raw.text}\n```\n\nAnything else?", model=body["model"])

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body leave in one write on a socket without Nagle: a separate
            # small body write would wait for the client's delayed ACK (~40 ms a request).
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output clean
                pass

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                with fake._lock:
                    fake.requests.append(
                        Recorded(
                            method, self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()
                        )
                    )
                    script = fake.scripts.get(self.path)
                    reply = script.popleft() if script else None
                reply = reply or fake._default(self.path, body)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.body
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                elif isinstance(payload, str):
                    payload = payload.encode()
                try:
                    self.wfile.write(response_bytes(reply.status, reply.content_type, reply.headers, payload or b""))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def do_POST(self):
                self._serve("POST")

            def do_GET(self):
                self._serve("GET")

        return Handler
