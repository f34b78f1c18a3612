"""A local stand-in for the Hugging Face Hub, and recording proxies standing in for Space hosts.

The Hub cannot be reached from the test machine, so these serve exactly the routes
huggingface_hub calls for Spaces (space info, runtime, duplicate, hardware, sleep time,
secrets, whoami-v2) with the Hub's status codes and ``X-Error-Code`` headers, and point
each Space at a real Gradio server through a proxy that, like the Spaces proxy, refuses a
private Space's requests without the owner's token. Every server records the credential
headers it saw, so tests can prove where a token went and where it did not.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate", "content-length"}


@dataclass
class Seen:
    """One request as a server saw it: where, and which credentials came with it."""

    method: str
    path: str
    authorization: str | None
    x_hf_authorization: str | None

    def carries(self, token: str) -> bool:
        return any(token in (h or "") for h in (self.authorization, self.x_hf_authorization))


def _record(handler: BaseHTTPRequestHandler, log: list[Seen]) -> Seen:
    seen = Seen(
        handler.command, handler.path,
        handler.headers.get("authorization"), handler.headers.get("x-hf-authorization"),
    )
    log.append(seen)
    return seen


def _jwt(space_id: str, exp: float) -> str:
    """An unsigned-looking but well-formed JWT (header.claims.signature, base64url)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    claims = {"sub": f"/spaces/{space_id}", "exp": int(exp), "jti": uuid.uuid4().hex}
    return ".".join(
        (part(b'{"alg":"EdDSA","typ":"JWT"}'), part(json.dumps(claims).encode()),
         part(uuid.uuid4().bytes))
    )


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[7:].strip()
    return None


class _Server:
    """A threaded HTTP server on a free 127.0.0.1 port."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], owner: Any) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = owner  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- recording proxy (a Space's host, or any other host) -----------------------------------


class RecordingProxy:
    """Forwards every request to ``upstream`` (streaming, so SSE works), recording it.

    With ``space`` set it guards like the Spaces proxy: a private Space answers 404 unless
    ``x-hf-authorization`` carries a token of someone who may see it.
    """

    def __init__(self, upstream: str, *, hub: FakeHub | None = None,
                 space: FakeSpace | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.hub = hub
        self.space = space
        self.seen: list[Seen] = []
        self.http = httpx.Client(timeout=httpx.Timeout(120.0), trust_env=False)
        self._server = _Server(_ProxyHandler, self)

    @property
    def url(self) -> str:
        return self._server.url

    def allowed(self, x_hf_authorization: str | None) -> bool:
        if self.space is None or not self.space.private or self.hub is None:
            return True
        user = self.hub.users.get(_bearer(x_hf_authorization) or "")
        return user is not None and self.space.visible_to(user)

    def signed(self, path: str) -> bool:
        """Whether an event-stream request carries a JWT issued for this Space (only
        checked for Spaces that require it)."""
        if self.space is None or not self.space.require_sign or "/queue/data" not in path:
            return True
        assert self.hub is not None
        signs = parse_qs(urlsplit(path).query).get("__sign", [])
        return any(self.hub.jwts.get(s) == self.space.space_id for s in signs)

    def close(self) -> None:
        self._server.close()
        self.http.close()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes: simple streaming

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        proxy: RecordingProxy = self.server.owner  # type: ignore[attr-defined]
        seen = _record(self, proxy.seen)
        if proxy.space is not None and proxy.hub is not None:
            proxy.hub.woken.add(proxy.space.space_id)
        if not proxy.allowed(seen.x_hf_authorization) or not proxy.signed(self.path):
            self.send_response(404)
            self.send_header("content-type", "text/plain")
            self.end_headers()
            self.wfile.write(b"Space not found")
            return
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        request = proxy.http.build_request(
            self.command, proxy.upstream + self.path, headers=headers, content=body
        )
        try:
            response = proxy.http.send(request, stream=True)
        except httpx.HTTPError:
            self.send_response(502)
            self.end_headers()
            return
        try:
            self.send_response(response.status_code)
            for key, value in response.headers.multi_items():
                if key.lower() not in _HOP:
                    self.send_header(key, value)
            self.end_headers()
            for chunk in response.iter_raw():
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            response.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _forward


# -- the Hub -------------------------------------------------------------------------------


@dataclass
class FakeSpace:
    """A Space on the fake Hub. ``stages`` are reported one per space-info poll, the last
    one repeating; a ``SLEEPING`` stage lasts until something requested the Space's host."""

    space_id: str
    upstream: str
    private: bool = False
    stages: list[str] = field(default_factory=lambda: ["RUNNING"])
    hardware: str = "cpu-basic"
    requested_hardware: str | None = None
    sleep_time: int | None = None
    secrets: dict[str, str] = field(default_factory=dict)
    error_message: str | None = None
    proxy: RecordingProxy | None = None
    polls: int = 0
    copied_from: str | None = None
    #: Refuse event streams (``/queue/data``) without a ``__sign`` JWT this Hub issued
    #: for the Space, as some private Spaces' proxies do.
    require_sign: bool = False

    @property
    def owner(self) -> str:
        return self.space_id.split("/")[0]

    @property
    def host(self) -> str:
        assert self.proxy is not None
        return self.proxy.url

    def visible_to(self, user: str | None) -> bool:
        return not self.private or user == self.owner

    def stage(self) -> str:
        return self.stages[min(self.polls, len(self.stages) - 1)]

    def runtime(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stage": self.stage(),
            "hardware": {"current": self.hardware, "requested": self.requested_hardware},
            "gcTimeout": self.sleep_time,
            "storage": None,
        }
        if self.error_message:
            data["errorMessage"] = self.error_message
        return data

    def info(self) -> dict[str, Any]:
        return {
            "id": self.space_id, "author": self.owner, "private": self.private,
            "sdk": "gradio", "host": self.host,
            "subdomain": self.space_id.replace("/", "-").lower(),
            "runtime": self.runtime(), "likes": 0, "tags": [],
        }


class FakeHub:
    """The Hub's Space API on 127.0.0.1; ``users`` maps tokens to user names."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = dict(users)
        self.spaces: dict[str, FakeSpace] = {}
        self.seen: list[Seen] = []
        self.woken: set[str] = set()
        self.duplicates: list[dict[str, Any]] = []
        #: Stages a new copy reports while it is built.
        self.copy_stages = ["BUILDING", "BUILDING", "APP_STARTING", "RUNNING"]
        #: JWTs issued by ``/api/spaces/{id}/jwt``: token -> Space id.
        self.jwts: dict[str, str] = {}
        #: Lifetime of an issued JWT in seconds (its ``exp`` claim).
        self.jwt_lifetime = 3600.0
        self._lock = threading.Lock()
        self._server = _Server(_HubHandler, self)

    @property
    def url(self) -> str:
        return self._server.url

    def add_space(self, space_id: str, upstream: str, **options: Any) -> FakeSpace:
        space = FakeSpace(space_id, upstream, **options)
        space.proxy = RecordingProxy(upstream, hub=self, space=space)
        self.spaces[space_id] = space
        return space

    def close(self) -> None:
        self._server.close()
        for space in self.spaces.values():
            if space.proxy is not None:
                space.proxy.close()


class _HubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def hub(self) -> FakeHub:
        return self.server.owner  # type: ignore[attr-defined, no-any-return]

    def _send(self, status: int, body: Any, error_code: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        if error_code:
            self.send_header("X-Error-Code", error_code)
        self.end_headers()
        self.wfile.write(data)

    def _json(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(length) or b"{}") if length else {}

    def _user(self) -> tuple[str | None, bool]:
        """(user, token_given): who the bearer token belongs to."""
        token = _bearer(self.headers.get("authorization"))
        return (self.hub.users.get(token) if token else None), bool(token)

    def _space(self, space_id: str) -> FakeSpace | None:
        """The Space if the caller may see it; otherwise the Hub's answer was sent."""
        user, given = self._user()
        if given and user is None:
            self._send(401, {"error": "Invalid credentials in Authorization header"})
            return None
        space = self.hub.spaces.get(space_id)
        if space is None or not space.visible_to(user):
            status = 404 if user else 401
            self._send(status, {"error": "Repository not found"}, "RepoNotFound")
            return None
        return space

    def _owned(self, space_id: str) -> FakeSpace | None:
        space = self._space(space_id)
        if space is not None and self._user()[0] != space.owner:
            self._send(403, {"error": "You don't have the rights to manage this Space"})
            return None
        return space

    def do_GET(self) -> None:
        _record(self, self.hub.seen)
        path = urlsplit(self.path).path
        if path == "/api/whoami-v2":
            user, _ = self._user()
            if user is None:
                self._send(401, {"error": "Invalid credentials in Authorization header"})
            else:
                self._send(200, {"type": "user", "name": user, "orgs": [], "auth": {}})
            return
        parts = path.split("/")
        if len(parts) >= 5 and parts[:3] == ["", "api", "spaces"]:
            space_id = f"{parts[3]}/{parts[4]}"
            with self.hub._lock:
                space = self._space(space_id)
                if space is None:
                    return
                if len(parts) == 5:
                    self._send(200, space.info())
                    if space.stage() != "SLEEPING" or space_id in self.hub.woken:
                        space.polls += 1  # a sleeping Space stays asleep until its host is hit
                    return
                if parts[5:] == ["runtime"]:
                    self._send(200, space.runtime())
                    return
                if parts[5:] == ["jwt"]:
                    if self._user()[0] is None:
                        self._send(401, {"error": "a token is needed"})
                        return
                    jwt = _jwt(space_id, time.time() + self.hub.jwt_lifetime)
                    self.hub.jwts[jwt] = space_id
                    self._send(200, {"token": jwt, "accessToken": jwt})
                    return
        self._send(404, {"error": f"no route {path}"})

    def do_POST(self) -> None:
        _record(self, self.hub.seen)
        parts = urlsplit(self.path).path.split("/")
        if len(parts) != 6 or parts[:3] != ["", "api", "spaces"]:
            self._send(404, {"error": "no route"})
            return
        space_id, action = f"{parts[3]}/{parts[4]}", parts[5]
        body = self._json()
        with self.hub._lock:
            if action == "duplicate":
                self._duplicate(space_id, body)
                return
            space = self._owned(space_id)
            if space is None:
                return
            if action == "hardware":  # like the Hub: new hardware restarts the Space
                space.requested_hardware = space.hardware = body["flavor"]
                space.stages, space.polls = ["APP_STARTING", "RUNNING"], 0
                if body.get("sleepTimeSeconds") is not None:
                    space.sleep_time = body["sleepTimeSeconds"]
                self._send(200, space.runtime())
            elif action == "restart":
                space.stages, space.polls = ["APP_STARTING", "RUNNING"], 0
                self._send(200, space.runtime())
            elif action == "sleeptime":
                space.sleep_time = body["seconds"]
                self._send(200, space.runtime())
            elif action == "secrets":
                space.secrets[body["key"]] = body["value"]
                self._send(200, {})
            else:
                self._send(404, {"error": "no route"})

    def _duplicate(self, from_id: str, body: dict[str, Any]) -> None:
        source = self._space(from_id)
        if source is None:
            return
        user, _ = self._user()
        if user is None:
            self._send(401, {"error": "You must be authenticated"})
            return
        target = str(body["repository"])
        self.hub.duplicates.append(dict(body, _from=from_id))
        if target in self.hub.spaces:
            self._send(409, {"error": "You already created this space repo"})
            return
        private = body.get("visibility") == "private" or bool(body.get("private"))
        copy = self.hub.add_space(
            target, source.upstream, private=private, stages=list(self.hub.copy_stages),
            hardware=body.get("hardware") or "cpu-basic",
            requested_hardware=body.get("hardware"),
            sleep_time=body.get("sleepTimeSeconds"),
            secrets={s["key"]: s["value"] for s in body.get("secrets") or []},
            copied_from=from_id,
        )
        self._send(200, {"url": f"{self.hub.url}/spaces/{copy.space_id}"})
