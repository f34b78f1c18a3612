"""Endpoints of every visibility: public, undocumented and private (all versions), and a
rendered Blocks whose public and undocumented events end up with one API name."""

import gradio as gr

MAJOR = int(gr.__version__.split(".")[0])


def shout(text: str) -> str:
    return text.upper()


def whisper(text: str) -> str:
    return text.lower()


def secret(text: str) -> str:
    return text[::-1]


def hidden() -> dict[str, object]:
    """Keyword arguments making an event undocumented in this Gradio version."""
    return {"api_visibility": "undocumented"} if MAJOR >= 6 else {"show_api": False}


# Rendered into ``demo`` below, whose own "step" makes Gradio rename this "step" to
# "step_1": the API name the undocumented event here already has.
part = gr.Blocks()
with part:
    part_in = gr.Textbox(label="Word")
    part_out = gr.Textbox(label="Shouted")
    gr.Button("step").click(shout, part_in, part_out, api_name="step")
    gr.Button("reset").click(lambda: "", None, part_out, api_name="step_1", **hidden())

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
    gr.Button("step").click(whisper, box, out, api_name="step")
    part.render()
