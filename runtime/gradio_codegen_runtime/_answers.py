"""The app's addresses and answers, read without I/O: what /config says (``ServerInfo``),
JSON bodies, the event id of a join, and the typed errors for requests and streams that
got no answer. Shared by the connection, its generated sync requests and the sessions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from . import _http
from ._httperrors import status_error
from ._old_info import release_of, unqueued_fns
from .errors import APIConnectionError, APIStatusError, APITimeoutError, ProtocolError

__all__ = [
    "JSON", "ServerInfo", "dumps", "event_id_of", "json_or_raise", "redact_url",
    "require_mapping", "stream_error", "transport_error",
]

JSON = "application/json"


def redact_url(url: str) -> str:
    """The URL without user info or query string (they may hold credentials)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True)
class ServerInfo:
    """What the runtime must know about the server before calling it."""

    api_prefix: str = ""
    protocol: str = "sse_v3"
    version: str = "unknown"
    max_file_size: int | None = None
    config: Mapping[str, Any] | None = None
    #: fn_indexes a 3.x app runs without a queue (``POST /run/predict``).
    unqueued: tuple[int, ...] = ()

    @property
    def release(self) -> tuple[int, ...] | None:
        """The server's version as numbers, None when unknown."""
        return release_of(self.version)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ServerInfo:
        protocol = config.get("protocol") or "ws"  # 3.x configs have no protocol
        version = str(config.get("version") or "unknown").strip()
        size = config.get("max_file_size")
        return cls(
            api_prefix=str(config.get("api_prefix") or "").rstrip("/"),
            protocol=str(protocol),
            version=version,
            max_file_size=size if isinstance(size, int) and size > 0 else None,
            config=config,
            unqueued=unqueued_fns(config),
        )


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def json_or_raise(response: _http.Response, what: str) -> Any:
    if response.status_code >= 400:
        raise status_error(response, what)
    if response.status_code >= 300:
        raise APIStatusError(
            f"{what}: unexpected redirect (HTTP {response.status_code})",
            status_code=response.status_code,
        )
    try:
        return response.json()
    except ValueError:
        raise ProtocolError(f"{what}: the answer is not JSON; is this a Gradio app?") from None


def require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{what} is not a JSON object; is this a Gradio app?")
    return value


def event_id_of(response: _http.Response) -> str:
    """The event id in a join's answer."""
    if response.status_code >= 400:
        raise status_error(response, "joining the queue")
    try:
        body = response.json()
    except ValueError:
        raise ProtocolError("joining the queue: the answer is not JSON") from None
    event_id = body.get("event_id") if isinstance(body, Mapping) else None
    if not isinstance(event_id, str) or not event_id:
        raise ProtocolError("joining the queue: no event_id in the answer")
    return event_id


def transport_error(exc: Exception, what: str, url: str) -> APITimeoutError | APIConnectionError:
    """The runtime's error for a request that got no answer."""
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"{what}: timed out ({redact_url(url)})")
    return APIConnectionError(f"{what}: cannot reach {redact_url(url)} ({type(exc).__name__})")


def stream_error(exc: Exception, base_url: str) -> APITimeoutError | APIConnectionError:
    """The runtime's error for a queue event stream that went silent or broke."""
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"no message from {redact_url(base_url)} within the read timeout")
    return APIConnectionError(
        f"the event stream from {redact_url(base_url)} broke ({type(exc).__name__})"
    )
