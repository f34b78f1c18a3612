"""Decode the queue's server-sent events (``data: {json}`` lines) from byte chunks."""

from __future__ import annotations

import json
from typing import Any

from .errors import ProtocolError

__all__ = ["SSEDecoder"]

#: One event larger than this is treated as a hostile or broken stream.
MAX_EVENT_BYTES = 256 * 1024 * 1024
#: ``json.loads`` without its per-call checks and encoding detection (the stream is
#: UTF-8): a fifth of a message's decoding cost, five messages per call.
_decode = json.JSONDecoder().decode


class SSEDecoder:
    """Incremental decoder: feed byte chunks, get JSON messages back."""

    def __init__(self, max_event_bytes: int | None = None) -> None:
        self._buffer = b""
        self._pending: list[bytes] = []  # pieces of a line still without its newline
        self._pending_size = 0
        self._data: list[bytes] = []
        self._data_size = 0
        self._max = MAX_EVENT_BYTES if max_event_bytes is None else max_event_bytes

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        if (
            chunk.endswith(b"\n\n") and not self._buffer and not self._pending
            and not self._data and len(chunk) <= self._max and b"\r" not in chunk
        ):
            # What the queue sends: whole events of one "data:" line each, one chunk
            # per event or a few together. Anything else takes the general path.
            events = chunk[:-2].split(b"\n\n")
            if all(event.startswith(b"data:") and b"\n" not in event for event in events):
                return [_message(e[6:] if e[5:6] == b" " else e[5:]) for e in events]
        if b"\n" not in chunk:
            # Still inside one line: keep the pieces (joining them each time is quadratic).
            self._pending_size += len(chunk)
            if self._pending_size + len(self._buffer) > self._max:
                raise ProtocolError("the event stream sent an oversized line")
            self._pending.append(chunk)
            return []
        if self._pending:
            chunk = b"".join(self._pending) + chunk
            self._pending, self._pending_size = [], 0
        buffer = self._buffer + chunk if self._buffer else chunk
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        if len(self._buffer) > self._max:
            raise ProtocolError("the event stream sent an oversized line")
        messages: list[dict[str, Any]] = []
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if self._data:
                    messages.extend(self._emit())
                continue
            if line.startswith(b"data:"):
                payload = line[5:]
                if payload.startswith(b" "):
                    payload = payload[1:]
                self._data.append(payload)
                self._data_size += len(payload) + 64  # + what a buffered line costs
                if self._data_size > self._max:
                    raise ProtocolError("the event stream sent an oversized event")
            # "event:", "id:", "retry:" and comments carry nothing the queue uses.
        return messages

    def _emit(self) -> list[dict[str, Any]]:
        raw = b"\n".join(self._data)
        self._data, self._data_size = [], 0
        return [_message(raw)]

    def flush(self) -> list[dict[str, Any]]:
        """Messages completed by the end of the stream (a final line without blank)."""
        if self._buffer or self._pending:
            messages = self.feed(b"\n")
        else:
            messages = []
        if self._data:
            messages.extend(self._emit())
        return messages


def _message(raw: bytes) -> dict[str, Any]:
    """One event's data as a message; what is not a JSON object is marked malformed."""
    try:
        # JSON ignores the space that may follow "data:"; bad UTF-8 is a ValueError.
        message = _decode(raw.decode("utf-8", "surrogatepass"))
    except ValueError:
        return {"msg": "__malformed__", "raw": raw[:200].decode("utf-8", "replace")}
    if isinstance(message, dict):
        return message
    return {"msg": "__malformed__", "raw": repr(message)[:200]}
