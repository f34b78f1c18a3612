"""Chunks of a streaming input (``.stream()`` events): what a caller may pass, and how
each becomes a file upload (no I/O here).

Gradio takes every chunk of a streamed microphone or webcam as a file the client
uploaded first (the browser uploads each audio chunk as ``audio.wav`` and each frame
as an image), never as raw arrays. So a chunk is any file input (path, bytes, file
object, URL, ``FileRef``), and for audio also ``(sample_rate, samples)`` with 16-bit
PCM samples, as bytes or as ints, which is written out as a WAV file: the same
shape ``gr.Audio(type="numpy")`` hands the app, without needing numpy.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Sequence
from typing import Any, Union

from .errors import ValidationError
from .files import FileInput

__all__ = ["AudioChunk", "AudioFrames", "as_upload", "wav_bytes"]

#: ``(sample_rate, samples)``: 16-bit PCM, little-endian bytes or a sequence of ints
#: (interleaved when there are several channels; one channel unless given as a third
#: item ``(sample_rate, samples, channels)``).
AudioFrames = Union[
    "tuple[int, bytes | Sequence[int]]", "tuple[int, bytes | Sequence[int], int]"
]
#: One chunk of a streamed audio input.
AudioChunk = Union[FileInput, AudioFrames]

_PCM_MIN, _PCM_MAX = -32768, 32767


def wav_bytes(sample_rate: int, samples: bytes | Sequence[int], channels: int = 1) -> bytes:
    """A WAV file holding 16-bit PCM ``samples`` at ``sample_rate``."""
    if isinstance(samples, (bytes, bytearray, memoryview)):
        pcm = bytes(samples)
        if len(pcm) % (2 * channels):
            raise ValueError(
                f"{len(pcm)} bytes is not a whole number of 16-bit frames of {channels} "
                "channel(s)"
            )
    else:
        values = list(samples)
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"samples must be ints, got {type(value).__name__}")
            if not _PCM_MIN <= value <= _PCM_MAX:
                raise ValueError(f"sample {value} is outside the 16-bit range")
        if len(values) % channels:
            raise ValueError(f"{len(values)} samples do not fill frames of {channels} channels")
        pcm = struct.pack(f"<{len(values)}h", *values)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buffer.getvalue()


def _is_frames(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and isinstance(value[0], int)
        and not isinstance(value[0], bool)
    )


def as_upload(value: Any, *, audio: bool, param: str) -> Any:
    """The file input a chunk is sent as: audio frames and audio bytes become a named
    WAV upload (``audio.wav``, as the browser names them); other values pass as they are
    and are checked like any file argument."""
    if audio and _is_frames(value):
        rate, samples = value[0], value[1]
        channels = value[2] if len(value) == 3 else 1
        if rate <= 0 or not isinstance(channels, int) or channels <= 0:
            raise ValidationError(
                f"argument {param!r}: a chunk (sample_rate, samples[, channels]) needs a "
                f"positive rate and channel count, got rate {rate!r}",
                parameter=param,
            )
        try:
            data = wav_bytes(rate, samples, channels)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"argument {param!r}: bad audio chunk: {exc}", parameter=param) from None
        return _named(data, "audio.wav")
    if audio and isinstance(value, (bytes, bytearray, memoryview)):
        return _named(bytes(value), "audio.wav")
    return value


def _named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name  # read as the upload's file name
    return buffer
