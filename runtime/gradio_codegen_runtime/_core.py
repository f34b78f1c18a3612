"""The protocol core shared by the sync and async clients (no I/O here).

``JobCore`` turns the queue stream's messages for one event into status snapshots,
output updates and a final outcome; the sync and async sessions feed it and wake their
waiters. Keeping this pure is what lets both clients behave identically.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

from ._diff import apply_diff
from .errors import AppError, CancelledError, ProtocolError, ZeroGPUQuotaError
from .status import LogMessage, ProgressUnit, Status

__all__ = ["DIFF_PROTOCOLS", "END", "WAIT", "JobCore", "app_error", "error_message"]

#: What ``JobCore.next_output`` gives besides an output: none yet, or no more.
WAIT: Any = object()
END: Any = object()

#: Protocols whose generator updates after the first are diffs.
DIFF_PROTOCOLS = frozenset({"sse_v2", "sse_v2.1", "sse_v3"})

Event = tuple[Literal["status", "data"], Any]

_GENERIC_ERROR = (
    "The app raised an exception but has not enabled verbose error reporting "
    "(launch(show_error=True) would show it)."
)


def error_message(raw: Any, protocol_version: str = "") -> str | None:
    """The app's error text, with gradio 4.x's ``repr()`` quoting removed."""
    if not isinstance(raw, str):
        return None
    text = raw
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        inner = text[1:-1]
        if text[0] not in inner or "\\" in inner:
            try:
                import ast

                value = ast.literal_eval(text)
                if isinstance(value, str):
                    return value
            except (ValueError, SyntaxError):
                pass
            return inner
    return text


def app_error(output: Any, title: Any = None) -> AppError:
    """Build the error for a failed ``process_completed``."""
    out = output if isinstance(output, dict) else {}
    message = error_message(out.get("error")) or _GENERIC_ERROR
    ttl = out.get("title") if isinstance(out.get("title"), str) else None
    if ttl is None and isinstance(title, str):
        ttl = title
    duration = out.get("duration")
    duration = float(duration) if isinstance(duration, (int, float)) else None
    visible = bool(out.get("visible", True))
    lowered = message.lower()
    if "gpu quota" in lowered or "zerogpu" in lowered and "quota" in lowered:
        return ZeroGPUQuotaError(
            message, title=ttl, duration=duration, visible=visible,
            retry_after=_retry_after(message),
        )
    return AppError(message, title=ttl, duration=duration, visible=visible)


def _retry_after(message: str) -> float | None:
    import re

    match = re.search(r"(?:retry|try again) in (?:(\d+):)?(\d+):(\d+)", message, re.I)
    if match:
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        return float(hours * 3600 + minutes * 60 + seconds)
    match = re.search(r"(?:retry|try again) in (\d+(?:\.\d+)?)\s*s", message, re.I)
    return float(match.group(1)) if match else None


class JobCore:
    """State of one queued event, advanced by protocol messages."""

    def __init__(
        self,
        fn_index: int,
        protocol: str,
        decode: Callable[[list[Any]], Any],
        generator: bool = False,
    ) -> None:
        self.fn_index = fn_index
        self.event_id: str | None = None
        #: The session the job joined: /cancel must name it, and the client's current
        #: session may have changed since (``reset_session``, or a broken stream).
        self.session_hash = ""
        self.protocol = protocol
        self.generator = generator
        self.decode = decode
        self.status = Status()
        self.outputs: list[Any] = []
        self.raw: list[Any] | None = None
        self.done = False
        self.started = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancel_requested = False
        self.cancelled_by_peer: str | None = None

    # Each handler returns the events to deliver to callbacks, in order.

    def feed(self, msg: dict[str, Any]) -> list[Event]:
        if self.done:
            return []
        kind = msg.get("msg")
        if kind == "estimation":
            return self._status(
                stage="pending", code="estimation", position=_int(msg.get("rank")),
                queue_size=_int(msg.get("queue_size")), eta=_float(msg.get("rank_eta")),
            )
        if kind == "process_starts":
            self.started = True
            return self._status(
                stage="pending", code="process_starts", position=0,
                eta=_float(msg.get("eta")),
            )
        if kind == "progress":
            units = tuple(
                ProgressUnit(
                    index=_int(p.get("index")), length=_int(p.get("length")),
                    unit=p.get("unit") if isinstance(p.get("unit"), str) else None,
                    progress=_float(p.get("progress")),
                    desc=p.get("desc") if isinstance(p.get("desc"), str) else None,
                )
                for p in (msg.get("progress_data") or [])
                if isinstance(p, dict)
            )
            return self._status(code="progress", progress=units)
        if kind == "log":
            log = LogMessage(
                message=str(msg.get("log") or ""),
                level=str(msg.get("level") or "info"),
                title=msg.get("title") if isinstance(msg.get("title"), str) else None,
                duration=_float(msg.get("duration")),
                visible=bool(msg.get("visible", True)),
            )
            return self._status(code="log", logs=self.status.logs + (log,))
        if kind in ("process_generating", "process_streaming"):
            return self._generating(msg)
        if kind == "process_completed":
            return self._completed(msg)
        if kind == "unexpected_error":
            text = msg.get("message") if isinstance(msg.get("message"), str) else None
            return self.fail(ProtocolError(f"the app reported an error: {text or 'unknown'}"))
        if kind == "queue_full":
            from .errors import QueueFullError

            return self.fail(QueueFullError("the app's queue is full", status_code=503))
        return []  # heartbeat, send_hash and unknown messages change nothing

    def _status(self, **changes: Any) -> list[Event]:
        self.status = self.status.evolve(**changes)
        return [("status", self.status)]

    def _apply(self, output: Any, diffed: bool) -> list[Any] | None:
        data = output.get("data") if isinstance(output, dict) else None
        if not isinstance(data, list):
            return None
        if not diffed or self.raw is None:
            return list(data)
        merged = list(self.raw)
        for i, diff in enumerate(data):
            base = merged[i] if i < len(merged) else None
            value = apply_diff(base, diff) if isinstance(diff, list) else diff
            if i < len(merged):
                merged[i] = value
            else:
                merged.append(value)
        return merged

    def _generating(self, msg: dict[str, Any]) -> list[Event]:
        output = msg.get("output")
        if msg.get("success") is False:
            return self.fail(app_error(output, msg.get("title")))
        # Only generators send these: 3.x before 3.20's /config does not say which
        # events are generators, and their completion repeats the last yield too.
        self.generator = True
        diffed = self.protocol in DIFF_PROTOCOLS and msg.get("msg") == "process_generating"
        data = self._apply(output, diffed)
        if data is None:
            return []
        self.raw = data
        value = self.decode(data)
        self.outputs.append(value)
        events: list[Event] = []
        events += self._status(stage="generating", code=str(msg.get("msg")), success=True)
        events.append(("data", value))
        return events

    def _completed(self, msg: dict[str, Any]) -> list[Event]:
        output = msg.get("output")
        if msg.get("success") is False or (isinstance(output, dict) and "error" in output):
            return self.fail(app_error(output, msg.get("title")))
        data = output.get("data") if isinstance(output, dict) else None
        if not isinstance(data, list):
            # A cancelled event completes with an empty output and success=true.
            reason = self.cancelled_by_peer
            if self.cancel_requested or reason is not None or output in ({}, None):
                return self.cancel(reason)
            return self.fail(ProtocolError("the app completed the job without output data"))
        self.raw = list(data)
        value = self.decode(self.raw)
        events: list[Event] = []
        if not self.outputs or not self.generator or value != self.outputs[-1]:
            self.outputs.append(value)
            events.append(("data", value))
        elif self.generator:
            # The final message repeats the last yield; keep the last value as result.
            pass
        self.result = value
        self.done = True
        events += self._status(stage="complete", code="process_completed", success=True)
        return events

    def fail(self, error: BaseException) -> list[Event]:
        if self.done:
            return []
        self.done = True
        self.error = error
        message = str(error)
        title = getattr(error, "title", None)
        return self._status(
            stage="error", code="error", success=False, message=message, title=title
        )

    def cancel(self, reason: str | None = None) -> list[Event]:
        if self.done:
            return []
        self.done = True
        text = reason or "the job was cancelled"
        self.error = CancelledError(text)
        return self._status(stage="cancelled", code="cancelled", success=False, message=text)

    def next_output(self, index: int) -> Any:
        """The output update ``index`` for an iterator over the job: ``WAIT`` while it
        has not come, ``END`` once the job ended without it (completed, or cancelled by
        its caller); the job's error when it failed."""
        if index < len(self.outputs):
            return self.outputs[index]
        if not self.done:
            return WAIT
        error = self.error
        if error is None or (isinstance(error, CancelledError) and self.cancel_requested):
            return END
        raise error

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
