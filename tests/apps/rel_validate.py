"""Reliability app: typed inputs with choices, bounds and a file size limit."""

import gradio as gr

MAX_FILE_SIZE = 1024  # bytes


def check(text: str, choice: str, level: float, doc: str | None) -> str:
    return f"{text}|{choice}|{level}|{'file' if doc else 'none'}"


demo = gr.Interface(
    fn=check,
    inputs=[
        gr.Textbox(label="text"),
        gr.Radio(["red", "green"], label="choice"),
        gr.Slider(0, 10, step=1, label="level"),
        gr.File(label="doc", type="filepath"),
    ],
    outputs=gr.Textbox(label="out"),
    api_name="check",
)
