"""Batch app for ``map`` tests: every execution is logged server-side.

``calls.log`` in the working directory (a per-server temp folder) gets one line per
execution start, ``<endpoint> <x> <session> <run> <waiting>``, so tests count what
actually ran, and for which client: ``session`` is the session hash (``-`` on 3.x, whose
``gr.Request`` has none), ``run`` the caller's ``x-map-run`` header (``-`` if absent;
a header reaches the function on every version). ``waiting`` is how many jobs the
app's queue held, not yet started, when this one started (Gradio 3.x and 4.0-4.8,
whose queue is one list; ``-`` on later versions): what a map that floods the app
would grow. ``square`` fails for negative inputs (per-input errors); ``hold`` waits
for a ``release`` flag file the test creates, so a test can stop a map while jobs
are still running. It runs on every version the tests serve (old ones included).
"""

import os
import threading
import time
from pathlib import Path

import gradio as gr

CONCURRENCY = 4  # a queue concurrency limit above 1, as the map's default must respect
LOG = Path.cwd() / "calls.log"
_lock = threading.Lock()


def _attr(get, default: str = "-") -> str:
    try:
        return str(get())
    except (AttributeError, KeyError, TypeError):
        return default


def _header(request: gr.Request, name: str) -> str:
    headers = request.headers
    try:
        return str(headers[name])
    except TypeError:  # older 3.x (3.20 among them): a queued job's headers are a plain object
        return str(vars(headers)[name])


def _record(endpoint: str, x: object, request: gr.Request) -> None:
    session = _attr(lambda: request.session_hash)
    run = _attr(lambda: _header(request, "x-map-run"))
    waiting = _attr(lambda: len(demo._queue.event_queue))
    line = f"{endpoint} {x} {session} {run} {waiting}\n".encode()
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
