"""Runtime test app: calls, defaults, State, generators with diffs, progress/logs,
blocking endpoints for cancel tests, errors, and file inputs/outputs."""

import inspect
import os
import time

import gradio as gr

CONCURRENCY = 1
MAX_FILE_SIZE = 200_000
_HAS_TITLE = "title" in inspect.signature(gr.Error.__init__).parameters


def echo(text: str, times: int = 2, sep: str = "-") -> str:
    return sep.join([text] * int(times))


def add(a: int, b: int) -> str:
    return f"{int(a)}+{int(b)}={int(a) + int(b)}"


def count(n: int, total):
    total = (total or 0) + int(n)
    return total, total


def diffs(n: int):
    # Each step makes the server send replace/append/add/delete diffs on a str, a list
    # and a dict.
    steps = [
        ("a", [1, 2, 3], {"a": 1, "b": 2}),
        ("ab", [1, 2, 3, 4], {"a": 1, "b": 2, "c": 3}),
        ("xyz", [1, 9, 3, 4], {"a": 1, "c": 3}),
        ("xyz!", [1, 9], {"a": [1], "c": "s"}),
        ("xyz!?", [1, 9, "t"], {"a": [1, 2], "c": "st"}),
        ("xyz!?", [1, 9, "tu"], {"a": [2], "c": "st", "d": {"k": "v"}}),
    ]
    for s, lst, d in steps[: int(n)]:
        yield s, lst, d


def progress_logs(n: int, progress=gr.Progress()):
    gr.Info("starting work")
    for _ in progress.tqdm(range(int(n)), desc="steps"):
        time.sleep(0.05)
    gr.Warning("almost done")
    return f"did {int(n)}"


def _wait_for(flag: str, limit: float = 60.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if os.path.exists(flag):
            return True
        time.sleep(0.02)
    return False


def block(flag: str) -> str:
    """Runs until the test creates ``flag`` (concurrency 1: later jobs queue)."""
    return "released" if _wait_for(flag) else "timeout"


def nap(seconds: float) -> str:
    """Silent for ``seconds``: the stream then carries nothing but heartbeats."""
    time.sleep(float(seconds))
    return "awake"


def ticker(n: int):
    for i in range(int(n)):
        yield str(i)
        time.sleep(0.1)


def fail(kind: str) -> str:
    if kind == "gr":
        if _HAS_TITLE:
            raise gr.Error("It's 'broken'", title="Oops")
        raise gr.Error("It's 'broken'")
    if kind == "quotes":
        raise gr.Error('say "hi" it\'s \\ here')
    if kind == "value":
        raise ValueError("secret internal detail")
    return "fine"


def file_meta(f: str) -> str:
    with open(f, "rb") as fh:
        data = fh.read()
    return f"{os.path.basename(f)}|{len(data)}"


def file_echo(f: str) -> str:
    return f


def files_multi(fs: list):
    fs = fs or []
    sizes = ",".join(str(os.path.getsize(p)) for p in fs)
    return fs, sizes


def media_echo(img: str, audio: str):
    return img, audio


with gr.Blocks() as demo:
    t, n, out = gr.Textbox(), gr.Number(precision=0), gr.Textbox()
    # Component values are what /info advertises as parameter defaults.
    times, sep = gr.Number(value=2, precision=0), gr.Textbox(value="-")
    gr.Button().click(echo, [t, times, sep], out, api_name="echo")
    a, b = gr.Number(precision=0), gr.Number(precision=0)
    gr.Button().click(add, [a, b], out, api_name="add", concurrency_limit=None)
    state, total = gr.State(), gr.Number(precision=0)
    gr.Button().click(count, [n, state], [total, state], api_name="count",
                      concurrency_limit=None)
    j1, j2 = gr.JSON(), gr.JSON()
    gr.Button().click(diffs, n, [out, j1, j2], api_name="diffs", concurrency_limit=None)
    gr.Button().click(progress_logs, n, out, api_name="progress_logs",
                      concurrency_limit=None)
    gr.Button().click(block, t, out, api_name="block", concurrency_limit=1)
    gr.Button().click(ticker, n, out, api_name="ticker", concurrency_limit=None)
    gr.Button().click(nap, gr.Number(), out, api_name="nap", concurrency_limit=None)
    gr.Button().click(fail, t, out, api_name="fail", concurrency_limit=None)
    fin, fout = gr.File(type="filepath"), gr.File()
    gr.Button().click(file_meta, fin, out, api_name="file_meta", concurrency_limit=None)
    gr.Button().click(file_echo, fin, fout, api_name="file_echo", concurrency_limit=None)
    fmin = gr.File(file_count="multiple", type="filepath")
    fmout = gr.File(file_count="multiple")
    gr.Button().click(files_multi, fmin, [fmout, out], api_name="files_multi",
                      concurrency_limit=None)
    img_in, img_out = gr.Image(type="filepath"), gr.Image(type="filepath")
    au_in, au_out = gr.Audio(type="filepath"), gr.Audio(type="filepath")
    gr.Button().click(media_echo, [img_in, au_in], [img_out, au_out], api_name="media_echo",
                      concurrency_limit=None)
