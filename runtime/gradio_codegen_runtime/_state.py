"""What a client is made from: pickling (a worker rebuilds its own connections) and
replicas (the same client for another deployment of the app).

A client pickles to its class and constructor arguments, never to sockets, sessions or
jobs: each process that unpickles one opens its own connections on first use. The
token travels with the pickle, as it must for the worker to call a private Space.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .client import _Base

__all__ = ["reduce_client", "rebuild", "replica"]

B = TypeVar("B", bound="_Base")


def rebuild(cls: type[B], src: str | None, options: dict[str, Any]) -> B:
    """Unpickle: construct the client again (nothing is sent until its first call)."""
    return cls(src, **options)


def _options(client: _Base, base: type[_Base]) -> tuple[str | None, dict[str, Any]]:
    src, options = client._given
    options = dict(options)
    if options.pop("transport", None) is not None:
        raise TypeError(
            f"a {type(client).__name__} with a custom transport cannot be pickled or "
            "copied for a replica: build it in the worker instead"
        )
    # An SDK generated before an option existed does not take it: leave it out when it
    # has its default (what that SDK's constructor would use anyway).
    import inspect

    accepted = inspect.signature(type(client).__init__).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        defaults = inspect.signature(base.__init__).parameters
        for name in [k for k in options if k not in accepted]:
            if name in defaults and options[name] == defaults[name].default:
                del options[name]
    if options.get("allow_token_hosts") == ():
        del options["allow_token_hosts"]
    return src, options


def reduce_client(client: _Base, base: type[_Base]) -> tuple[Any, ...]:
    """``base``: the class whose constructor holds every option and its default."""
    src, options = _options(client, base)
    return (rebuild, (type(client), src, options))


def replica(client: B, src: str, base: type[_Base]) -> B:
    """The same kind of client, with the same options, for the deployment at ``src``."""
    if not isinstance(src, str) or not src:
        raise ValueError(f"a replica is a URL or Space id, got {src!r}")
    _, options = _options(client, base)
    return type(client)(src, **options)
