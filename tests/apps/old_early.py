"""An app in the API of the first Gradio releases with the WebSocket queue (3.1.5 to
3.2): State is ``gr.Variable``, there is no ``gr.Request``, no generator runs through
the queue and a queue refuses a login, so the full old-server apps do not load there.
Queued events, a session's state, errors, an unqueued event and an uploaded file."""

import gradio as gr

SHOW_ERROR = True
CONCURRENCY = 2


def add(a: float, b: float) -> str:
    return f"{int(a)}+{int(b)}={int(a) + int(b)}"


def count(n: float, total):
    total = (total or 0) + int(n)
    return total, total


def fail(text: str) -> str:
    raise ValueError(f"cannot take {text!r}")


def file_meta(f) -> str:
    with open(f.name, "rb") as fh:
        data = fh.read()
    return f"{len(data)}|{data[:20].decode('utf-8', 'replace')}"


with gr.Blocks() as demo:
    a, b = gr.Number(label="a"), gr.Number(label="b")
    out = gr.Textbox(label="output")
    gr.Button().click(add, [a, b], out, api_name="add")
    gr.Button().click(add, [a, b], out, api_name="add_now", queue=False)
    n, state, total = gr.Number(label="n"), gr.Variable(), gr.Number(label="total")
    gr.Button().click(count, [n, state], [total, state], api_name="count")
    text = gr.Textbox(label="text")
    gr.Button().click(fail, text, out, api_name="fail")
    f = gr.File(label="file")
    gr.Button().click(file_meta, f, out, api_name="file_meta")
