"""Streaming inputs (``.stream()`` events) through a generated SDK, on real servers.

The app (``tests/apps/stream_in.py``) answers each audio chunk with what it has received
in the stream so far: ``chunks=N frames=F rate=R firsts=a,b,...`` where ``firsts`` lists
the first sample of each chunk, and each webcam frame with its size and first pixel. Gradio 5.x calls the function once more with the last
chunk when the stream is closed (6.x does not): ``_calls`` accounts for that.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import struct
import threading
import wave
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen_runtime import CancelledError, ValidationError

pytestmark = pytest.mark.timeout(120)


def _frames(first: int, count: int = 160) -> tuple[int, list[int]]:
    return (16000, [first] * count)


def _firsts(text: str) -> list[int]:
    field = text.rsplit("firsts=", 1)[1]
    return [int(v) for v in field.split(",") if v]


def _calls(version: str, chunks: list[int]) -> list[int]:
    """The first samples the app saw: 5.x repeats the last chunk at close."""
    return chunks + chunks[-1:] if version.startswith("5.") else chunks


class Source:
    """An endless chunk source that records how far it was read and whether the
    SDK closed it."""

    def __init__(self) -> None:
        self.pulled = 0
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[tuple[int, list[int]]]:
        try:
            for i in itertools.count(1):
                self.pulled = i
                yield _frames(i)
        finally:
            self.closed.set()


def test_predict_sends_every_chunk_in_order_and_returns_the_last_answer(
    stream_in: Any, stream_version: str
) -> None:
    sdk, url = stream_in
    with sdk.Client(url) as app:
        text: str = app.listen(iter([_frames(i) for i in range(1, 6)]))
    assert _firsts(text) == _calls(stream_version, [1, 2, 3, 4, 5])
    assert text.startswith(f"chunks={len(_calls(stream_version, [1, 2, 3, 4, 5]))} ")


def test_submit_yields_an_answer_per_chunk(stream_in: Any, stream_version: str) -> None:
    sdk, url = stream_in
    with sdk.Client(url) as app:
        job = app.submit.listen([_frames(i) for i in (7, 8, 9)])
        answers = list(job)
        final = job.result(timeout=60)
    assert [_firsts(a) for a in answers][:3] == [[7], [7, 8], [7, 8, 9]]
    assert final == answers[-1]
    assert _firsts(final) == _calls(stream_version, [7, 8, 9])


def test_chunk_kinds_path_bytes_and_frames(
    stream_in: Any, stream_version: str, tmp_path: Path
) -> None:
    """A WAV path, WAV bytes and (rate, PCM bytes) are all sent as the audio they hold."""
    path = tmp_path / "c.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(struct.pack("<80h", *([3] * 80)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(struct.pack("<40h", *([4] * 40)))
    chunks = [str(path), buffer.getvalue(), (22050, struct.pack("<20h", *([5] * 20)))]
    sdk, url = stream_in
    with sdk.Client(url) as app:
        text = app.listen(chunks)
    frames = 80 + 40 + 20 + (20 if stream_version.startswith("5.") else 0)
    assert _firsts(text) == _calls(stream_version, [3, 4, 5])
    assert f"frames={frames} rate=22050 " in text


def test_time_limit_ends_an_endless_stream_and_closes_the_source(stream_in: Any) -> None:
    """/listen_briefly has time_limit=1: the call returns although the source never
    ends, and the SDK closes the source."""
    sdk, url = stream_in
    source = Source()
    with sdk.Client(url) as app:
        text = app.listen_briefly(source)
    assert source.closed.is_set()
    assert _firsts(text)[: source.pulled - 1] == list(range(1, source.pulled))


def test_cancel_mid_stream_stops_the_feed(stream_in: Any) -> None:
    sdk, url = stream_in
    source = Source()
    with sdk.Client(url) as app:
        job = app.submit.listen(source)
        answers = []
        for answer in job:
            answers.append(answer)
            if len(answers) == 3:
                assert job.cancel()
        with pytest.raises(CancelledError):
            job.result(timeout=60)
        assert source.closed.wait(30)
        assert [_firsts(a) for a in answers[:3]] == [[1], [1, 2], [1, 2, 3]]
        # The session still works after a cancelled stream.
        assert _firsts(app.listen([_frames(42)]))[-1] == 42


def test_bad_streaming_arguments_fail_before_anything_is_sent(stream_in: Any) -> None:
    sdk, url = stream_in
    with sdk.Client(url) as app:
        with pytest.raises(ValidationError, match="chunk"):
            app.listen("not-an-iterable-of-chunks.wav")  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="no chunk"):
            app.listen([])
        with pytest.raises(ValidationError, match="iterable"):
            app.listen(io.BytesIO(b"RIFF"))  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="chunk"):
            app.listen([3.5])  # type: ignore[list-item]
        with pytest.raises(ValidationError, match="16-bit"):
            app.listen([(16000, [40000])])


def test_a_bad_later_chunk_or_a_failing_source_fails_the_job(stream_in: Any) -> None:
    sdk, url = stream_in

    def failing() -> Iterator[tuple[int, list[int]]]:
        yield _frames(1)
        yield _frames(2)
        raise RuntimeError("microphone unplugged")

    with sdk.Client(url) as app:
        with pytest.raises(RuntimeError, match="microphone unplugged"):
            app.listen(failing())
        job = app.submit.listen([_frames(1), 3.5])  # type: ignore[list-item]
        with pytest.raises(ValidationError, match="chunk"):
            job.result(timeout=60)
        assert _firsts(app.listen([_frames(6)]))[-1] == 6


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour RGB PNG (no imaging library on the client side)."""
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def test_webcam_frames_as_bytes_and_paths(stream_in: Any, tmp_path: Path) -> None:
    frame = tmp_path / "blue.png"
    frame.write_bytes(png(2, 2, (0, 0, 255)))
    sdk, url = stream_in
    with sdk.Client(url) as app:
        job = app.submit.look([png(4, 3, (255, 0, 0)), png(5, 2, (0, 255, 0)), frame])
        answers = list(job)
        final = job.result(timeout=60)
    assert answers == ["4x3 (255, 0, 0)", "5x2 (0, 255, 0)", "2x2 (0, 0, 255)"]
    assert final == answers[-1]


# -- async --------------------------------------------------------------------------


def test_async_predict_and_submit(stream_in: Any, stream_version: str) -> None:
    sdk, url = stream_in

    async def chunks(firsts: list[int]) -> AsyncIterator[tuple[int, list[int]]]:
        for first in firsts:
            yield _frames(first)

    async def frames() -> AsyncIterator[bytes]:
        for width in (3, 6):
            yield png(width, 1, (9, 9, 9))

    async def main() -> tuple[str, list[str], str]:
        async with sdk.AsyncClient(url) as app:
            assert await app.look(frames()) == "6x1 (9, 9, 9)"
            text: str = await app.listen(chunks([1, 2, 3]))
            app.reset_session()
            job = await app.submit.listen([_frames(i) for i in (4, 5)])  # a plain iterable
            answers = [a async for a in job]
            return text, answers, await job.result(timeout=60)

    text, answers, final = asyncio.run(main())
    assert _firsts(text) == _calls(stream_version, [1, 2, 3])
    assert [_firsts(a) for a in answers][:2] == [[4], [4, 5]]
    assert _firsts(final) == _calls(stream_version, [4, 5])


def test_async_cancel_and_time_limit_close_the_source(stream_in: Any) -> None:
    sdk, url = stream_in
    closed: list[str] = []

    async def main() -> tuple[list[str], str]:
        ended = asyncio.Event()

        async def endless(tag: str) -> AsyncIterator[tuple[int, list[int]]]:
            try:
                for i in itertools.count(1):
                    yield _frames(i)
            finally:
                closed.append(tag)
                ended.set()

        async with sdk.AsyncClient(url) as app:
            job = await app.submit.listen(endless("cancelled"))
            answers: list[str] = []
            async for answer in job:
                answers.append(answer)
                if len(answers) == 2:
                    assert await job.cancel()
            with pytest.raises(CancelledError):
                await job.result(timeout=60)
            await asyncio.wait_for(ended.wait(), 30)  # the feed task closed the source
            app.reset_session()
            return answers, await app.listen_briefly(endless("time limit"))

    answers, text = asyncio.run(main())
    assert [_firsts(a) for a in answers[:2]] == [[1], [1, 2]]
    assert closed == ["cancelled", "time limit"]
    assert _firsts(text)[:3] == [1, 2, 3]
