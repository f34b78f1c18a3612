"""What a queue session does around its join, written once for the sync and async
sessions: the checks and upload plan before anything is sent, and the job's core with
its output decoding. Only the I/O between them (reading /config, uploading, joining)
differs between the two clients."""

from __future__ import annotations

from typing import Any, Sequence

from . import _transfer
from ._connection import Connection, ServerInfo
from ._core import JobCore
from ._inputs import Pending, collect
from .endpoint import Endpoint
from .errors import ProtocolError
from ._outputs import wrap_files

__all__ = ["job_core", "plan"]


def plan(
    conn: Connection, endpoint: Endpoint[Any], checked: Sequence[Any], info: ServerInfo
) -> Pending:
    """The arguments with their files to upload found and size-checked (nothing sent)."""
    if info.protocol == "sse":
        raise ProtocolError(
            f"this app runs Gradio {info.version} (protocol 'sse', 4.0-4.8); "
            "gradio-codegen needs Gradio 4.9 or later"
        )
    pending = collect(endpoint, checked)
    if pending.uploads:
        _transfer.check_size(conn, pending.uploads)
    return pending


def job_core(conn: Connection, endpoint: Endpoint[Any], info: ServerInfo) -> JobCore:
    """A job's protocol state, decoding outputs into the endpoint's result shape."""

    def decode(raw: list[Any]) -> Any:
        return endpoint.shape(wrap_files(raw, conn))

    return JobCore(endpoint.fn_index, info.protocol, decode, endpoint.generator)
