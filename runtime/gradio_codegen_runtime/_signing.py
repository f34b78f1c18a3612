"""Signed event streams for Spaces: the Hub issues a short-lived JWT for a Space to a
token that may see it (``GET {hub}/api/spaces/{id}/jwt``), and the client sends it as
``__sign`` on the queue's event stream, as Gradio's JS client does; the proxy in front
of some private Spaces refuses streams without it.

The JWT is fetched through huggingface_hub (so ``HF_ENDPOINT``, proxies and CA
settings are its own), while connecting, and again shortly before its ``exp`` claim.
A Hub that does not issue one leaves streams unsigned, as the JS client does. The JWT
is a credential: it appears in the stream URL only, never in messages, and httpx's own
request log (INFO on the ``httpx`` logger, which logs the URL of a proxied app's
streams) shows it as ``__sign=[redacted]``.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
import time
from urllib.parse import quote

__all__ = ["StreamSigner"]

#: Fetch a new JWT this many seconds before the current one expires.
REFRESH_MARGIN = 60.0
#: After a failed fetch, streams go unsigned for this long before the next try.
RETRY_AFTER = 60.0
_UNKNOWN_LIFETIME = 300.0
_SIGN = re.compile(r"(__sign=)[^&#\s\"']+")


class _RedactSign(logging.Filter):
    """Hides ``__sign`` values in the arguments of httpx's request log records.

    It runs only for records the logger emits (a logger checks its level first), so a
    process that does not log httpx at INFO pays nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            shown = [str(a) for a in record.args]
            if any("__sign=" in text for text in shown):
                record.args = tuple(
                    _SIGN.sub(r"\1[redacted]", text) if "__sign=" in text else arg
                    for arg, text in zip(record.args, shown)
                )
        return True


_REDACT = _RedactSign()


def _hide_in_httpx_log() -> None:
    """Install the filter once (``addFilter`` ignores a filter already there)."""
    logging.getLogger("httpx").addFilter(_REDACT)


class StreamSigner:
    """The ``__sign`` query parameter for one Space's event streams."""

    def __init__(self, space_id: str, token: str) -> None:
        self.space_id = space_id
        self._token = token
        self._jwt: str | None = None
        self._due_at = 0.0  # monotonic time of the next fetch
        self._lock = threading.Lock()
        _hide_in_httpx_log()

    def __repr__(self) -> str:
        return f"StreamSigner({self.space_id!r})"

    def due(self) -> bool:
        """Whether a fetch is needed before the next stream (cheap: one clock read)."""
        return time.monotonic() >= self._due_at

    def refresh(self) -> None:
        """Fetch a JWT from the Hub if one is due (blocking; run it off the event loop)."""
        with self._lock:
            if not self.due():
                return
            jwt = _fetch(self.space_id, self._token)
            now = time.monotonic()
            if jwt is None:
                self._jwt, self._due_at = None, now + RETRY_AFTER
                return
            lifetime = _lifetime(jwt)
            self._jwt = jwt
            self._due_at = now + max(lifetime - REFRESH_MARGIN, lifetime / 2, 1.0)

    def query(self) -> str:
        """``&__sign=<jwt>`` for the stream URL, or "" when there is none."""
        jwt = self._jwt
        return "" if jwt is None else "&__sign=" + quote(jwt, safe="")


def _fetch(space_id: str, token: str) -> str | None:
    try:
        from huggingface_hub import constants, get_session, hf_raise_for_status
    except ImportError:  # pragma: no cover - a dependency of gradio-codegen
        return None
    endpoint = (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")
    try:
        response = get_session().get(
            f"{endpoint}/api/spaces/{space_id}/jwt",
            headers={"authorization": f"Bearer {token}"},
            timeout=10.0,
        )
        hf_raise_for_status(response)
        jwt = response.json().get("token")
    except Exception:  # no JWT: the stream goes unsigned, as in the JS client
        return None
    return jwt if isinstance(jwt, str) and jwt else None


def _lifetime(jwt: str) -> float:
    """Seconds until the JWT's ``exp`` claim (read, not verified: the Hub signed it for
    the Space's proxy, not for us)."""
    try:
        claims = jwt.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        exp = float(data["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return _UNKNOWN_LIFETIME
    return max(0.0, exp - time.time())
