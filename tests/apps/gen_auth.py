"""Password-protected app: the generator must report the 401 clearly."""

import gradio as gr

AUTH = ("user", "secret-pw")

demo = gr.Interface(lambda s: s[::-1], gr.Textbox(label="text"), gr.Textbox(label="reversed"),
                    api_name="reverse")
