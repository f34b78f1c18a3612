"""A ZeroGPU-like app whose GPU function refuses with the quota message ZeroGPU sends."""

import gradio as gr

QUOTA = (
    "You have exceeded your GPU quota (60s requested vs. 0s left). Try again in 0:04:12"
)


def generate(prompt: str) -> str:
    try:
        error = gr.Error(QUOTA, title="ZeroGPU quota exceeded")  # 5.x and later
    except TypeError:  # 4.x has no title
        error = gr.Error(QUOTA)
    raise error


demo = gr.Interface(
    fn=generate,
    inputs=gr.Textbox(label="prompt"),
    outputs=gr.Textbox(label="text"),
    api_name="generate",
)
