"""A fake Anthropic Messages API on 127.0.0.1 for tests and benches: the real SDK talks to it over HTTP.

It speaks the wire format the SDK parses (HTTP/1.1, chunked `text/event-stream`, every event with an
`event:` line, `ping` events between deltas, usage in `message_start` and `message_delta`) and records
every request, so tests assert on what was really sent rather than patching the SDK.

Use:

    from fake_messages_api import FakeMessagesAPI, StreamedReply, ErrorReply, RawReply   # tests/ on sys.path

    with FakeMessagesAPI() as api:                       # threaded http.server on port 0
        api.script(StreamedReply.json({"grade": 4}))     # replies are served in order, one a request
        client = AsyncAnthropic(api_key="test-key", base_url=api.base_url, max_retries=0)
        ...
        api.requests[0].body["model"]                    # RecordedRequest: method, path, headers, body

Import it as `fake_messages_api` (pytest puts tests/ on sys.path), not `tests.fake_messages_api`: the
supermemo2 test dependency installs a top-level `tests` package that shadows ours.

Replies (dataclasses; all knobs are keyword arguments with defaults):
- `StreamedReply(content)`: a streamed reply whose one content block is `content`, split into deltas of
  `chunk_chars` characters. `StreamedReply.json(data)` serialises a dict as the text block (structured
  output); `StreamedReply.tool(data, name)` sends it as a `tool_use` block of `input_json_delta`s (a forced
  tool call). `stop_reason` ("end_turn", "max_tokens", "refusal", "tool_use"), `chunk_delay` seconds
  before each delta (a slow stream, or a fixed per-token delay for benches), `first_token_delay` before the
  first delta, `input_tokens` / `cache_creation_input_tokens` / `cache_read_input_tokens` for usage
  (output tokens: one a delta). `error_after=n`: an `event: error` after n deltas (`error_type`,
  `error_message`). `hang_after=n`: stop sending after n deltas and hold the connection open until the
  client goes away or the server closes (for timeout tests with a short client timeout). `drop_after=n`:
  close the connection after n deltas, mid-body, as a network failure would. `thinking="..."`
  puts a thinking block (one delta and a signature) before the content block, as models that think by
  default do.
- `ErrorReply(status, error_type, message, headers={})`: an HTTP error with the API's JSON error body
  (`{"type": "error", "error": {...}, "request_id": ...}`); `headers` adds e.g. `retry-after`.
- `RawReply(body, content_type)`: a 200 whose body is sent as it is, for servers that do not speak the
  stream: `RawReply.json(data)` (a whole Message as JSON, as a server that ignores `"stream": true` sends),
  `RawReply.text(...)`, `RawReply.html(...)` (a proxy's or a captive portal's page), and
  `RawReply.event_stream(*events)`, a `text/event-stream` of the given `(name, data)` events (data a dict,
  or a string sent as it is), for malformed streams: events out of order, data that is not JSON, a block
  index never started, a stream that stops before `message_stop`.

`api.script(*replies)` queues replies; `api.default_reply` answers once the queue is empty (by default a
500 `api_error` saying the script ran out, so a test that sends one request too many fails loudly).
`api.streams_finished` counts streamed replies sent to the end (to tell text that arrived mid-stream from
text that arrived after it). `api.wait_for_disconnect(timeout)` waits until a hanging or slow stream
noticed that its client left.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any

MESSAGES_PATH = "/v1/messages"
HANG_LIMIT_SECONDS = 30.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class StreamedReply:
    content: str
    block_type: str = "text"
    tool_name: str = "record_grade"
    stop_reason: str = "end_turn"
    chunk_chars: int = 8
    chunk_delay: float = 0.0
    first_token_delay: float = 0.0
    input_tokens: int = 120
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    error_after: int | None = None
    error_type: str = "overloaded_error"
    error_message: str = "Overloaded"
    hang_after: int | None = None
    drop_after: int | None = None
    thinking: str = ""

    @classmethod
    def json(cls, data: Any, **options: Any) -> StreamedReply:
        return cls(json.dumps(data), **options)

    @classmethod
    def tool(cls, data: Any, name: str = "record_grade", **options: Any) -> StreamedReply:
        options.setdefault("stop_reason", "tool_use")
        return cls(json.dumps(data), block_type="tool_use", tool_name=name, **options)

    def chunks(self) -> list[str]:
        size = max(1, self.chunk_chars)
        return [self.content[i:i + size] for i in range(0, len(self.content), size)]


@dataclass(frozen=True)
class ErrorReply:
    status: int
    error_type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RawReply:
    body: str
    content_type: str

    @classmethod
    def json(cls, data: Any) -> RawReply:
        return cls(json.dumps(data), "application/json")

    @classmethod
    def text(cls, body: str) -> RawReply:
        return cls(body, "text/plain; charset=utf-8")

    @classmethod
    def html(cls, body: str) -> RawReply:
        return cls(body, "text/html; charset=utf-8")

    @classmethod
    def event_stream(cls, *events: tuple[str, dict | str]) -> RawReply:
        frames = (f"event: {name}\ndata: {data if isinstance(data, str) else json.dumps(data)}\n\n"
                  for name, data in events)
        return cls("".join(frames), "text/event-stream; charset=utf-8")


Reply = StreamedReply | ErrorReply | RawReply
SCRIPT_EXHAUSTED = ErrorReply(500, "api_error", "the fake server has no scripted reply left")


class FakeMessagesAPI:
    """The server. A context manager: it listens on entering and stops (releasing any hung stream) on exit."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.default_reply: Reply = SCRIPT_EXHAUSTED
        self.streams_finished = 0
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._disconnected = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def wait_for_disconnect(self, timeout: float = 5.0) -> bool:
        return self._disconnected.wait(timeout)

    def __enter__(self) -> FakeMessagesAPI:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _record(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._queue.popleft() if self._queue else self.default_reply


def _handler_for(api: FakeMessagesAPI) -> type[BaseHTTPRequestHandler]:
    request_ids = count(1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            """Quiet: tests read `api.requests`, not a log."""

        def handle(self) -> None:
            """A client that hangs up on a reply it cannot use (a raw body, say) is not the server's error."""
            try:
                super().handle()
            except ConnectionResetError:
                self.close_connection = True

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = api._record(RecordedRequest("POST", self.path, headers, body))
            request_id = f"req_fake_{next(request_ids):04d}"
            if self.path.split("?")[0] != MESSAGES_PATH:
                reply = ErrorReply(404, "not_found_error", f"no route for {self.path}")
            if isinstance(reply, ErrorReply):
                self._send_error(reply, request_id)
                return
            if isinstance(reply, RawReply):
                self._send_raw(reply, request_id)
                return
            model = body.get("model", "") if isinstance(body, dict) else ""
            try:
                self._send_stream(reply, model, request_id)
            except (BrokenPipeError, ConnectionResetError):
                api._disconnected.set()

        def _send_error(self, reply: ErrorReply, request_id: str) -> None:
            payload = json.dumps({"type": "error", "error": {"type": reply.error_type, "message": reply.message},
                                  "request_id": request_id}).encode()
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", request_id)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _send_raw(self, reply: RawReply, request_id: str) -> None:
            payload = reply.body.encode()
            self.send_response(200)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", request_id)
            self.end_headers()
            self.wfile.write(payload)

        def _send_stream(self, reply: StreamedReply, model: str, request_id: str) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream; charset=utf-8")
            self.send_header("cache-control", "no-cache")
            self.send_header("transfer-encoding", "chunked")
            self.send_header("request-id", request_id)
            self.end_headers()
            usage = {"input_tokens": reply.input_tokens, "output_tokens": 1,
                     "cache_creation_input_tokens": reply.cache_creation_input_tokens,
                     "cache_read_input_tokens": reply.cache_read_input_tokens}
            self._event("message_start", {"type": "message_start", "message": {
                "id": f"msg_{request_id}", "type": "message", "role": "assistant", "model": model,
                "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}})
            index = 0
            if reply.thinking:
                self._thinking_block(reply.thinking)
                index = 1
            if reply.block_type == "tool_use":
                block = {"type": "tool_use", "id": f"toolu_{request_id}", "name": reply.tool_name, "input": {}}
                delta_type, delta_field = "input_json_delta", "partial_json"
            else:
                block = {"type": "text", "text": ""}
                delta_type, delta_field = "text_delta", "text"
            self._event("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})
            self._event("ping", {"type": "ping"})
            time.sleep(reply.first_token_delay)
            chunks = reply.chunks()
            for sent, chunk in enumerate(chunks):
                if sent == reply.error_after:
                    self._event("error", {"type": "error", "error": {"type": reply.error_type,
                                                                     "message": reply.error_message}})
                    self._end_chunked()
                    return
                if sent == reply.hang_after:
                    self._hang()
                    return
                if sent == reply.drop_after:
                    self.close_connection = True
                    return
                time.sleep(reply.chunk_delay)
                self._event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                    "delta": {"type": delta_type, delta_field: chunk}})
                if sent % 20 == 19:
                    self._event("ping", {"type": "ping"})
            self._event("content_block_stop", {"type": "content_block_stop", "index": index})
            self._event("message_delta", {"type": "message_delta",
                                          "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
                                          "usage": {"output_tokens": len(chunks) + index}})
            self._event("message_stop", {"type": "message_stop"})
            self._end_chunked()
            with api._lock:
                api.streams_finished += 1

        def _thinking_block(self, thinking: str) -> None:
            self._event("content_block_start", {"type": "content_block_start", "index": 0,
                                                "content_block": {"type": "thinking", "thinking": "", "signature": ""}})
            for delta in ({"type": "thinking_delta", "thinking": thinking},
                          {"type": "signature_delta", "signature": "fake-signature"}):
                self._event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
            self._event("content_block_stop", {"type": "content_block_stop", "index": 0})

        def _event(self, name: str, data: dict) -> None:
            payload = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()

        def _end_chunked(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _hang(self) -> None:
            """Send nothing more; notice the client leaving (its read returns EOF) or the server closing."""
            self.connection.settimeout(0.05)
            deadline = time.monotonic() + HANG_LIMIT_SECONDS
            while not api._closing.is_set() and time.monotonic() < deadline:
                try:
                    if self.connection.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            api._disconnected.set()
            self.close_connection = True

    return Handler
