"""Streamed media outputs (``gr.Audio(streaming=True)``, HLS) through a generated SDK.

``tests/apps/stream_out.py``: ``beeps(count)`` yields ``count`` tones of 0.2 s and ends;
``endless()`` yields tones until cancelled. The server encodes each yield as ADTS AAC
segments; the tests read them back and measure the audio they hold from the ADTS
frame headers (1024 samples per frame).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen_runtime import CancelledError, MediaStream

pytestmark = pytest.mark.timeout(180)

_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
               11025, 8000, 7350)


def adts_seconds(data: bytes) -> float:
    """Seconds of audio in a run of ADTS AAC frames; fails on anything else."""
    seconds = 0.0
    pos = 0
    while pos < len(data):
        header = data[pos:pos + 7]
        assert len(header) == 7 and header[0] == 0xFF and header[1] & 0xF0 == 0xF0, pos
        rate = _ADTS_RATES[(header[2] >> 2) & 0x0F]
        length = ((header[3] & 0x03) << 11) | (header[4] << 3) | (header[5] >> 5)
        assert length >= 7
        blocks = (header[6] & 0x03) + 1
        seconds += blocks * 1024 / rate
        pos += length
    return seconds


def test_a_finished_stream_reads_saves_and_downloads(
    stream_out: Any, tmp_path: Path
) -> None:
    sdk, url = stream_out
    with sdk.Client(url) as app:
        four: MediaStream = app.beeps(4)
        two = app.beeps(2)
        segments = list(four.segments())
        saved = four.save(tmp_path / "four.aac")
        downloaded = four.download(tmp_path / "dl")
        whole = four.read_bytes()
        short = two.read_bytes()
    assert isinstance(four, MediaStream) and four.is_stream
    assert [s.index for s in segments] == list(range(len(segments)))
    assert {s.extension for s in segments} == {".aac"}
    assert whole == b"".join(s.data for s in segments) == saved.read_bytes()
    assert downloaded.read_bytes() == whole and downloaded.suffix == ".aac"
    assert not list(tmp_path.rglob("*.part"))
    # Four tones of 0.2 s, give or take the encoder's padding; two tones are shorter.
    assert 0.75 <= adts_seconds(whole) <= 1.5
    assert adts_seconds(short) < adts_seconds(whole)


def test_segments_arrive_while_the_app_produces_them_and_cancel_ends_the_stream(
    stream_out: Any,
) -> None:
    """``endless`` never finishes on its own: reading two segments proves they come
    while the stream is produced; cancelling the job then ends the stream."""
    sdk, url = stream_out
    with sdk.Client(url) as app:
        job = app.submit.endless()
        stream = next(iter(job))
        segments = stream.segments()
        first = [next(segments), next(segments)]
        assert not job.done()
        assert job.cancel()
        rest = list(segments)  # ends: the app closes the playlist on cancel
        with pytest.raises(CancelledError):
            job.result(timeout=60)
    assert all(adts_seconds(s.data) > 0 for s in first + rest)
    assert [s.index for s in first + rest] == list(range(2 + len(rest)))


def test_async_stream_while_produced_and_after(stream_out: Any, tmp_path: Path) -> None:
    sdk, url = stream_out

    async def main() -> tuple[list[bytes], bytes, Path, int]:
        async with sdk.AsyncClient(url) as app:
            job = await app.submit.endless()
            stream: MediaStream | None = None
            async for update in job:
                stream = update
                break
            assert stream is not None
            early: list[bytes] = []
            async for segment in stream.asegments():
                early.append(segment.data)
                if len(early) == 2:
                    break
            assert await job.cancel()
            with pytest.raises(CancelledError):
                await job.result(timeout=60)
            finished = await app.beeps(3)
            data = await finished.aread_bytes()
            saved = await finished.asave(tmp_path / "three.aac")
            rest = [s async for s in stream.asegments()]  # the cancelled stream ended
            return early, data, saved, len(rest)

    early, data, saved, replayed = asyncio.run(main())
    assert all(adts_seconds(d) > 0 for d in early)
    assert replayed >= 2  # read again from the start, up to where the app stopped
    assert saved.read_bytes() == data
    assert 0.55 <= adts_seconds(data) <= 1.2
