"""Reliability app whose /config and /info the hostile fake server replays."""

import gradio as gr


def fetch(name: str) -> tuple[str | None, dict]:
    return None, {"name": name}


demo = gr.Interface(
    fn=fetch,
    inputs=[gr.Textbox(label="name")],
    outputs=[gr.File(label="file"), gr.JSON(label="meta")],
    api_name="fetch",
)
