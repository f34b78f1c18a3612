"""Read an app's API: from a URL or Space id (``/config`` + ``/info``) or a saved
``schema.json``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gradio_codegen_runtime.discovery import read_api, redact_url
from gradio_codegen_runtime.spec import ApiSpec, SpecError, build_spec, load_spec

if TYPE_CHECKING:
    from gradio_codegen_runtime.hub import SpaceStatusCallback

__all__ = ["duplicate_source", "is_schema_file", "load_source"]


def is_schema_file(source: str) -> bool:
    return source.endswith(".json") or Path(source).is_file()


def load_source(
    source: str,
    *,
    token: str | None = None,
    all_endpoints: bool = False,
    auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
    on_status: SpaceStatusCallback | None = None,
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
        from gradio_codegen_runtime.hub import resolve_space, saved_token

        if token is None:
            token = saved_token()
        space_id = source
        url = resolve_space(source, token=token, on_status=on_status)
        token_hosts.append(url)
    config, info = read_api(
        url, token=token, auth=auth, timeout=timeout, token_hosts=token_hosts,
        all_endpoints=all_endpoints,
    )
    shown = space_id or redact_url(url)
    # The URL's user info and query string may hold credentials: never store them.
    return build_spec(config, info, host=redact_url(url), source=shown, space_id=space_id)


def duplicate_source(
    source: str,
    *,
    token: str | None = None,
    hardware: str | None = None,
    sleep_timeout: int | None = None,
    on_status: SpaceStatusCallback | None = None,
) -> str:
    """Duplicate the Space ``source`` under the token's account (reusing an earlier
    copy) and return the copy's id, so the SDK is generated for, and bakes in, the copy."""
    from gradio_codegen_runtime.duplicate import duplicate_space
    from gradio_codegen_runtime.hub import saved_token

    if source.startswith(("http://", "https://")) or is_schema_file(source):
        raise ValueError("--duplicate needs a Space id (owner/name) as SOURCE")
    copy = duplicate_space(
        source, token=token if token is not None else saved_token(), hardware=hardware,
        sleep_timeout=sleep_timeout, on_status=on_status,
    )
    return copy.space_id
