"""Files to and from an app: uploads streamed from disk, downloads streamed to disk.

Downloads are bounded (``Connection.max_download_size``), written to a temporary name
and renamed into place, and follow redirects themselves: the app's own host gets the
connection's credentials, any other host is fetched with none (no token, no cookies,
no shared pool).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from . import _http
from ._connection import USER_AGENT, redact_url, status_error
from ._link import _host_key
from ._h1 import chunks
from ._h1_async import achunks
from .errors import APIConnectionError, APITimeoutError, ProtocolError, ValidationError

if TYPE_CHECKING:
    from ._connection import Connection
    from .files import UploadFile

__all__ = ["adownload", "aread_bytes", "check_size", "download", "read_bytes"]

_MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


def check_size(conn: Connection, files: Sequence[tuple[str, UploadFile]]) -> None:
    """Refuse, before anything is sent, a file over the app's ``max_file_size``."""
    limit = conn.server.max_file_size if conn.server else None
    if limit is None:
        return
    for param, upload in files:
        size = upload.size()
        if size is not None and size > limit:
            raise ValidationError(
                f"argument {param!r}: file {upload.name!r} is {size} bytes, over the "
                f"app's limit of {limit} bytes",
                parameter=param,
            )


def download(
    conn: Connection, url: str, target: Path, *, cookie: str | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Stream ``url`` to ``target`` (atomically, bounded in size). ``cookie``: a Cookie
    header for the app's host; ``stop``: abandon the download (no file is left)."""
    tmp = _part_name(target)
    try:
        with open(tmp, "wb") as out:
            for chunk in _iter_download(conn, url, cookie):
                if stop is not None and stop.is_set():
                    raise _Stopped
                out.write(chunk)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_bytes(conn: Connection, url: str) -> bytes:
    return b"".join(_iter_download(conn, url))


class _Stopped(Exception):
    """The awaiting task of a threaded download was cancelled."""


async def adownload(conn: Connection, url: str, target: Path) -> None:
    """``download`` in a thread of its own, awaited without blocking the event loop.

    The sync stack moves bytes with a third less CPU than the async one, and the file
    writes stay off the loop. The async client's login cookie goes along; cancelling
    the awaiting task stops the thread at its next chunk, which removes the partial
    file. At most ``DOWNLOAD_THREADS`` run at once per event loop.
    """
    if conn._async_transport is not None:  # a custom transport sees every request
        tmp = _part_name(target)
        try:
            with open(tmp, "wb") as out:
                async for chunk in _aiter_download(conn, url):
                    out.write(chunk)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return
    headers: dict[str, str] = {}
    conn._add_cookies(conn._async, "GET", url, headers)
    loop = asyncio.get_running_loop()
    async with conn.download_slots():
        done: asyncio.Future[None] = loop.create_future()
        stop = threading.Event()

        def settle(error: BaseException | None) -> None:
            if done.done():
                return
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

        def work() -> None:
            error: BaseException | None = None
            try:
                download(conn, url, target, cookie=headers.get("cookie"), stop=stop)
            except _Stopped:
                return
            except BaseException as exc:  # handed to the awaiting task
                error = exc
            try:
                loop.call_soon_threadsafe(settle, error)
            except RuntimeError:
                pass  # the event loop is gone: nobody awaits the result

        threading.Thread(target=work, name="gradio-codegen-download", daemon=True).start()
        try:
            await done
        finally:
            stop.set()


async def aread_bytes(conn: Connection, url: str) -> bytes:
    return b"".join([chunk async for chunk in _aiter_download(conn, url)])


def _part_name(target: Path) -> Path:
    """A temporary name beside ``target``, unique per process, thread and call (the
    caller holds ``target`` for the whole call, so its id is not reused meanwhile)."""
    return target.with_name(
        f".{target.name}.part-{os.getpid()}-{threading.get_ident()}-{id(target)}"
    )


def _redirect(response: _http.Response, url: str) -> str | None:
    """The next URL for a redirect; None for a body to read; a typed error for a failure
    (the caller has read an error body already)."""
    if response.status_code in _REDIRECTS:
        location = response.headers.get("location")
        if not location:
            raise APIConnectionError("a redirect without a location")
        return str(response.url.join(location))
    if response.status_code >= 400:
        raise status_error(response, f"downloading {redact_url(url)}")
    return None


def _check_total(conn: Connection, url: str, total: int) -> None:
    limit = conn.max_download_size
    if limit is not None and total > limit:
        raise ProtocolError(
            f"downloading {redact_url(url)}: more than {limit} bytes; raise "
            "max_download_size to allow it"
        )


def _request(
    conn: Connection, url: str, cookie: str | None = None
) -> tuple[bool, dict[str, str]]:
    """Whether ``url`` is on the app's host, and the headers it may carry."""
    if _host_key(url) == _host_key(conn.base_url):
        headers = conn.headers_for(url)
        if cookie:
            headers["cookie"] = cookie
        return True, headers
    return False, {"user-agent": USER_AGENT}


def _transport_error(url: str, exc: Exception) -> Exception:
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"downloading {redact_url(url)}: timed out")
    return APIConnectionError(f"downloading {redact_url(url)} failed ({type(exc).__name__})")


def _iter_download(conn: Connection, url: str, cookie: str | None = None) -> Iterator[bytes]:
    stale_retry = True
    for _ in range(_MAX_REDIRECTS + 1):
        same_app, headers = _request(conn, url, cookie)
        answered = False
        next_url: str | None = None
        try:
            with ExitStack() as scope:
                if same_app:
                    answer = conn.stream_get(url, conn.timeout, headers)
                else:
                    other = scope.enter_context(
                        _http.Client(timeout=conn.timeout, **conn.net.httpx_options(url))
                    )
                    answer = other.stream("GET", url, headers=headers)
                response = scope.enter_context(answer)
                answered = True
                if response.status_code >= 400:
                    response.read()
                next_url = _redirect(response, url)
                if next_url is None:
                    total = 0
                    for chunk in chunks(response):
                        total += len(chunk)
                        _check_total(conn, url, total)
                        yield chunk
        except _http.TransportError as exc:
            if not answered and stale_retry and not isinstance(exc, _http.TimeoutException):
                # A pooled keep-alive connection the server had just closed: a GET that
                # got no answer is safe to send once more.
                stale_retry = False
                continue
            raise _transport_error(url, exc) from None
        if next_url is None:
            return
        url = next_url
    raise APIConnectionError(f"downloading {redact_url(url)}: too many redirects")


async def _aiter_download(conn: Connection, url: str) -> AsyncIterator[bytes]:
    stale_retry = True
    for _ in range(_MAX_REDIRECTS + 1):
        same_app, headers = _request(conn, url)
        answered = False
        next_url: str | None = None
        other = None if same_app else _http.AsyncClient(
            timeout=conn.timeout, **conn.net.httpx_options(url)
        )
        try:
            if other is None:
                scope = await conn.astream_get(url, conn.timeout)
            else:
                scope = other.stream("GET", url, headers=headers)
            async with scope as response:
                answered = True
                if response.status_code >= 400:
                    await response.aread()
                next_url = _redirect(response, url)
                if next_url is None:
                    total = 0
                    async for chunk in achunks(response):
                        total += len(chunk)
                        _check_total(conn, url, total)
                        yield chunk
        except _http.TransportError as exc:
            if not answered and stale_retry and not isinstance(exc, _http.TimeoutException):
                stale_retry = False  # a stale pooled connection: resend the GET once
                continue
            raise _transport_error(url, exc) from None
        finally:
            if other is not None:
                await other.aclose()
        if next_url is None:
            return
        url = next_url
    raise APIConnectionError(f"downloading {redact_url(url)}: too many redirects")
