"""The one module that imports the HTTP library.

Everything else in the runtime goes through these names, so moving to a fork such as
httpx2 is a one-line change here.
"""

from __future__ import annotations

import httpx

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
RemoteProtocolError = httpx.RemoteProtocolError
StreamError = httpx.StreamError
BaseTransport = httpx.BaseTransport
AsyncBaseTransport = httpx.AsyncBaseTransport

__all__ = [
    "URL",
    "AsyncBaseTransport",
    "AsyncClient",
    "BaseTransport",
    "Client",
    "ConnectError",
    "Cookies",
    "HTTPError",
    "Limits",
    "RemoteProtocolError",
    "Request",
    "Response",
    "StreamError",
    "Timeout",
    "TimeoutException",
    "TransportError",
]
