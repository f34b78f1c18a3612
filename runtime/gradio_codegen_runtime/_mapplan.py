"""What the sync and async ``map`` drivers share around the scheduling core: binding
each input, its key, the checkpoint, the progress bar, and recording outcomes.

Written once for both drivers; the only I/O here is the checkpoint file (a flushed
line per finished input) and the progress bar.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict

from ._batch import Admitted, Attempt, MapCore, Outcome
from ._checkpoint import Checkpoint
from .endpoint import Endpoint
from .errors import AppError, GradioError, ValidationError
from ._outputs import wrap_files
from .files import FILE_MARKER, FileRef

if TYPE_CHECKING:
    from ._connection import Connection
    from ._progress import MapBar

__all__ = ["MapOptions", "MapPlan", "bind_input", "input_key"]


class MapOptions(TypedDict, total=False):
    """Options of every ``map`` method.

    - ``concurrency``: jobs in flight per deployment; one number, or one per deployment
      (the client's first, then each replica's). Default: follow the app's queue, as
      many as it runs at once plus a couple queued (at most 16).
    - ``checkpoint``: a JSON Lines file; finished inputs are appended as they finish and
      skipped (answered from the file) when the same map runs again.
    - ``progress``: show a tqdm bar (needs ``tqdm``: the runtime's ``progress`` extra).
    - ``replicas``: URLs (or Space ids) of other deployments of the same app; the map
      spreads over the client's app and these.
    """

    concurrency: int | Sequence[int | None] | None
    checkpoint: str | os.PathLike[str] | None
    progress: bool
    replicas: Sequence[str]


def bind_input(endpoint: Endpoint[Any], item: Any) -> list[Any]:
    """One map input as the endpoint's checked values: a tuple of positional
    arguments, a mapping of keyword arguments, or (one parameter) the value itself."""
    if isinstance(item, tuple):
        values = endpoint.bind(item, {})
    elif isinstance(item, Mapping):
        values = endpoint.bind((), item)
    elif len(endpoint.params) == 1:
        values = endpoint.bind((item,), {})
    else:
        raise ValidationError(
            f"/{endpoint.api_name} takes {len(endpoint.params)} arguments: give each input "
            f"as a tuple or a dict, not {type(item).__name__}"
        )
    return endpoint.check(values)


def _key_part(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, os.PathLike):
        return "path:" + os.fspath(value)
    if isinstance(value, FileRef):
        return "ref:" + value.path
    name = getattr(value, "name", None)
    if hasattr(value, "read") and isinstance(name, str):
        return "stream:" + name
    # Anything else (a generator of chunks, an object) by its type only: its repr may
    # hold an address that differs from run to run.
    return "object:" + type(value).__name__


def input_key(values: Sequence[Any]) -> str:
    """A short hash of an input's values, to tell a changed input from a recorded one."""
    text = json.dumps(list(values), default=_key_part, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _encode(value: Any, depth: int = 0) -> Any:
    """A result as JSON: FileRefs as the FileData the app sent, tuples as lists."""
    if depth > 32:
        return None
    if isinstance(value, FileRef):
        return {
            "path": value.path, "url": value.url, "orig_name": value.orig_name,
            "size": value.size, "mime_type": value.mime_type, "is_stream": value.is_stream,
            "meta": dict(FILE_MARKER),
        }
    if isinstance(value, (list, tuple)):
        return [_encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, depth + 1) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _error_entry(error: Exception) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    for attr in ("title", "parameter"):
        if isinstance(getattr(error, attr, None), str):
            entry[attr] = getattr(error, attr)
    return entry


def _error_from(entry: Mapping[str, Any]) -> Exception:
    message = str(entry.get("message", ""))
    kind = entry.get("type")
    if kind == "AppError":
        title = entry.get("title")
        return AppError(message, title=title if isinstance(title, str) else None)
    if kind == "ValidationError":
        param = entry.get("parameter")
        return ValidationError(message, parameter=param if isinstance(param, str) else None)
    return GradioError(f"{kind}: {message}")


class MapPlan:
    """One map run's shared state; the drivers hold its lock (sync) or loop (async)."""

    def __init__(
        self, endpoint: Endpoint[Any], inputs: Iterable[Any], conn: Connection,
        lanes: int, options: MapOptions,
    ) -> None:
        self.endpoint = endpoint
        self._conn = conn
        self.closed = False
        self.done = self.failed_count = 0
        limits = _limits(options.get("concurrency"), lanes)
        path = options.get("checkpoint")
        self.checkpoint = Checkpoint(path, "/" + endpoint.api_name) if path else None
        self.bar: MapBar | None = None
        try:
            if options.get("progress"):
                from ._progress import MapBar

                total = len(inputs) if isinstance(inputs, Sized) else None
                self.bar = MapBar(total, "/" + endpoint.api_name)
            self.core = MapCore.create(iter(inputs), self._admit, limits)
        except BaseException:
            self.close()
            raise

    def _admit(self, index: int, item: Any) -> Admitted:
        try:
            values = bind_input(self.endpoint, item)
        except Exception as exc:  # a bad input is that input's outcome
            return self._counted(Outcome(index, None, exc, 0))
        key = input_key(values)
        if self.checkpoint is not None:
            entry = self.checkpoint.done(index, key)
            if entry is not None:
                return self._counted(self._replay(index, entry))
        return values, key

    def _replay(self, index: int, entry: Mapping[str, Any]) -> Outcome[Any]:
        attempts = entry.get("attempts")
        attempts = attempts if isinstance(attempts, int) else 1
        if not entry.get("ok"):
            error = entry.get("error")
            return Outcome(index, None, _error_from(error if isinstance(error, Mapping) else {}),
                           attempts, replayed=True)
        kept = entry.get("value")
        n = self.endpoint.n_outputs
        if n != 1:
            kept = list(kept) if isinstance(kept, list) else []
        else:
            kept = [kept]
        parts = iter(kept)
        data = [next(parts, None) if slot is not None else None
                for slot in self.endpoint.output_slots]
        value = self.endpoint.shape(wrap_files(data, self._conn))
        return Outcome(index, value, None, attempts, replayed=True)

    def _counted(self, outcome: Outcome[Any]) -> Outcome[Any]:
        self.done += 1
        if outcome.error is not None:
            self.failed_count += 1
        if self.bar is not None:
            self.bar.update(self.done, self.failed_count)
        return outcome

    # -- events (the drivers call these) ------------------------------------------------

    def started(self, attempt: Attempt) -> None:
        self.core.started(attempt)

    def succeeded(self, attempt: Attempt, value: Any) -> None:
        outcome = self.core.succeeded(attempt, value)
        if outcome is not None:
            self._record(attempt, outcome)

    def failed(self, attempt: Attempt, error: Exception) -> None:
        outcome = self.core.failed(attempt, error, time.monotonic())
        if outcome is not None:
            self._record(attempt, outcome)

    def _record(self, attempt: Attempt, outcome: Outcome[Any]) -> None:
        self._counted(outcome)
        if self.checkpoint is None or self.closed:
            return
        entry: dict[str, Any] = {"i": outcome.index, "key": attempt.key}
        if outcome.error is None:
            value = outcome.value
            n = self.endpoint.n_outputs
            entry["ok"] = True
            entry["value"] = _encode(list(value) if n > 1 and isinstance(value, tuple) else value)
        else:
            entry["ok"] = False
            entry["error"] = _error_entry(outcome.error)
        entry["attempts"] = outcome.attempts
        self.checkpoint.append(entry)

    def close(self) -> None:
        self.closed = True
        if self.checkpoint is not None:
            self.checkpoint.close()
        if self.bar is not None:
            self.bar.close()


def _limits(concurrency: Any, lanes: int) -> list[int | None]:
    if concurrency is None:
        return [None] * lanes
    if isinstance(concurrency, int) and not isinstance(concurrency, bool):
        given: list[Any] = [concurrency] * lanes
    elif isinstance(concurrency, Sequence) and len(concurrency) == lanes:
        given = list(concurrency)
    else:
        raise ValueError(
            f"concurrency must be a number or one per deployment ({lanes}), got {concurrency!r}"
        )
    for limit in given:
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ValueError(f"concurrency must be at least 1, got {limit!r}")
    return given
