"""Demo app standing in for a speech-to-text Space: an audio file in, text out.

No model: it "transcribes" by describing the audio (duration, rate, channels,
loudness), which is enough to show files travelling through a generated SDK.
"""

import math
import struct
import wave

import gradio as gr


def transcribe(audio: str) -> str:
    """Describe a WAV recording as text."""
    if audio is None:
        raise gr.Error("No audio given.")
    with wave.open(audio, "rb") as wav:
        rate = wav.getframerate()
        channels = wav.getnchannels()
        frames = wav.getnframes()
        width = wav.getsampwidth()
        raw = wav.readframes(frames)
    peak = 0
    if width == 2 and raw:
        samples = struct.unpack(f"<{len(raw) // 2}h", raw)
        peak = max(abs(s) for s in samples)
    dbfs = 20 * math.log10(peak / 32768) if peak else float("-inf")
    return (
        f"{frames / rate:.2f} s of audio at {rate} Hz, {channels} channel(s), "
        f"peak {dbfs:.1f} dBFS"
    )


demo = gr.Interface(
    fn=transcribe,
    inputs=gr.Audio(type="filepath", label="Audio"),
    outputs=gr.Textbox(label="Transcription"),
    api_name="predict",
    title="Whisper (demo)",
)
