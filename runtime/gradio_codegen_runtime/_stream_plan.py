"""When to send the chunks of a streaming input (no I/O here).

Wire facts (Gradio 5.0+; the same on 5.x and 6.x): the first chunk travels in the queue
join; each later chunk is ``POST {P}/stream/{event_id}`` with the join's body shape,
and ``POST {P}/stream/{event_id}/close`` ends the stream. The app answers each chunk
with a ``process_streaming`` message. It holds one chunk per event: a chunk posted
while the function still runs replaces the one waiting, unseen, so the next chunk may
go only once the previous one was answered, and never sooner than the app's
``stream_every`` after it (the browser records that long per chunk). The app counts
the event's run time against its ``time_limit`` and ends the event when it runs out;
the client stops sending then. (5.x also has a WebSocket at the same path; its HTTP
route exists on every 5.x and 6.x, so one path serves both.)

``plan`` is a generator of steps; a driver (sync or async, ``_stream_feed``) carries
each out and answers it (``_steps.Steps``), so both drivers follow one schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Union

__all__ = [
    "CLOSE", "END", "PULL", "Close", "Pull", "Send", "Sleep", "Step", "StreamInput",
    "WaitAck", "plan",
]


@dataclass(frozen=True)
class StreamInput:
    """Which parameter of an endpoint streams, and the app's pacing of the event
    (``stream_every`` and ``time_limit`` of its /config dependency)."""

    param: int
    audio: bool = False
    stream_every: float = 0.0
    time_limit: float | None = None


@dataclass(frozen=True)
class WaitAck:
    """Wait until the app answered ``count`` chunks; answer False if the job ended."""

    count: int


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds``; answer False if the job ended meanwhile."""

    seconds: float


class Pull:
    """Take the caller's next chunk; answer it, or ``END`` when there is none."""


@dataclass(frozen=True)
class Send:
    """Post ``chunk``; answer False if the app no longer knows the event."""

    chunk: Any


class Close:
    """Tell the app the stream ended (harmless if the event already ended)."""


PULL = Pull()
CLOSE = Close()
END: Any = object()
Step = Union[WaitAck, Sleep, Pull, Send, Close]


def plan(timing: StreamInput, clock: Callable[[], float]) -> Generator[Step, Any, None]:
    """The schedule after the first chunk (sent in the join) until the stream ends."""
    sent = 1
    if not (yield WaitAck(sent)):
        return
    # The app counts from its first call; its first answer is the closest we can see.
    started = last = clock()
    limit = timing.time_limit

    def expired() -> bool:
        return limit is not None and clock() - started >= limit

    while True:
        if expired():
            yield CLOSE
            return
        wait = last + timing.stream_every - clock()
        if wait > 0 and not (yield Sleep(wait)):
            return
        chunk = yield PULL
        if chunk is END or expired():
            yield CLOSE
            return
        if not (yield Send(chunk)):
            return
        sent += 1
        last = clock()
        if not (yield WaitAck(sent)):
            return

