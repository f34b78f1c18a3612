"""Streamed-output app: a generator yields WAV chunks into ``gr.Audio(streaming=True)``.

The server turns each yield into an HLS segment (it needs ffmpeg, and 5.x also ffprobe,
on its PATH). ``beeps(count)`` yields ``count`` tones of 0.2 s, each a step higher;
``endless`` yields tones until it is cancelled.
"""

import itertools
import math
import struct
import tempfile
import time
import wave

import gradio as gr

RATE = 16000


def _tone(index: int) -> str:
    freq = 440 + 110 * (index % 8)
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


def beeps(count: float):
    """Yield ``count`` short tones, one at a time."""
    for i in range(int(count)):
        yield _tone(i)
        time.sleep(0.05)


def endless():
    """Yield tones until cancelled."""
    for i in itertools.count():
        yield _tone(i)
        time.sleep(0.1)


with gr.Blocks() as demo:
    count = gr.Number(value=3, precision=0, label="Count")
    audio = gr.Audio(streaming=True, autoplay=False, label="Beeps")
    go = gr.Button()
    go.click(beeps, count, audio, api_name="beeps")
    forever = gr.Audio(streaming=True, autoplay=False, label="Tones")
    go.click(endless, None, forever, api_name="endless")
