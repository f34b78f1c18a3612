"""The benchmark app: a trivial endpoint, a generator, and file endpoints.

Served by gradio 6.31 (see ``benchmarks/_servers.py``). Every function does as little
as possible so the figures measure the clients and the protocol, not the app.
"""

import os
import tempfile
from collections.abc import Iterator

import gradio as gr

#: Jobs the server runs at once (``serve.py`` passes it to ``demo.queue``).
CONCURRENCY = 8

_CHUNK = bytes(range(256)) * 4096  # 1 MiB of non-constant bytes


def echo(text: str) -> str:
    return text


def count(n: float) -> Iterator[str]:
    for i in range(int(n)):
        yield str(i)


def echo_file(path: str) -> str:
    return path


def file_size(path: str) -> int:
    return os.path.getsize(path)


def make_file(size: float) -> str:
    remaining = int(size)
    fd, path = tempfile.mkstemp(suffix=".bin", prefix="bench-")
    with os.fdopen(fd, "wb") as out:
        while remaining > 0:
            piece = _CHUNK[: min(remaining, len(_CHUNK))]
            out.write(piece)
            remaining -= len(piece)
    return path


with gr.Blocks() as demo:
    text_in = gr.Textbox(label="text")
    text_out = gr.Textbox(label="echo")
    n_in = gr.Number(label="n", precision=0)
    n_out = gr.Textbox(label="i")
    file_in = gr.File(label="file", type="filepath")
    file_out = gr.File(label="file_out")
    size_in = gr.Number(label="size", precision=0)
    size_out = gr.Number(label="bytes", precision=0)
    btn = gr.Button()
    btn.click(echo, text_in, text_out, api_name="echo")
    btn.click(count, n_in, n_out, api_name="count")
    btn.click(echo_file, file_in, file_out, api_name="echo_file")
    btn.click(file_size, file_in, size_out, api_name="file_size")
    btn.click(make_file, size_in, file_out, api_name="make_file")
