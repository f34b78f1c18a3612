"""The no-I/O cores of streaming, without a server: the chunk schedule, HLS playlist
following and audio chunk encoding."""

from __future__ import annotations

import io
import wave
from typing import Any

import pytest

from gradio_codegen_runtime._chunks import as_upload, wav_bytes
from gradio_codegen_runtime._hls import Emit, Fetch, Wait, follow, parse_playlist
from gradio_codegen_runtime._steps import Steps
from gradio_codegen_runtime._stream_plan import (
    CLOSE, END, PULL, Send, Sleep, StreamInput, WaitAck, plan,
)
from gradio_codegen_runtime.errors import APITimeoutError, ProtocolError, ValidationError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run_plan(timing: StreamInput, chunks: list[Any], *, clock: Clock, work: float = 0.0,
             ended_at_ack: int | None = None) -> list[Any]:
    """Carry the plan out against a fake app that answers each chunk after ``work``
    seconds; returns the steps taken."""
    taken: list[Any] = []
    source = iter(chunks)
    steps = Steps(plan(timing, clock))
    for step in steps:
        taken.append(step)
        if isinstance(step, WaitAck):
            clock.now += work
            steps.answer(step.count != ended_at_ack)
        elif isinstance(step, Sleep):
            clock.now += step.seconds
            steps.answer(True)
        elif step is PULL:
            steps.answer(next(source, END))
        elif isinstance(step, Send):
            steps.answer(True)
    return taken


def test_each_chunk_waits_for_the_answer_to_the_one_before_and_the_stream_closes() -> None:
    taken = run_plan(StreamInput(0), ["b", "c"], clock=Clock())
    assert taken == [WaitAck(1), PULL, Send("b"), WaitAck(2), PULL, Send("c"), WaitAck(3),
                     PULL, CLOSE]


def test_chunks_are_paced_by_stream_every() -> None:
    clock = Clock()
    taken = run_plan(StreamInput(0, stream_every=0.5), ["b", "c"], clock=clock, work=0.2)
    sleeps = [s.seconds for s in taken if isinstance(s, Sleep)]
    assert sleeps == pytest.approx([0.5, 0.3, 0.3])  # from the first answer, then 0.5 - work


def test_time_limit_stops_sending_and_closes() -> None:
    clock = Clock()
    taken = run_plan(StreamInput(0, stream_every=1.0, time_limit=2.5), list("bcdefg"),
                     clock=clock)
    assert [s.chunk for s in taken if isinstance(s, Send)] == ["b", "c"]
    assert taken[-1] is CLOSE


def test_a_job_that_ended_stops_the_plan_without_close() -> None:
    taken = run_plan(StreamInput(0), list("bcd"), clock=Clock(), ended_at_ack=2)
    assert taken[-1] == WaitAck(2) and CLOSE not in taken


PLAYLIST = (
    "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-TARGETDURATION:1\n#EXT-X-VERSION:4\n"
    "#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:0.200,\na.aac\n#EXTINF:0.400,\nb.aac?__sign=x\n"
)


def test_parse_playlist() -> None:
    parsed = parse_playlist(PLAYLIST)
    assert parsed.segments == (("a.aac", 0.2), ("b.aac?__sign=x", 0.4))
    assert not parsed.ended
    assert parse_playlist(PLAYLIST + "#EXT-X-ENDLIST\n").ended
    with pytest.raises(ProtocolError):
        parse_playlist("<html>not found</html>")


def test_follow_fetches_each_new_segment_once_until_the_end() -> None:
    url = "http://h/gradio_api/stream/s/r/1/playlist.m3u8"
    bodies = [PLAYLIST, PLAYLIST, PLAYLIST + "#EXTINF:0.1,\nc.aac\n#EXT-X-ENDLIST\n"]
    fetched: list[str] = []
    emitted: list[tuple[int, bytes, str]] = []
    steps = Steps(follow(url, idle_timeout=None, clock=Clock()))
    for step in steps:
        if isinstance(step, Fetch):
            fetched.append(step.url)
            steps.answer(bodies.pop(0).encode() if step.url == url else step.url.encode())
        elif isinstance(step, Emit):
            emitted.append((step.segment.index, step.segment.data, step.segment.extension))
        else:
            assert isinstance(step, Wait) and 0 < step.seconds <= 1
    base = "http://h/gradio_api/stream/s/r/1/"
    assert [i for i, _, _ in emitted] == [0, 1, 2]
    assert [d for _, d, _ in emitted] == [f"{base}{n}".encode() for n in
                                          ("a.aac", "b.aac?__sign=x", "c.aac")]
    assert {e for _, _, e in emitted} == {".aac"}
    assert fetched.count(url) == 3


def test_follow_gives_up_on_a_stream_that_stopped_growing() -> None:
    clock = Clock()
    steps = Steps(follow("http://h/p.m3u8", idle_timeout=5.0, clock=clock))
    with pytest.raises(APITimeoutError):
        for step in steps:
            if isinstance(step, Fetch):
                steps.answer(PLAYLIST.encode() if step.url.endswith(".m3u8") else b"x")
            elif isinstance(step, Wait):
                clock.now += step.seconds


def test_audio_frames_become_a_wav_upload() -> None:
    upload = as_upload((8000, [1, -2, 3, 4], 2), audio=True, param="mic")
    assert upload.name == "audio.wav"
    with wave.open(upload, "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getnframes()) == (8000, 2, 2)
        assert wav.readframes(2) == b"\x01\x00\xfe\xff\x03\x00\x04\x00"
    assert as_upload(b"RIFF", audio=True, param="mic").name == "audio.wav"
    assert as_upload("x.png", audio=False, param="cam") == "x.png"
    assert wav_bytes(16000, b"\x00\x00") == wav_bytes(16000, [0])
    for bad in ((16000, [1.5]), (0, [1]), (16000, b"\x00"), (16000, [1, 2, 3], 2)):
        with pytest.raises(ValidationError):
            as_upload(bad, audio=True, param="mic")
    assert isinstance(as_upload((16000, []), audio=True, param="mic"), io.BytesIO)
