"""Reading an app's API description (``/config`` and ``/info``) over the runtime's
connection: what the generator and the generic clients build an ``ApiSpec`` from."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ._connection import Connection, redact_url
from .errors import ProtocolError

__all__ = ["read_api", "redact_url"]


def read_api(
    url: str,
    *,
    token: str | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
    token_hosts: Sequence[str] = (),
    all_endpoints: bool = False,
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The app's ``/config`` and ``/info`` (``all_endpoints``: private ones too).

    Raises ``ProtocolError`` when the answer is not a Gradio app's API info."""
    conn = Connection(url, token=token, auth=auth, timeout=timeout, token_hosts=list(token_hosts))
    try:
        config, info = conn.read_api(all_endpoints)
    finally:
        conn.close()
    if not isinstance(info, Mapping) or "named_endpoints" not in info:
        raise ProtocolError(f"{redact_url(url)} does not look like a Gradio app (no API info)")
    return config, info
