"""Streaming-input app: a microphone streamed to a "model" (``.stream()`` events).

Each chunk arrives as a WAV file; the app works on it a little (``WORK``), then answers
with what it has received so far in this stream (chunks, frames, the last chunk's first sample), kept in ``gr.State``,
so a test can tell that every chunk reached it, in order and unchanged.
"""

import time
import wave

import gradio as gr

#: Seconds each chunk takes to "process": longer than ``stream_every``, so a client
#: that sent chunks without waiting for the answers would see them replaced, unseen.
WORK = 0.15


def _frames(path: str) -> tuple[int, int, int]:
    with wave.open(path, "rb") as wav:
        frames = wav.getnframes()
        raw = wav.readframes(frames)
        rate = wav.getframerate()
    first = int.from_bytes(raw[:2], "little", signed=True) if raw else 0
    return frames, rate, first


def listen(chunk: str | None, seen: dict | None) -> tuple[str, dict]:
    """Count the audio streamed so far."""
    time.sleep(WORK)
    seen = dict(seen or {"chunks": 0, "frames": 0, "firsts": []})
    if chunk is not None:
        frames, rate, first = _frames(chunk)
        seen["chunks"] += 1
        seen["frames"] += frames
        seen["rate"] = rate
        seen["firsts"] = [*seen["firsts"], first]
    text = (
        f"chunks={seen['chunks']} frames={seen['frames']} rate={seen.get('rate', 0)} "
        f"firsts={','.join(str(f) for f in seen['firsts'])}"
    )
    return text, seen


with gr.Blocks() as demo:
    # /listen: a long time limit; /listen_briefly: the app stops it after 1 s.
    for name, limit in (("listen", 30), ("listen_briefly", 1)):
        mic = gr.Audio(
            sources=["microphone"], streaming=True, type="filepath", label="Microphone"
        )
        heard = gr.Textbox(label="Heard")
        state = gr.State()
        mic.stream(
            listen, [mic, state], [heard, state], api_name=name,
            stream_every=0.1, time_limit=limit,
        )


def look(frame: str | None) -> str:
    """Describe the webcam frame just received."""
    if frame is None:
        return "no frame"
    from PIL import Image

    with Image.open(frame) as image:
        return f"{image.width}x{image.height} {image.getpixel((0, 0))}"


with demo:
    cam = gr.Image(sources=["webcam"], streaming=True, type="filepath", label="Webcam")
    seen = gr.Textbox(label="Seen")
    cam.stream(look, cam, seen, api_name="look", stream_every=0.1, time_limit=30)
