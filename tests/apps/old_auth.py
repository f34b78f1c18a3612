"""Password-protected app for the old servers (Gradio 3.x and 4.0-4.8)."""

import gradio as gr

AUTH = ("user", "secret-pw")

with gr.Blocks() as demo:
    text, reversed_ = gr.Textbox(label="text"), gr.Textbox(label="reversed")
    gr.Button().click(lambda s: s[::-1], text, reversed_, api_name="reverse")
