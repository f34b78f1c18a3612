"""The per-job queue protocols of old Gradio servers, without I/O.

Gradio 4.0-4.8 (``sse``) and 3.x (``ws``) open one stream per job instead of one per
session: the server asks for the job's data on that stream (``send_data``; 3.x first
asks which event it is, ``send_hash``) and the client answers, by ``POST /queue/data``
(``sse``) or on the WebSocket (``ws``). ``PerJobExchange`` holds one job's side of
that exchange; the drivers (``_old_session``, ``_old_async_session``) only move
bytes. The job updates themselves (``estimation`` ... ``process_completed``) are
``JobCore``'s, as for every other protocol. Old file payloads are translated here too, both ways, so endpoints
and results keep the modern FileData form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .files import FILE_MARKER, is_file_data

__all__ = ["PER_JOB_PROTOCOLS", "PerJobExchange", "from_wire", "run_answer", "to_wire"]

#: Protocols with one stream per job.
PER_JOB_PROTOCOLS = frozenset({"sse", "ws"})

#: Keys of a 4.0-4.20 FileData output, which has no ``meta`` marker yet.
_FILE_KEYS = frozenset({"path", "url", "size", "orig_name", "mime_type", "is_stream", "meta"})
_MAX_DEPTH = 32


@dataclass
class PerJobExchange:
    """One job's half of an old per-job stream: which answer each message needs."""

    protocol: str
    fn_index: int
    session_hash: str
    data: list[Any]
    #: The server's id for the job (``sse`` only: from ``send_data``).
    event_id: str | None = None
    #: The stream has nothing more to say about the job.
    done: bool = False
    #: The route of an unqueued 3.x call: ``/run/`` came in 3.9, ``/api/`` is older.
    run_path: str = "run/predict"
    #: Gradio 3.1-3.2: the client names its job (``{"hash": ...}``) unasked, first.
    hash_first: bool = False

    def opening(self) -> dict[str, Any] | None:
        """The message a new WebSocket starts with, if any: 3.1-3.2 wait for the job's
        hash; 3.3-3.5 take none and 3.6 and later ask for it (``send_hash``)."""
        return {"hash": self.session_hash} if self.hash_first else None

    def join_query(self) -> str:
        """Query string of ``GET /queue/join`` (``sse``)."""
        return urlencode({"fn_index": self.fn_index, "session_hash": self.session_hash})

    def feed(self, msg: Any) -> dict[str, Any] | None:
        """Take one decoded message; returns the payload to send in answer, if any."""
        kind = msg.get("msg") if isinstance(msg, dict) else None
        if kind in ("process_completed", "queue_full"):
            self.done = True
            return None
        if kind == "send_hash" and self.protocol == "ws":
            return {"fn_index": self.fn_index, "session_hash": self.session_hash}
        if kind != "send_data":
            return None
        body: dict[str, Any] = {
            "data": self.data, "event_data": None, "fn_index": self.fn_index,
            "session_hash": self.session_hash,
        }
        if self.protocol == "sse":
            event_id = msg.get("event_id")
            self.event_id = event_id if isinstance(event_id, str) else None
            body["event_id"] = self.event_id
        return body

    def run_body(self) -> dict[str, Any]:
        """Body of ``POST /run/predict`` (``run_path``), for an event a 3.x app runs without a queue."""
        return {"data": self.data, "fn_index": self.fn_index, "session_hash": self.session_hash}

    def reset_body(self) -> dict[str, Any] | None:
        """Body of ``POST /reset``, which stops a running generator; None when the
        server has not named the job yet (``sse`` before ``send_data``)."""
        if self.protocol == "ws":
            return {"session_hash": self.session_hash, "fn_index": self.fn_index}
        return {"event_id": self.event_id} if self.event_id else None


def run_answer(status: int, body: Any) -> dict[str, Any] | None:
    """The ``process_completed`` message a ``/run/predict`` answer stands for: the
    output (200) or the app's error (500, ``{"error": ...}``); None for any other."""
    if isinstance(body, dict) and status in (200, 500):
        return {"msg": "process_completed", "success": status == 200, "output": body}
    return None


def to_wire(protocol: str, value: Any, depth: int = 0) -> Any:
    """Input values as the server's protocol takes them: 3.x wants its own file
    dicts (``name`` = the uploaded server path, ``is_file``) instead of FileData."""
    if protocol != "ws" or depth > _MAX_DEPTH:
        return value
    if is_file_data(value):
        old: dict[str, Any] = {"name": value["path"], "data": None, "is_file": True}
        for key in ("orig_name", "size"):
            if value.get(key) is not None:
                old[key] = value[key]
        return old
    if isinstance(value, list):
        return [to_wire(protocol, v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(protocol, v, depth + 1) for k, v in value.items()}
    return value


def from_wire(protocol: str, value: Any, depth: int = 0) -> Any:
    """Output values in the modern form: old file dicts become marked FileData, so
    they turn into ``FileRef`` like every other file output."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [from_wire(protocol, v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if protocol == "ws" and value.get("is_file") and isinstance(value.get("name"), str):
        data: dict[str, Any] = {"path": value["name"], "meta": dict(FILE_MARKER)}
        for key in ("orig_name", "size", "mime_type"):
            if value.get(key) is not None:
                data[key] = value[key]
        return data
    if (
        protocol == "sse" and isinstance(value.get("path"), str) and "meta" not in value
        and set(value) <= _FILE_KEYS
    ):
        return {**value, "meta": dict(FILE_MARKER)}
    return {k: from_wire(protocol, v, depth + 1) for k, v in value.items()}
