"""Network test app called by another app: reports the x-ip-token and oauth token it got."""

import gradio as gr


def whoami(request: gr.Request) -> str:
    return request.headers.get("x-ip-token", "") if request else ""


with gr.Blocks() as demo:
    out = gr.Textbox()
    gr.Button().click(whoami, None, out, api_name="whoami")
