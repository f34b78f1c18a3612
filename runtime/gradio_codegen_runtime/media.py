"""Streamed media outputs: read or save an app's HLS stream while it is produced.

A ``gr.Audio``/``gr.Video`` output with ``streaming=True`` comes back as a
``MediaStream`` (a ``FileRef`` whose ``url`` is the stream's playlist). Iterate its
``segments()`` to get each piece as soon as the app made it, or ``save(path)`` to write
the whole stream (the call returns once the app ended it). Segments are ADTS AAC for
audio and MPEG-TS for video; joined, they are one playable file.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from . import _transfer
from ._hls import Fetch, MediaSegment, Step, Wait, follow
from ._steps import Steps
from .files import FileRef, _target

__all__ = ["MediaSegment", "MediaStream"]


@dataclass(frozen=True)
class MediaStream(FileRef):
    """A media output the app streams (HLS); ``is_stream`` is True."""

    def _steps(self) -> Steps[Step]:
        conn = self._require_conn()
        return Steps(follow(self._source(), conn.stream_timeout, time.monotonic))

    def segments(self) -> Iterator[MediaSegment]:
        """Each segment as soon as the app produced it, until the stream ends."""
        conn, steps = self._require_conn(), self._steps()
        for step in steps:
            if isinstance(step, Fetch):
                steps.answer(_transfer.read_bytes(conn, step.url))
            elif isinstance(step, Wait):
                time.sleep(step.seconds)
            else:
                yield step.segment

    async def asegments(self) -> AsyncIterator[MediaSegment]:
        """Async ``segments``."""
        conn, steps = self._require_conn(), self._steps()
        for step in steps:
            if isinstance(step, Fetch):
                steps.answer(await _transfer.aread_bytes(conn, step.url))
            elif isinstance(step, Wait):
                await asyncio.sleep(step.seconds)
            else:
                yield step.segment

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the whole stream to ``path`` as it arrives; returns once it ended.

        The file appears under its name only when complete (a ``.part`` file before).
        """
        target, part = _paths(path)
        with _Writer(target, part) as out:
            for segment in self.segments():
                out.write(segment.data)
        return target

    async def asave(self, path: str | os.PathLike[str]) -> Path:
        """Async ``save`` (file writes are small and go on the event loop's thread)."""
        target, part = _paths(path)
        with _Writer(target, part) as out:
            async for segment in self.asegments():
                out.write(segment.data)
        return target

    def read_bytes(self) -> bytes:
        """The whole stream in memory, once it ended."""
        return b"".join(segment.data for segment in self.segments())

    async def aread_bytes(self) -> bytes:
        """Async ``read_bytes``."""
        return b"".join([segment.data async for segment in self.asegments()])

    def download(self, directory: str | os.PathLike[str] = ".", *, name: str | None = None) -> Path:
        """``save`` into ``directory`` (default name: the output's, with the segments'
        extension, ``.aac`` for audio)."""
        return self.save(_target(directory, name or self._default_name()))

    async def adownload(
        self, directory: str | os.PathLike[str] = ".", *, name: str | None = None
    ) -> Path:
        """Async ``download``."""
        return await self.asave(_target(directory, name or self._default_name()))

    def _default_name(self) -> str:
        name = Path(self.name)
        video = name.suffix.lower() in _VIDEO or (self.mime_type or "").startswith("video")
        return (name.stem or "stream") + (".ts" if video else ".aac")


_VIDEO = frozenset({".mp4", ".webm", ".mov", ".avi", ".mkv", ".ts", ".m4v"})


def _paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target, target.with_name(target.name + ".part")


class _Writer:
    """A ``.part`` file renamed to its name on success and removed on failure."""

    def __init__(self, target: Path, part: Path) -> None:
        self.target = target
        self.part = part
        self.file: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        self.file = open(self.part, "wb")
        return self.file

    def __exit__(self, kind: object, *exc: object) -> None:
        assert self.file is not None
        self.file.close()
        if kind is None:
            os.replace(self.part, self.target)
        else:
            self.part.unlink(missing_ok=True)
