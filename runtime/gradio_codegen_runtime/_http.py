"""The one module that imports the HTTP library.

Everything else in the runtime goes through these names, so moving to a fork such as
httpx2 is a one-line change here.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any


def _defer_httpx_cli() -> None:
    """Keep ``import httpx`` from importing its command-line tool.

    httpx imports ``httpx._main`` (click, rich, pygments) at import time whenever those
    are installed: about a third of a generated SDK's import time, for a CLI the SDK
    never uses. A stand-in module loads the real one only if ``httpx.main`` is called.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stub = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get("httpx._main") is stub:
            del sys.modules["httpx._main"]
        return importlib.import_module("httpx._main").main(*args, **kwargs)

    stub.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stub


_defer_httpx_cli()

import httpx  # noqa: E402

if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    # httpcore tries ``import sniffio`` several times per async request and falls back
    # to asyncio when it is missing (recent anyio releases no longer install it). A failed
    # import searches every sys.path entry each time (~1.5 ms), which dominated the
    # async client's CPU per call; recording the absence makes each attempt instant.
    sys.modules["sniffio"] = None  # type: ignore[assignment]

Client = httpx.Client
AsyncClient = httpx.AsyncClient
Timeout = httpx.Timeout
Limits = httpx.Limits
Response = httpx.Response
Request = httpx.Request
Cookies = httpx.Cookies
URL = httpx.URL
HTTPError = httpx.HTTPError
TransportError = httpx.TransportError
TimeoutException = httpx.TimeoutException
ConnectError = httpx.ConnectError
ConnectTimeout = httpx.ConnectTimeout
ReadTimeout = httpx.ReadTimeout
WriteTimeout = httpx.WriteTimeout
ReadError = httpx.ReadError
WriteError = httpx.WriteError
SyncByteStream = httpx.SyncByteStream
ByteStream = httpx.ByteStream
AsyncByteStream = httpx.AsyncByteStream
LocalProtocolError = httpx.LocalProtocolError
create_ssl_context = httpx.create_ssl_context
RemoteProtocolError = httpx.RemoteProtocolError
StreamError = httpx.StreamError
BaseTransport = httpx.BaseTransport
AsyncBaseTransport = httpx.AsyncBaseTransport

__all__ = [
    "URL",
    "AsyncBaseTransport",
    "AsyncByteStream",
    "AsyncClient",
    "BaseTransport",
    "ByteStream",
    "Client",
    "ConnectError",
    "ConnectTimeout",
    "Cookies",
    "HTTPError",
    "Limits",
    "LocalProtocolError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Request",
    "Response",
    "StreamError",
    "SyncByteStream",
    "Timeout",
    "TimeoutException",
    "TransportError",
    "WriteError",
    "WriteTimeout",
    "create_ssl_context",
]
