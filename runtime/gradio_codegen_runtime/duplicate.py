"""Duplicate a Space under the token's account, idempotently, and wait until it runs.

Behind ``Client.duplicate``. Unlike gradio_client, a second call does not just reuse the
copy: it also brings its hardware and sleep time in line with what was asked, so a
script that calls ``duplicate(..., hardware="t4-small")`` every run keeps the copy as
the script says. Secrets are only set when the copy is made (changing them restarts the
Space and their values cannot be read back to compare); use huggingface_hub's
``add_space_secret`` to rotate them. A copy the caller paused is restarted, since asking
for a client of it means wanting it to run.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

from .errors import NotFoundError
from .hub import SpaceHost, SpaceStatusCallback, check_space_id, hub_api, hub_call, wait_for_space

__all__ = ["duplicate_space", "target_space_id"]


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
