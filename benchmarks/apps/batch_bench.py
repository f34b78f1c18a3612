"""The map benchmark's app: ``/echo`` takes a fixed time, and the queue runs a few at
once, so the app has a known capacity (``CONCURRENCY`` / ``DELAY`` calls per second)
that a batch client can only approach, never pass.

Both are the benchmark's parameters (``benchmarks/batch.py``'s ``Config.delay`` and
``Config.app_concurrency``), passed in the environment; the defaults here are theirs.
``/echo`` is the first endpoint (fn_index 0) so the raw floor's adapter calls it.
"""

import os
import time

import gradio as gr

#: Jobs the server runs at once (``serve.py`` passes it to ``demo.queue``).
CONCURRENCY = int(os.environ.get("BATCH_BENCH_CONCURRENCY", "2"))
#: Seconds each call takes.
DELAY = float(os.environ.get("BATCH_BENCH_DELAY", "0.02"))


def echo(text: str) -> str:
    time.sleep(DELAY)  # the app's fixed work per call
    return text


with gr.Blocks() as demo:
    t_in = gr.Textbox(label="text")
    t_out = gr.Textbox(label="out")
    gr.Button("echo").click(echo, t_in, t_out, api_name="echo")
