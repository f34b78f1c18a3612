"""Hugging Face Hub: resolve a Space id to the host serving it, waiting while it wakes.

huggingface_hub is imported only here (and in ``duplicate``), and only when a Space id
must be resolved, so generated SDKs pointed at their baked host never pay for it. Every
Hub call goes through huggingface_hub so that ``HF_ENDPOINT`` and the saved token are
honoured exactly as the ``hf`` CLI honours them.

Hub failures become this runtime's typed errors: a missing Space is ``NotFoundError``,
a private one without (enough of) a token ``AuthenticationError``, a paused or broken
one ``SpaceError`` carrying the Hub's stage. Messages never contain the token.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from .errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    SpaceError,
)

if TYPE_CHECKING:
    from huggingface_hub import HfApi

__all__ = [
    "DEFAULT_WAKE_TIMEOUT",
    "SpaceHost",
    "SpaceStatus",
    "SpaceStatusCallback",
    "baked_host_gets_token",
    "check_space_id",
    "hub_api",
    "hub_call",
    "resolve_space",
    "saved_token",
    "wait_for_space",
]

T = TypeVar("T")


def saved_token() -> str | None:
    """HF_TOKEN, else the token saved by ``hf auth login`` (read without importing
    huggingface_hub, which is slow to import)."""
    token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if token:
        return token
    path = os.environ.get("HF_TOKEN_PATH")
    if not path:
        home = os.environ.get("HF_HOME") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "huggingface"
        )
        path = os.path.join(home, "token")
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return text or None

#: How long a client waits, by default, for a sleeping, building or starting Space.
DEFAULT_WAKE_TIMEOUT = 300.0
#: Polling of the Hub while waiting: first delay, growth factor and cap (seconds). The
#: Hub offers no push notification that huggingface_hub exposes, so waiting is polling.
POLL_FIRST, POLL_GROWTH, POLL_MAX = 1.0, 1.5, 5.0

RUNNING_STAGES = frozenset({"RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"})
WAITING_STAGES = frozenset({"SLEEPING", "STOPPED", "BUILDING", "APP_STARTING"})
BROKEN_STAGES = frozenset({"BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE"})

_MESSAGES = {
    "SLEEPING": "the Space is asleep; waking it up",
    "STOPPED": "the Space is stopped; waking it up",
    "BUILDING": "the Space is building",
    "APP_STARTING": "the Space's app is starting",
    "RUNNING": "the Space is running",
    "RUNNING_BUILDING": "the Space is running (a new version is building)",
    "RUNNING_APP_STARTING": "the Space is running (a new version is starting)",
    "PAUSED": "the Space was paused by its owner",
    "BUILD_ERROR": "the Space failed to build",
    "RUNTIME_ERROR": "the Space's app crashed",
    "CONFIG_ERROR": "the Space's configuration is invalid",
    "NO_APP_FILE": "the Space has no app file",
}
_SPACE_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class SpaceStatus:
    """One change of a Space's state, as reported to a ``space_status`` callback.

    ``stage`` is the Hub's own stage name (``SLEEPING``, ``BUILDING``, ``APP_STARTING``,
    ``RUNNING``, ``PAUSED``, ``RUNTIME_ERROR``, …), so nothing is lost in translation;
    ``message`` says it in words.
    """

    space_id: str
    stage: str
    message: str


SpaceStatusCallback = Callable[[SpaceStatus], None]


@dataclass(frozen=True)
class SpaceHost:
    """A Space id and the base URL its app is served from."""

    space_id: str
    host: str


def check_space_id(space_id: str) -> str:
    """Return ``space_id`` if it looks like ``owner/name``; a ValueError otherwise."""
    if not _SPACE_ID.match(space_id):
        raise ValueError(f"not a Space id (owner/name) or http(s) URL: {space_id!r}")
    return space_id


def baked_host_gets_token(host: str) -> bool:
    """Whether a generated SDK's baked Space host may receive the token without asking
    the Hub (construction stays offline).

    On the public Hub every Space is served from ``*.hf.space``, which gets the token
    anyway; a baked host elsewhere can only come from an edited schema, so it gets
    nothing. A self-hosted Hub (``HF_ENDPOINT``) serves Spaces from hosts of its own
    choosing, so there the SDK's own Space host is trusted.
    """
    endpoint = os.environ.get("HF_ENDPOINT", "").rstrip("/").lower()
    return bool(host) and bool(endpoint) and endpoint not in (
        "https://huggingface.co", "https://hf.co"
    )


def hub_api(token: str | None) -> HfApi:
    """An ``HfApi`` for ``token`` (None: the saved login / ``HF_TOKEN``).

    ``HF_ENDPOINT`` is read now rather than at huggingface_hub's import, so setting it
    later in the process (as a test or a host application may) still takes effect.
    """
    try:
        from huggingface_hub import HfApi
    except ImportError as exc:  # pragma: no cover - a dependency of gradio-codegen
        raise SpaceError("using a Space id needs huggingface_hub installed") from exc
    endpoint = os.environ.get("HF_ENDPOINT", "").rstrip("/") or None
    return HfApi(endpoint=endpoint, token=token)


def _status_code(exc: BaseException) -> int:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else 0


def _is_transport(exc: BaseException) -> bool:
    """A network failure, whichever HTTP library this huggingface_hub uses."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return isinstance(exc, OSError) or bool(
        names & {"TransportError", "TimeoutException", "ConnectionError", "Timeout",
                 "OfflineModeIsEnabled"}
    )


def hub_call(what: str, space_id: str, token: str | None, call: Callable[[], T]) -> T:
    """Run one huggingface_hub call, turning its errors into the runtime's."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        LocalTokenNotFoundError,
        RepositoryNotFoundError,
    )

    try:
        return call()
    except (RepositoryNotFoundError, HfHubHTTPError) as exc:
        code = _status_code(exc)
        if code == 401 or (code == 0 and isinstance(exc, RepositoryNotFoundError) and not token):
            hint = (
                "pass token=..., set HF_TOKEN or run 'hf auth login'"
                if not token
                else "check that the token is valid"
            )
            if isinstance(exc, RepositoryNotFoundError):
                reason = f"the Space does not exist or is private ({hint})"
            else:
                reason = "the token is invalid" if token else f"a token is needed ({hint})"
            raise AuthenticationError(
                f"the Hub refused {what} {space_id!r}: {reason}",
                status_code=code or 401,
            ) from None
        if code == 403:
            raise AuthenticationError(
                f"the Hub refused {what} {space_id!r}: the token lacks permission",
                status_code=403,
            ) from None
        if code == 404 or isinstance(exc, RepositoryNotFoundError):
            raise NotFoundError(
                f"Space {space_id!r} was not found (or this token cannot see it)",
                status_code=404,
            ) from None
        if code == 429:
            raise RateLimitError(f"the Hub rate-limited {what} {space_id!r}") from None
        raise APIStatusError(
            f"the Hub failed {what} {space_id!r} (HTTP {code})", status_code=code
        ) from None
    except LocalTokenNotFoundError:
        raise AuthenticationError(
            f"{what} {space_id!r} needs a Hugging Face token: pass token=... or log in",
            status_code=401,
        ) from None
    except Exception as exc:
        if _is_transport(exc):
            raise APIConnectionError(
                f"could not reach the Hugging Face Hub for {what} {space_id!r}: "
                f"{type(exc).__name__}"
            ) from None
        raise


def _stage_of(info: Any) -> str | None:
    runtime = getattr(info, "runtime", None)
    stage = getattr(runtime, "stage", None)
    return str(stage.value if hasattr(stage, "value") else stage) if stage else None


def _error_detail(info: Any) -> str:
    raw = getattr(getattr(info, "runtime", None), "raw", None)
    detail = raw.get("errorMessage") if isinstance(raw, Mapping) else None
    return f": {str(detail)[:500]}" if detail else ""


def _wake(host: str, token: str | None) -> None:
    """Ask the Space's own host for its page: the Hub wakes a sleeping Space on traffic.

    The host came from the Hub for this Space, so it may see the token (the Spaces
    proxy needs it for private Spaces). Failures are expected while it wakes.
    """
    from . import _http
    from ._netenv import NetOptions

    headers = {"x-hf-authorization": f"Bearer {token}"} if token else {}
    try:
        # The environment's proxy and CA bundle, as huggingface_hub's own calls use.
        net = NetOptions.resolve().httpx_options(host)
        with _http.Client(timeout=_http.Timeout(10.0), **net) as client:
            client.get(host.rstrip("/") + "/config", headers=headers)
    except _http.HTTPError:
        pass


def wait_for_space(
    space_id: str,
    *,
    token: str | None = None,
    on_status: SpaceStatusCallback | None = None,
    timeout: float | None = None,
    api: HfApi | None = None,
) -> SpaceHost:
    """Poll the Hub until ``space_id`` runs, then return its host.

    Sleeping, building and starting Spaces are waited for (at most ``timeout`` seconds,
    default ``DEFAULT_WAKE_TIMEOUT``; a sleeping one is woken by one request to its host);
    every change of stage is reported to ``on_status``. Paused or broken Spaces raise
    ``SpaceError`` at once, with ``stage`` set.
    """
    check_space_id(space_id)
    hub = api or hub_api(token)
    limit = DEFAULT_WAKE_TIMEOUT if timeout is None else max(0.0, float(timeout))
    deadline = time.monotonic() + limit
    delay = POLL_FIRST
    last: str | None = None
    woken = False
    while True:
        info = hub_call("access to Space", space_id, token, lambda: hub.space_info(space_id))
        stage = _stage_of(info) or "RUNNING"  # no runtime block: an always-on host
        host = getattr(info, "host", None)
        if stage != last:
            last = stage
            if on_status is not None:
                text = _MESSAGES.get(stage, f"the Space is in stage {stage}")
                on_status(SpaceStatus(space_id, stage, text))
        if stage in RUNNING_STAGES:
            if not host:
                raise SpaceError(
                    f"Space {space_id!r} runs but the Hub gave no host for it; if it is "
                    "private, pass a token", stage=stage,
                )
            return SpaceHost(space_id, str(host).rstrip("/"))
        if stage == "PAUSED":
            raise SpaceError(
                f"Space {space_id!r} is paused by its owner; only they can restart it",
                stage=stage,
            )
        if stage in BROKEN_STAGES:
            raise SpaceError(
                f"Space {space_id!r} cannot serve requests ({stage}){_error_detail(info)}",
                stage=stage,
            )
        if stage not in WAITING_STAGES:
            raise SpaceError(f"Space {space_id!r} is not usable (stage {stage})", stage=stage)
        if stage in ("SLEEPING", "STOPPED") and host and not woken:
            woken = True
            _wake(str(host), token)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SpaceError(
                f"Space {space_id!r} was still {stage} after {limit:g} s "
                "(raise wake_timeout to wait longer)",
                stage=stage,
            )
        time.sleep(min(delay, remaining))  # polling the Hub; it has no push channel
        delay = min(delay * POLL_GROWTH, POLL_MAX)


def resolve_space(
    space_id: str,
    *,
    token: str | None = None,
    on_status: SpaceStatusCallback | None = None,
    wake_timeout: float | None = None,
) -> str:
    """Return the base URL (``https://owner-name.hf.space``) of ``space_id`` once it runs."""
    return wait_for_space(
        space_id, token=token, on_status=on_status, timeout=wake_timeout
    ).host
