"""Runtime test app mounted under /sub of a FastAPI app (gr.mount_gradio_app), behind
password auth: one server covers mount paths and login.

``demo`` stands in for a Blocks so the shared serve.py can start it; the outer app
answers /config itself so the test pool's readiness check sees it up.
"""

import gradio as gr

AUTH = ("user", "pw")

blocks = gr.Blocks()
with blocks:
    _in, _out = gr.Textbox(), gr.Textbox()
    gr.Button().click(lambda x: x[::-1], _in, _out, api_name="reverse")
    gr.Button().click(lambda x: x.upper(), _in, _out, api_name="shout")


class _Mounted:
    def queue(self, **kwargs):
        blocks.queue(**kwargs)
        return self

    def launch(self, server_name="127.0.0.1", server_port=7860, auth=None, **kwargs):
        import uvicorn
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/config")
        def outer_config():
            return {"outer": True}

        app = gr.mount_gradio_app(app, blocks, path="/sub", auth=auth)
        uvicorn.run(app, host=server_name, port=server_port, log_level="warning")


demo = _Mounted()
