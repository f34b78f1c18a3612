"""Following a streamed media output (HLS) while the app produces it (no I/O here).

A ``streaming=True`` Audio/Video output of a generator is a FileData with
``is_stream: true`` whose ``url`` is an HLS playlist,
``{P}/stream/{session}/{run}/{component}/playlist.m3u8``: ``#EXTINF:<seconds>,``
lines each followed by a segment name (``<uuid>.aac`` for audio, ``.ts`` for video,
relative to the playlist, 6.x may add a ``?__sign=`` query), and
``#EXT-X-ENDLIST`` once the generator finished. The playlist only grows, so a reader
polls it, fetches the segments it has not seen, and stops at ``#EXT-X-ENDLIST``.

``follow`` is that loop as a generator of steps that a sync or async driver carries
out (``media.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import urljoin

from .errors import APITimeoutError, ProtocolError

__all__ = ["Emit", "Fetch", "MediaSegment", "Playlist", "Wait", "follow", "parse_playlist"]

#: Bounds of the wait between two polls of a growing playlist, in seconds.
MIN_POLL, MAX_POLL = 0.05, 1.0


@dataclass(frozen=True)
class MediaSegment:
    """One piece of a media stream, in order: ``data`` is a whole ADTS AAC (audio) or
    MPEG-TS (video) segment, so the segments joined are one playable file."""

    index: int
    duration: float
    data: bytes
    extension: str


@dataclass(frozen=True)
class Playlist:
    segments: tuple[tuple[str, float], ...]
    ended: bool


def parse_playlist(text: str) -> Playlist:
    """Segments (name, seconds) and whether the stream ended; ``ProtocolError`` if
    ``text`` is not an HLS playlist."""
    lines = [line.strip() for line in text.splitlines()]
    if not lines or lines[0] != "#EXTM3U":
        raise ProtocolError("the stream's playlist is not an HLS playlist (no #EXTM3U)")
    segments: list[tuple[str, float]] = []
    duration: float | None = None
    ended = False
    for line in lines[1:]:
        if line.startswith("#EXTINF:"):
            try:
                duration = float(line[len("#EXTINF:"):].split(",", 1)[0])
            except ValueError:
                raise ProtocolError(f"bad segment duration in the playlist: {line!r}") from None
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line and not line.startswith("#"):
            segments.append((line, duration if duration is not None else 0.0))
            duration = None
    return Playlist(tuple(segments), ended)


@dataclass(frozen=True)
class Fetch:
    """GET ``url``; answer its body."""

    url: str


@dataclass(frozen=True)
class Wait:
    """Wait ``seconds`` before polling again."""

    seconds: float


@dataclass(frozen=True)
class Emit:
    """Hand ``segment`` to the reader."""

    segment: MediaSegment


Step = Union[Fetch, Wait, Emit]


def _extension(name: str) -> str:
    base = name.split("?", 1)[0].rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def follow(
    url: str, idle_timeout: float | None, clock: Callable[[], float]
) -> Generator[Step, Any, None]:
    """Every segment of the stream at ``url``, in order, until it ends.

    Raises ``APITimeoutError`` when the playlist gains nothing for ``idle_timeout``
    seconds without ending (the app stopped producing, e.g. the job was cancelled).
    """
    seen = 0
    last_new = clock()
    while True:
        body = yield Fetch(url)
        playlist = parse_playlist(bytes(body).decode("utf-8", "replace"))
        fresh = playlist.segments[seen:]
        for name, duration in fresh:
            data = yield Fetch(urljoin(url, name))
            yield Emit(MediaSegment(seen, duration, bytes(data), _extension(name)))
            seen += 1
        if playlist.ended:
            return
        now = clock()
        if fresh:
            last_new = now
        elif idle_timeout is not None and now - last_new >= idle_timeout:
            raise APITimeoutError(
                f"the media stream gained no segment within {idle_timeout} s and did not end"
            )
        last = playlist.segments[-1][1] if playlist.segments else 0.0
        yield Wait(min(MAX_POLL, max(MIN_POLL, last / 2)))
