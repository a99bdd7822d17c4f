"""A small threaded OpenAI-compatible HTTP server for the provider tests.

It records every request (path, headers, JSON body, arrival time) and answers from a
per-endpoint script of canned responses; when a script is empty it answers correctly:
chat completions with what the demo provider would say for the request's messages (so
the real engine runs end to end through the real SDK), images (a PNG, or the asked
output_format) as b64_json or as a url that the same server serves.

Faults: a scripted `Reply(fault=...)` or `inject_faults(rate, kinds)` makes the server misbehave
the way real providers do - FAULTS names them (HTTP 500, 429 with Retry-After, a connection
reset, a stall past the client's timeout, a broken JSON body, schema-violating JSON, an
empty answer, a truncated answer). Every faulted request is recorded with its fault.
"""

import base64
import json
import random
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
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
    fault: str = ""  # one of FAULTS: misbehave instead of answering (see FakeOpenAI._fault)


FAULTS = ("http_500", "rate_limit", "reset", "stall", "malformed_body", "schema_violation", "empty", "truncated")
# Faults that only make sense for a chat completion (an image answer has no JSON content).
CHAT_ONLY_FAULTS = {"schema_violation", "empty", "truncated"}


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


def png_bytes(width=320, height=200, title="fake server image", fmt="png") -> bytes:
    return draw_demo_image(title, width, height, title, fmt=fmt)


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
    fault: str = ""


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
        self.image_answers: list[bytes] = []  # each image it answered, as encoded
        self.image_mode = "b64_json"
        self.fault_rate = 0.0  # share of requests that get a random fault of fault_kinds
        self.fault_kinds: tuple[str, ...] = FAULTS
        self.stall_seconds = 5.0  # how long a "stall" waits: set it above the client's timeout
        self._random = random.Random(0)
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

    def inject(self, path: str, *faults: str):
        """The next requests to `path` get these faults, in order."""
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"Unknown faults {sorted(unknown)}; known: {FAULTS}")
        self.script(path, *(Reply(fault=name) for name in faults))

    def inject_faults(self, rate: float, kinds=FAULTS, seed: int = 0):
        """From now on a `rate` share of the requests (chat and images; not image downloads)
        get a random fault of `kinds`, reproducibly for a given seed."""
        self.fault_rate, self.fault_kinds, self._random = rate, tuple(kinds), random.Random(seed)

    def faults(self) -> list[Recorded]:
        return [r for r in self.requests if r.fault]

    def _random_fault(self, path: str) -> str:
        if path not in (CHAT, IMAGES) or not self.fault_rate or self._random.random() >= self.fault_rate:
            return ""
        kinds = [k for k in self.fault_kinds if path == CHAT or k not in CHAT_ONLY_FAULTS]
        return self._random.choice(kinds) if kinds else ""

    def _fault(self, name: str, path: str, body) -> Reply | None:
        """The reply a fault sends (None: the connection is reset without an answer)."""
        if name == "http_500":
            return error_reply(500, "The server had an error while processing your request.")
        if name == "rate_limit":
            return error_reply(429, "Rate limit reached.", headers={"Retry-After": "0.05"})
        if name == "reset":
            return None
        if name == "stall":
            return Reply(delay=self.stall_seconds, body=self._default(path, body).body)
        if name == "malformed_body":
            return Reply(body='{"id": "chatcmpl", "choices": [ {broken')
        if name == "schema_violation":
            return chat_reply(json.dumps({"unexpected": True}))
        if name == "empty":
            return chat_reply("")
        if name == "truncated":
            text = self._default(path, body).body["choices"][0]["message"]["content"]
            return chat_reply(text[: max(1, len(text) // 2)])
        raise ValueError(f"Unknown fault {name!r}")

    # --- default answers -------------------------------------------------------------
    def _default(self, path: str, body) -> Reply:
        if path == CHAT and "chat" in self.serves:
            return self._chat(body)
        if path == IMAGES and "images" in self.serves:
            data = png_bytes(title=body["prompt"][:40], fmt=body.get("output_format") or "png")
            self.image_answers.append(data)
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
                    script = fake.scripts.get(self.path)
                    reply = script.popleft() if script else None
                    fault = reply.fault if reply else fake._random_fault(self.path)
                    fake.requests.append(
                        Recorded(
                            method,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                            fault,
                        )
                    )
                if fault:
                    reply = fake._fault(fault, self.path, body)
                    if reply is None:
                        self._reset()
                        return
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

            def _reset(self):
                # SO_LINGER 0: closing sends a TCP RST, as a crashed upstream or proxy does.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

            def do_POST(self):
                self._serve("POST")

            def do_GET(self):
                self._serve("GET")

        return Handler


@contextmanager
def serving(**options) -> Iterator[FakeOpenAI]:
    """A started FakeOpenAI(**options), stopped afterwards (for fixtures)."""
    server = FakeOpenAI(**options).start()
    try:
        yield server
    finally:
        server.stop()
