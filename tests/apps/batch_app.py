"""Batch app for ``map`` tests: every execution is logged server-side.

``calls.log`` in the working directory (a per-server temp folder) gets one line per
execution start (``<endpoint> <x> <session hash>``), so tests count what actually ran,
and for which client. ``square``
fails for negative inputs (per-input errors); ``hold`` waits for a ``release`` flag
file the test creates, so a test can stop a map while jobs are still running.
"""

import os
import threading
import time
from pathlib import Path

import gradio as gr

CONCURRENCY = 4  # a queue concurrency limit above 1, as the map's default must respect
LOG = Path.cwd() / "calls.log"
_lock = threading.Lock()


def _record(endpoint: str, x: object, request: gr.Request) -> None:
    line = f"{endpoint} {x} {request.session_hash}\n".encode()
    with _lock:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def square(x: float, request: gr.Request) -> float:
    _record("square", x, request)
    if x < 0:
        raise gr.Error(f"negative input {x}")
    return x * x


def hold(x: float, request: gr.Request) -> float:
    _record("hold", x, request)
    flag = Path.cwd() / "release"
    deadline = time.monotonic() + 120
    while x >= 0 and not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.01)  # server-side wait on a test-created file
    return x + 1


def save(text: str, n: float, request: gr.Request) -> tuple[str, str]:
    _record("save", text, request)
    path = Path.cwd() / f"out-{text}.txt"
    path.write_text(text * int(n))
    return str(path), text.upper()


with gr.Blocks() as demo:
    x_in = gr.Number(label="x")
    x_out = gr.Number(label="y")
    t_in = gr.Textbox(label="text")
    n_in = gr.Number(label="n", value=2)
    f_out = gr.File(label="file")
    t_out = gr.Textbox(label="upper")
    gr.Button("square").click(square, [x_in], x_out, api_name="square")
    gr.Button("hold").click(hold, [x_in], x_out, api_name="hold")
    gr.Button("save").click(save, [t_in, n_in], [f_out, t_out], api_name="save")
