"""Reliability app: every call is logged server-side so tests can count executions.

The working directory (a per-server temp folder) holds ``calls.log`` (one line per
execution start: ``<endpoint> <tag>``) and the ``release-<tag>`` flag files that
``block``/``hold_gen`` wait for, so tests synchronise on files instead of sleeps.
"""

import os
import threading
import time
from pathlib import Path

import gradio as gr

CONCURRENCY = None  # no per-event limit: load tests run many jobs at once
LOG = Path.cwd() / "calls.log"
_lock = threading.Lock()


def _record(endpoint: str, tag: str) -> None:
    line = f"{endpoint} {tag}\n".encode()
    with _lock:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def _wait_flag(tag: str, limit: float = 120.0) -> None:
    flag = Path.cwd() / f"release-{tag}"
    deadline = time.monotonic() + limit
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.01)  # server-side wait on a test-created file


def echo(text: str, tag: str) -> str:
    _record("echo", tag)
    return f"{text}|{tag}"


def block(tag: str) -> str:
    _record("block", tag)
    _wait_flag(tag)
    return f"released {tag}"


def count(n: float, tag: str):  # type: ignore[no-untyped-def]
    _record("count", tag)
    for i in range(int(n)):
        yield f"{tag}:{i}"


def hold_gen(n: float, tag: str):  # type: ignore[no-untyped-def]
    _record("hold_gen", tag)
    for i in range(int(n)):
        yield f"{tag}:{i}"
        _wait_flag(tag, limit=0.05)


with gr.Blocks() as demo:
    t_in = gr.Textbox(label="text")
    tag_in = gr.Textbox(label="tag")
    n_in = gr.Number(label="n", precision=0)
    out = gr.Textbox(label="out")
    gr.Button("echo").click(echo, [t_in, tag_in], out, api_name="echo")
    gr.Button("block").click(block, [tag_in], out, api_name="block")
    gr.Button("count").click(count, [n_in, tag_in], out, api_name="count")
    gr.Button("hold").click(hold_gen, [n_in, tag_in], out, api_name="hold_gen")
