"""Hugging Face Hub: resolve a Space id to the host serving it.

huggingface_hub is imported only here and only when a Space id must be resolved, so
generated SDKs pointed at a URL never pay for it.
"""

from __future__ import annotations

from .errors import AuthenticationError, NotFoundError, SpaceError

__all__ = ["resolve_space"]


def resolve_space(space_id: str, *, token: str | None = None) -> str:
    """Return the base URL (``https://owner-name.hf.space``) of a running Space."""
    if space_id.count("/") != 1 or not all(space_id.split("/")):
        raise ValueError(f"not a Space id (owner/name) or http(s) URL: {space_id!r}")
    try:
        import huggingface_hub
        from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
    except ImportError as exc:  # pragma: no cover - installed with gradio-codegen
        raise SpaceError("resolving a Space id needs huggingface_hub") from exc
    try:
        info = huggingface_hub.space_info(space_id, token=token or False)
    except RepositoryNotFoundError:
        hint = "" if token else " If it is private, pass a token (or set HF_TOKEN)."
        raise NotFoundError(f"Space {space_id!r} was not found.{hint}", status_code=404) from None
    except HfHubHTTPError as exc:
        code = getattr(getattr(exc, "response", None), "status_code", 0) or 0
        if code in (401, 403):
            raise AuthenticationError(
                f"the Hub refused access to Space {space_id!r}", status_code=code
            ) from None
        raise SpaceError(f"the Hub could not describe Space {space_id!r} (HTTP {code})") from None
    host = getattr(info, "host", None)
    if not host:
        stage = getattr(getattr(info, "runtime", None), "stage", None)
        raise SpaceError(f"Space {space_id!r} has no running app (stage {stage})", stage=stage)
    return str(host).rstrip("/")
