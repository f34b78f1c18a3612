"""Endpoints of every visibility: public, undocumented and private (all versions)."""

import gradio as gr

MAJOR = int(gr.__version__.split(".")[0])


def shout(text: str) -> str:
    return text.upper()


def whisper(text: str) -> str:
    return text.lower()


def secret(text: str) -> str:
    return text[::-1]


with gr.Blocks() as demo:
    box = gr.Textbox(label="Text")
    out = gr.Textbox(label="Out")
    gr.Button("shout").click(shout, box, out, api_name="shout")
    if MAJOR >= 6:
        gr.Button("whisper").click(
            whisper, box, out, api_name="whisper", api_visibility="undocumented"
        )
        gr.Button("secret").click(
            secret, box, out, api_name="secret", api_visibility="private"
        )
    else:
        gr.Button("whisper").click(whisper, box, out, api_name="whisper", show_api=False)
        gr.Button("secret").click(secret, box, out, api_name=False)
