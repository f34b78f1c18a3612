"""A 3.x app without a queue (``QUEUE = False``): events run by ``POST /run/predict``,
plus one event that asks for the queue itself."""

import gradio as gr

QUEUE = False


def shout(text: str) -> str:
    if text == "fail":
        raise gr.Error("no shouting")
    return text.upper()


def count(n: int, total):
    total = (total or 0) + int(n)
    return total, total


with gr.Blocks() as demo:
    text, out = gr.Textbox(label="text"), gr.Textbox(label="out")
    gr.Button().click(shout, text, out, api_name="shout")
    n, state, total = gr.Number(precision=0, label="n"), gr.State(), gr.Number(label="total")
    gr.Button().click(count, [n, state], [total, state], api_name="count")
    f, size = gr.File(label="file"), gr.Number(label="size")
    gr.Button().click(lambda p: len(open(p.name, "rb").read()), f, size, api_name="size")
