"""Duplicate a Space under the token's account, idempotently, and wait until it runs.

Behind ``Client.duplicate``. Unlike gradio_client, a second call does not just reuse the
copy: it also brings its hardware and sleep time in line with what was asked, so a
script that calls ``duplicate(..., hardware="t4-small")`` every run keeps the copy as
the script says. Secrets are only set when the copy is made (changing them restarts the
Space and their values cannot be read back to compare); use huggingface_hub's
``add_space_secret`` to rotate them. A copy the caller paused is restarted, since asking
for a client of it means wanting it to run.

``Client.duplicate`` and ``AsyncClient.duplicate`` are one function,
``duplicate_client``, made a classmethod of each by ``ClientFactory`` and
``AsyncClientFactory`` (the async one runs it in a thread); type checkers see its
parameters and the class's own client type as the result.
"""

from __future__ import annotations

import asyncio
import functools
import warnings
from typing import (
    TYPE_CHECKING, Any, Callable, Concatenate, Coroutine, Generic, Iterable, Mapping,
    ParamSpec, TypedDict, TypeVar, cast,
)

from .errors import NotFoundError
from .hub import (
    SpaceHost, SpaceStatusCallback, check_space_id, hub_api, hub_call, saved_token,
    wait_for_space,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._http import Timeout
    from ._netenv import Verify
    from .client import _Base

__all__ = [
    "AsyncClientFactory", "ClientFactory", "ClientOptions", "duplicate_client",
    "duplicate_space", "target_space_id",
]

_K = TypeVar("_K", bound="_Base")
_P = ParamSpec("_P")


def target_space_id(api: Any, from_id: str, to_id: str | None, token: str | None) -> str:
    """``owner/name`` of the copy: ``to_id``'s namespace (a user or an organisation) or
    the token's user, and ``to_id``'s name or the source's."""
    name = (to_id or from_id).rsplit("/", 1)[-1]
    if to_id and "/" in to_id:
        return check_space_id(to_id)
    whoami = hub_call("duplicating", from_id, token, lambda: api.whoami())
    return check_space_id(f"{whoami['name']}/{name}")


def _runtime_or_none(api: Any, space_id: str, token: str | None) -> Any:
    try:
        return hub_call("reading", space_id, token, lambda: api.get_space_runtime(space_id))
    except NotFoundError:
        return None


def _create(
    api: Any, from_id: str, target: str, token: str | None, *, private: bool,
    hardware: str | None,
    sleep_timeout: int | None, secrets: Mapping[str, str] | None,
) -> bool:
    """Make the copy in one Hub request; False when it turned out to exist already (409)."""
    secret_list = [{"key": k, "value": v} for k, v in (secrets or {}).items()] or None
    duplicate = getattr(api, "duplicate_repo", None)

    def call() -> Any:
        if duplicate is not None:  # huggingface_hub >= 1.x
            return duplicate(
                from_id, to_id=target, repo_type="space", private=private, exist_ok=False,
                space_hardware=hardware, space_sleep_time=sleep_timeout,
                space_secrets=secret_list,
            )
        return api.duplicate_space(  # huggingface_hub 0.x
            from_id, to_id=target, private=private, exist_ok=False, hardware=hardware,
            sleep_time=sleep_timeout, secrets=secret_list,
        )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # hub's note on cpu-basic sleep
            hub_call("duplicating", from_id, token, lambda: _conflict_passthrough(call))
    except _Exists:
        return False
    return True


class _Exists(Exception):
    """The copy already exists (the Hub answered 409)."""


def _conflict_passthrough(call: Any) -> Any:
    from huggingface_hub.errors import HfHubHTTPError

    try:
        return call()
    except HfHubHTTPError as exc:
        response = getattr(exc, "response", None)
        if getattr(response, "status_code", None) == 409:
            raise _Exists() from None
        raise


def _update(
    api: Any, target: str, runtime: Any, token: str | None, *,
    hardware: str | None, sleep_timeout: int | None,
) -> None:
    """Bring an existing copy's hardware and sleep time in line with the request."""
    current = getattr(runtime, "requested_hardware", None) or getattr(runtime, "hardware", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if hardware is not None and str(current) != hardware:
            hub_call(
                "changing the hardware of", target, token,
                lambda: api.request_space_hardware(target, hardware, sleep_time=sleep_timeout),
            )
            return
        if sleep_timeout is not None and getattr(runtime, "sleep_time", None) != sleep_timeout:
            hub_call(
                "setting the sleep time of", target, token,
                lambda: api.set_space_sleep_time(target, sleep_timeout),
            )


def duplicate_space(
    from_id: str,
    to_id: str | None = None,
    *,
    token: str | None = None,
    private: bool = True,
    hardware: str | None = None,
    sleep_timeout: int | None = None,
    secrets: Mapping[str, str] | None = None,
    on_status: SpaceStatusCallback | None = None,
    wake_timeout: float | None = None,
) -> SpaceHost:
    """Copy ``from_id`` (or reuse the copy made before) and wait until the copy runs.

    ``hardware`` None keeps the Hub's default for a copy (free ``cpu-basic``) rather
    than the source's: a paid GPU is billed to the caller, so it must be asked for.
    ``sleep_timeout`` is in seconds of inactivity (the Hub's unit).
    """
    check_space_id(from_id)
    api = hub_api(token)
    target = target_space_id(api, from_id, to_id, token)
    if target == from_id:
        raise ValueError(f"the copy of {from_id!r} would be the Space itself; pass to_id")
    runtime = _runtime_or_none(api, target, token)
    if runtime is None:
        hub_call("reading", from_id, token, lambda: api.get_space_runtime(from_id))
        created = _create(
            api, from_id, target, token, private=private, hardware=hardware,
            sleep_timeout=sleep_timeout, secrets=secrets,
        )
        if not created:  # made concurrently by another call: treat as existing
            runtime = hub_call("reading", target, token, lambda: api.get_space_runtime(target))
    if runtime is not None:
        if secrets:
            warnings.warn(
                f"{target} already exists: its secrets were left unchanged", stacklevel=3
            )
        _update(api, target, runtime, token, hardware=hardware, sleep_timeout=sleep_timeout)
        if str(getattr(runtime, "stage", "")) == "PAUSED":  # the caller's own copy: resume it
            hub_call("restarting", target, token, lambda: api.restart_space(target))
    return wait_for_space(target, token=token, on_status=on_status, timeout=wake_timeout, api=api)


class ClientOptions(TypedDict, total=False):
    """The client constructor's options that ``duplicate`` passes on to the new client
    (``token``, ``space_status`` and ``wake_timeout`` it uses itself)."""

    auth: tuple[str, str] | None
    headers: Mapping[str, str] | None
    timeout: float | Timeout | None
    max_retries: int
    allow_token_hosts: Iterable[str]
    verify: Verify
    proxy: str | None
    trust_env: bool
    ip_token: str | None
    oauth_token: str | None
    max_download_size: int | None
    stream_timeout: float | None


def duplicate_client(
    cls: type[_K],
    /,
    from_id: str | None = None,
    to_id: str | None = None,
    *,
    token: str | None = None,
    private: bool = True,
    hardware: str | None = None,
    sleep_timeout: int | None = None,
    secrets: Mapping[str, str] | None = None,
    space_status: SpaceStatusCallback | None = None,
    wake_timeout: float | None = None,
    **options: Unpack[ClientOptions],
) -> _K:
    """Copy a Space (default: this SDK's) to the token's account, or reuse the copy
    made before, and return a client for it once it runs.

    ``hardware`` (e.g. ``"t4-small"``) and ``sleep_timeout`` (seconds idle before it
    sleeps) are applied to a new copy and updated on an existing one; see
    ``duplicate`` for the details. ``options`` go to the constructor.
    """
    source = from_id or cls._SPACE_ID
    if not source:
        raise ValueError("give from_id: the Space to duplicate")
    unknown = sorted(set(options) - ClientOptions.__optional_keys__)
    if unknown:  # before the Hub makes a copy the constructor would then refuse
        raise TypeError(f"duplicate() got unexpected client options: {', '.join(unknown)}")
    token = token if token is not None else saved_token()
    copy = duplicate_space(
        source, to_id, token=token, private=private, hardware=hardware,
        sleep_timeout=sleep_timeout, secrets=secrets, on_status=space_status,
        wake_timeout=wake_timeout,
    )
    return cls(copy.space_id, token=token, **options)


class _Factory(Generic[_P]):
    """A classmethod written once as a function of (client class, ...): read on a
    class, it keeps the function's parameters and makes that class's client, so
    ``sdk.Client.duplicate(...)`` is typed as returning ``sdk.Client``."""

    def __init__(self, make: Callable[Concatenate[Any, _P], object], doc: str | None = None):
        self._make = make
        self.__doc__ = doc or make.__doc__

    def _bound(self, owner: type[_K]) -> Callable[_P, _K]:
        bound = functools.partial(self._make, owner)  # inspect.signature drops the class
        bound.__doc__ = self.__doc__
        return cast("Callable[_P, _K]", bound)


class ClientFactory(_Factory[_P]):
    """``_Factory`` for sync clients."""

    def __get__(self, obj: object, owner: type[_K]) -> Callable[_P, _K]:
        return self._bound(owner)


class AsyncClientFactory(_Factory[_P]):
    """``_Factory`` for async clients: the function (Hub calls, waiting for the Space)
    runs in a worker thread, off the event loop."""

    def __get__(self, obj: object, owner: type[_K]) -> Callable[_P, Coroutine[Any, Any, _K]]:
        make = self._bound(owner)

        async def in_thread(*args: _P.args, **kwargs: _P.kwargs) -> _K:
            return await asyncio.to_thread(make, *args, **kwargs)

        return functools.update_wrapper(in_thread, make)
