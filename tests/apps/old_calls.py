"""Test app for the old servers (Gradio 3.x and 4.0-4.8): calls with defaults, State,
a generator, a blocking endpoint for cancel tests, errors and files, written with the
API those versions share (no ``concurrency_limit``, no ``gr.Error(title=)``)."""

import os
import time

import gradio as gr

#: 3.x has one worker pool for the whole queue: room for a blocked job and others.
CONCURRENCY = 4


def echo(text: str, times: int = 2, sep: str = "-") -> str:
    return sep.join([text] * int(times))


def add(a: int, b: int) -> str:
    return f"{int(a)}+{int(b)}={int(a) + int(b)}"


def count(n: int, total):
    total = (total or 0) + int(n)
    return total, total


def ticker(n: int):
    for i in range(int(n)):
        yield str(i)
        time.sleep(0.1)


def _wait_for(flag: str, limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if os.path.exists(flag):
            return True
        time.sleep(0.02)
    return False


def block(flag: str) -> str:
    """Runs until the test creates ``flag``."""
    return "released" if _wait_for(flag) else "timeout"


def slow_ticks(flag: str):
    """Yields once, then waits for ``flag`` before each further yield."""
    yield "first"
    for i in range(3):
        if not _wait_for(flag):
            return
        yield f"tick {i}"


def nap(seconds: float) -> str:
    """Silent for ``seconds`` (4.7 sends a heartbeat only every 15 s, 3.x nothing)."""
    time.sleep(float(seconds))
    return "awake"


def respond(message: str, history):
    """A chat turn: Chatbot history (3.x/4.x pairs) in and out, the textbox cleared."""
    history = list(history or [])
    history.append([message, f"echo: {message}"])
    return "", history


def fail(kind: str) -> str:
    if kind == "gr":
        raise gr.Error("It's 'broken'")
    if kind == "value":
        raise ValueError("secret internal detail")
    return "fine"


def file_meta(f) -> str:
    path = f if isinstance(f, str) else f.name
    with open(path, "rb") as fh:
        data = fh.read()
    return f"{len(data)}|{data[:20].decode('utf-8', 'replace')}"


def file_echo(f):
    return f if isinstance(f, str) else f.name


def files_multi(fs: list):
    paths = [f if isinstance(f, str) else f.name for f in fs or []]
    return paths, ",".join(str(os.path.getsize(p)) for p in paths)


with gr.Blocks() as demo:
    t = gr.Textbox(label="text")
    out = gr.Textbox(label="output")
    times = gr.Number(value=2, precision=0, label="times")
    sep = gr.Textbox(value="-", label="sep")
    gr.Button().click(echo, [t, times, sep], out, api_name="echo")
    a, b = gr.Number(precision=0, label="a"), gr.Number(precision=0, label="b")
    gr.Button().click(add, [a, b], out, api_name="add")
    n = gr.Number(precision=0, label="n")
    state, total = gr.State(), gr.Number(precision=0, label="total")
    gr.Button().click(count, [n, state], [total, state], api_name="count")
    gr.Button().click(ticker, n, out, api_name="ticker")
    gr.Button().click(block, t, out, api_name="block")
    gr.Button().click(slow_ticks, t, out, api_name="slow_ticks")
    gr.Button().click(fail, t, out, api_name="fail")
    gr.Button().click(nap, gr.Number(label="seconds"), out, api_name="nap")
    msg, chat = gr.Textbox(label="message"), gr.Chatbot(label="chat")
    msg.submit(respond, [msg, chat], [msg, chat], api_name="respond")
    fin, fout = gr.File(label="file"), gr.File(label="file_out")
    gr.Button().click(file_meta, fin, out, api_name="file_meta")
    gr.Button().click(file_echo, fin, fout, api_name="file_echo")
    fmin = gr.File(file_count="multiple", label="files")
    fmout = gr.File(file_count="multiple", label="files_out")
    gr.Button().click(files_multi, fmin, [fmout, out], api_name="files_multi")
