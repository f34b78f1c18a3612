"""ZeroGPU quota forwarding: an SDK called from inside a Gradio event handler (a Space
calling a ZeroGPU Space) passes on the end user's ``x-ip-token``, so the GPU time is
charged to that user rather than to the calling Space.

Gradio keeps the current request in a context variable (``gradio.context.LocalContext
.request``, 4.x to 6.x). It is read only when gradio is already imported in this
process: the runtime never imports gradio, and outside a Gradio app this costs one
``sys.modules`` lookup per request.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["HEADER", "current_ip_token", "in_gradio_app"]

HEADER = "x-ip-token"


def in_gradio_app() -> bool:
    """Whether gradio's request context exists in this process at all."""
    return "gradio.context" in sys.modules


def current_ip_token() -> str | None:
    """The ``x-ip-token`` header of the Gradio request being handled in this context
    (thread or task), or None outside one."""
    context = sys.modules.get("gradio.context")
    variable: Any = getattr(getattr(context, "LocalContext", None), "request", None)
    if variable is None:
        return None
    try:
        request = variable.get(None)
        headers = getattr(request, "headers", None) if request is not None else None
        token = headers.get(HEADER) if headers is not None else None
    except Exception:  # another gradio's shapes: forward nothing rather than fail a call
        return None
    return token if isinstance(token, str) and token else None
