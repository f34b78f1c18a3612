"""Network test app whose functions take a gr.OAuthToken (required and optional), and
one that takes none; each reports the token it was given."""

import gradio as gr


def act(text: str, token: gr.OAuthToken) -> str:
    return f"{text}|{token.token}"


def maybe(text: str, token: gr.OAuthToken | None) -> str:
    return f"{text}|{token.token if token else 'anonymous'}"


def plain(text: str) -> str:
    return text


with gr.Blocks() as demo:
    t, out = gr.Textbox(), gr.Textbox()
    gr.Button().click(act, t, out, api_name="act")
    gr.Button().click(maybe, t, out, api_name="maybe")
    gr.Button().click(plain, t, out, api_name="plain")
