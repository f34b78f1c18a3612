"""Connection to one Gradio app: the ``Link`` (addresses, credentials, HTTP clients,
``_link``) with its requests (login, /config, JSON requests, join, cancel), written once
in ``_requests_async`` and generated as sync code into ``_requests_sync``.

The names the rest of the runtime imports from here are re-exported.
"""

from __future__ import annotations

from ._answers import JSON, ServerInfo, redact_url, stream_error, transport_error
from ._httperrors import RetryPolicy, retry_after, status_error
from ._link import MAX_DOWNLOAD_SIZE, STREAM_READ_TIMEOUT, USER_AGENT, check_limits
from ._requests_async import AsyncRequests
from ._requests_sync import SyncRequests

__all__ = [
    "JSON", "MAX_DOWNLOAD_SIZE", "STREAM_READ_TIMEOUT", "USER_AGENT", "Connection",
    "RetryPolicy", "ServerInfo", "check_limits", "redact_url", "retry_after", "status_error",
    "stream_error", "transport_error",
]


class Connection(SyncRequests, AsyncRequests):
    """One app's link with its sync and async requests: what the clients, sessions and
    transfers use."""
