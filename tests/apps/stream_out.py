"""Streamed-output app: a generator yields WAV chunks into ``gr.Audio(streaming=True)``.

The server turns each yield into an HLS segment (it needs ffmpeg, and 5.x ffprobe, on
its PATH). ``beeps(n)`` yields ``n`` tones of 0.2 s.
"""

import math
import struct
import tempfile
import time
import wave

import gradio as gr

RATE = 16000


def _tone(index: int) -> str:
    freq = 440 + 110 * index
    samples = [
        int(12000 * math.sin(2 * math.pi * freq * t / RATE)) for t in range(RATE // 5)
    ]
    with tempfile.NamedTemporaryFile(suffix=".wav", delete=False) as handle:
        path = handle.name
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def beeps(n: float):
    """Yield ``n`` short tones, one at a time."""
    for i in range(int(n)):
        yield _tone(i)
        time.sleep(0.05)


demo = gr.Interface(
    beeps,
    gr.Number(value=3, precision=0, label="Count"),
    gr.Audio(streaming=True, autoplay=False, label="Beeps"),
    api_name="beeps",
)
