"""A hostile fake Gradio server (``http.server``, one thread per request).

It replays the ``/config`` and ``/info`` of a real app, answers ``queue/join``, and
streams whatever messages the test put in ``FakeGradio.messages``; its ``file=``
route serves crafted bodies (endless ones, redirects to other hosts). Every request
is recorded with its headers so tests can see who received which credentials.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import unquote


@dataclass
class Seen:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str]


class FakeGradio:
    """A fake app on ``127.0.0.1`` (``host`` may be ``localhost`` to look like another host)."""

    def __init__(
        self, config: dict[str, Any] | None = None, info: dict[str, Any] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.config = config or {}
        self.info = info or {}
        self.host = host
        self.requests: list[Seen] = []
        #: Messages (without event_id) streamed on /queue/data after each join.
        self.messages: list[dict[str, Any]] = []
        #: Raw SSE body generator replacing ``messages`` when set.
        self.raw_stream: Callable[[], Iterator[bytes]] | None = None
        #: ``file=`` path -> body generator, or ("redirect", url).
        self.files: dict[str, Any] = {}
        self.set_cookie: str | None = None
        self._events: list[str] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._record(self)
                fake._get(self)

            def do_POST(self) -> None:
                fake._record(self)
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                fake._post(self)

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)

    # -- handlers --------------------------------------------------------------------

    def _record(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(
                Seen(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()})
            )

    def _json(self, handler: BaseHTTPRequestHandler, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        if self.set_cookie:
            handler.send_header("set-cookie", self.set_cookie)
        handler.end_headers()
        handler.wfile.write(data)

    def _stream(self, handler: BaseHTTPRequestHandler, body: Iterator[bytes], kind: str) -> None:
        handler.send_response(200)
        handler.send_header("content-type", kind)
        handler.send_header("transfer-encoding", "chunked")
        handler.end_headers()
        try:
            for piece in body:
                if not piece:
                    continue  # an empty chunk would end the body
                handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path.startswith("/config"):
            self._json(handler, self.config)
        elif path.endswith("/info") or "/info?" in path:
            self._json(handler, self.info)
        elif "/queue/data" in path:
            self._stream(handler, self._sse(), "text/event-stream")
        elif "/file=" in path:
            name = unquote(path.split("/file=", 1)[1])
            entry = self.files.get(name)
            if isinstance(entry, tuple) and entry[0] == "redirect":
                handler.send_response(302)
                handler.send_header("location", entry[1])
                handler.send_header("content-length", "0")
                handler.end_headers()
            elif entry is not None:
                self._stream(handler, entry(), "application/octet-stream")
            else:
                self._stream(handler, iter([b"payload:" + name.encode()]), "application/octet-stream")
        else:
            self._json(handler, {"detail": "Not Found"}, 404)

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        if "/queue/join" in handler.path:
            event_id = uuid.uuid4().hex
            with self._lock:
                self._events.append(event_id)
            self._json(handler, {"event_id": event_id})
        else:
            self._json(handler, {"success": True})

    def _sse(self) -> Iterator[bytes]:
        if self.raw_stream is not None:
            yield from self.raw_stream()
            return
        with self._lock:
            events, self._events = self._events, []
        for event_id in events:
            for message in self.messages:
                yield b"data: " + json.dumps({**message, "event_id": event_id}).encode() + b"\n\n"
        yield b'data: {"msg":"close_stream","event_id":null}\n\n'


def file_data(path: str, orig_name: str | None, url: str | None = None) -> dict[str, Any]:
    """A FileData dict as a server would send it."""
    return {
        "path": path, "url": url, "size": None, "orig_name": orig_name, "mime_type": None,
        "is_stream": False, "meta": {"_type": "gradio.FileData"},
    }


def completed(*outputs: Any) -> dict[str, Any]:
    return {"msg": "process_completed", "output": {"data": list(outputs)}, "success": True}
