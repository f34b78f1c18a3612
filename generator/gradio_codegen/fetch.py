"""Read an app's API: from a URL or Space id (``/config`` + ``/info``) or a saved
``schema.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .runtime._connection import Connection, redact_url
from .runtime.errors import ProtocolError
from .spec import ApiSpec, SpecError, build_spec, load_spec

__all__ = ["is_schema_file", "load_source"]


def is_schema_file(source: str) -> bool:
    return source.endswith(".json") or Path(source).is_file()


def load_source(
    source: str,
    *,
    token: str | None = None,
    all_endpoints: bool = False,
    auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
) -> ApiSpec:
    """The ApiSpec of ``source``: a URL, a Space id (``owner/name``) or a schema file."""
    if not source.startswith(("http://", "https://")) and is_schema_file(source):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"cannot read {source!r}: {exc.strerror}") from None
        return load_spec(text)
    space_id: str | None = None
    token_hosts: list[str] = []
    if source.startswith(("http://", "https://")):
        url = source
    else:
        from .runtime.client import _saved_token
        from .runtime.hub import resolve_space

        if token is None:
            token = _saved_token()
        space_id = source
        url = resolve_space(source, token=token)
        token_hosts.append(url)
    conn = Connection(url, token=token, auth=auth, timeout=timeout, token_hosts=token_hosts)
    try:
        conn.ensure_ready()
        assert conn.server is not None and conn.server.config is not None
        config = conn.server.config
        query = "?all_endpoints=true" if all_endpoints else ""
        info = conn.request_json("GET", conn.url("info") + query, "reading /info")
    finally:
        conn.close()
    if not isinstance(info, Mapping) or "named_endpoints" not in info:
        raise ProtocolError(f"{redact_url(url)} does not look like a Gradio app (no API info)")
    shown = space_id or redact_url(url)
    return build_spec(config, info, host=url, source=shown, space_id=space_id)
