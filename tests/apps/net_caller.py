"""Network test app that calls another app (net_callee) from inside its event handlers
with gradio-codegen's runtime client, as a Space calling a ZeroGPU Space does.

The runtime is found through NET_RUNTIME_PATHS (appended to sys.path, so this server's
own packages come first), the way a Space would have it installed.
"""

import os
import sys

import gradio as gr

sys.path.extend(p for p in os.environ.get("NET_RUNTIME_PATHS", "").split(os.pathsep) if p)

from gradio_codegen_runtime import AsyncClient, Client  # noqa: E402


def relay(url: str, trusted: bool) -> str:
    """Call the other app; ``trusted``: its host may receive the HF token (and so the
    end user's x-ip-token), as a Space's host may."""
    with Client(url, allow_token_hosts=[url] if trusted else ()) as other:
        return str(other.predict("/whoami"))


async def arelay(url: str, trusted: bool) -> str:
    async with AsyncClient(url, allow_token_hosts=[url] if trusted else ()) as other:
        return str(await other.predict("/whoami"))


with gr.Blocks() as demo:
    url, trusted, out = gr.Textbox(), gr.Checkbox(), gr.Textbox()
    gr.Button().click(relay, [url, trusted], out, api_name="relay")
    gr.Button().click(arelay, [url, trusted], out, api_name="arelay")
