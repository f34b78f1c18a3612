"""Serve one test app on 127.0.0.1: ``python serve.py APP_FILE PORT``.

Runs inside a Gradio server environment (see ``envs.py``). An app module defines
``demo`` and may define ``AUTH`` (a ``(user, password)`` pair), ``SHOW_ERROR``,
``MAX_FILE_SIZE``, ``CONCURRENCY`` and ``QUEUE`` (False: no queue, 3.x only).
"""

from __future__ import annotations

import importlib.util
import os
import sys

import gradio


def main() -> None:
    app_file, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    spec = importlib.util.spec_from_file_location("test_app", app_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # gradio finds component classes' files through it
    spec.loader.exec_module(module)
    demo = module.demo
    kwargs: dict[str, object] = {
        "server_name": "127.0.0.1",
        "server_port": port,
        "show_error": getattr(module, "SHOW_ERROR", False),
        "quiet": True,
    }
    if getattr(module, "AUTH", None):
        kwargs["auth"] = module.AUTH
    if getattr(module, "MAX_FILE_SIZE", None):
        kwargs["max_file_size"] = module.MAX_FILE_SIZE
    concurrency = getattr(module, "CONCURRENCY", 1)
    if not getattr(module, "QUEUE", True):
        pass  # gradio 3.x without a queue: events are called by POST /run/predict
    elif gradio.__version__.startswith("3."):  # one worker pool for the whole queue
        demo.queue(concurrency_count=concurrency or 1)
    else:
        demo.queue(default_concurrency_limit=concurrency)
    demo.launch(**kwargs)


if __name__ == "__main__":
    main()
