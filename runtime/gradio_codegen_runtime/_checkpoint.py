"""A map's checkpoint: a JSON Lines file of finished inputs, appended as they finish.

Line 1 names the endpoint; each further line is one input's outcome::

    {"gradio_codegen_map": 1, "endpoint": "/predict"}
    {"i": 0, "key": "9f2c...", "ok": true, "value": 9.0, "attempts": 1}
    {"i": 1, "key": "04ab...", "ok": false, "error": {"type": "AppError", "message": "..."}}

Each line is flushed as it is written, so a crash loses at most the line being
written; a torn last line is cut off when the file is opened again. ``key`` is a hash
of the input's values: an input that changed at a recorded index is caught instead of
being answered with another input's result. Outcomes that another run could change
(a lost connection, a cancel) are recorded but run again; successes and the app's own
errors are answered from the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import CheckpointError

__all__ = ["Checkpoint", "FINAL_ERRORS", "Record"]

FORMAT = 1
#: Errors that running the input again would repeat: answered from the checkpoint.
FINAL_ERRORS = frozenset({"AppError", "ValidationError"})


@dataclass(frozen=True)
class Record:
    """Where one input's last line is, and whether a rerun may skip it."""

    key: str
    offset: int
    final: bool


class Checkpoint:
    """Open (or create) the checkpoint at ``path`` for ``endpoint`` (its ``/name``)."""

    def __init__(self, path: str | os.PathLike[str], endpoint: str) -> None:
        self.path = Path(path)
        self.endpoint = endpoint
        self.records: dict[int, Record] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = open(self.path, "a+b")  # noqa: SIM115 - closed by close()
        try:
            self._load()
        except BaseException:
            self._file.close()
            raise

    def _load(self) -> None:
        f = self._file
        f.seek(0)
        offset = 0
        header_seen = False
        lines = f.read().split(b"\n")
        for n, line in enumerate(lines):
            last = n == len(lines) - 1
            if last and not line:
                break
            try:
                if last:
                    raise ValueError("no newline: torn by a crash")
                entry = json.loads(line)
                if not isinstance(entry, dict):
                    raise ValueError("not an object")
            except ValueError:
                if last:  # a line cut short by a crash: drop it, append after the rest
                    f.truncate(offset)
                    break
                raise CheckpointError(
                    f"{self.path}: line {n + 1} is not a checkpoint record"
                ) from None
            if not header_seen:
                self._check_header(entry)
                header_seen = True
            else:
                self._add(entry, offset, n + 1)
            offset += len(line) + 1
        if not header_seen:
            f.seek(0)
            f.truncate(0)
            self._write({"gradio_codegen_map": FORMAT, "endpoint": self.endpoint})

    def _check_header(self, entry: dict[str, Any]) -> None:
        if entry.get("gradio_codegen_map") != FORMAT:
            raise CheckpointError(f"{self.path} is not a map checkpoint of this version")
        if entry.get("endpoint") != self.endpoint:
            raise CheckpointError(
                f"{self.path} is the checkpoint of a map over {entry.get('endpoint')!r}, "
                f"not {self.endpoint!r}: give another path"
            )

    def _add(self, entry: dict[str, Any], offset: int, line: int) -> None:
        index, key = entry.get("i"), entry.get("key")
        if not isinstance(index, int) or not isinstance(key, str):
            raise CheckpointError(f"{self.path}: line {line} has no input index and key")
        error = entry.get("error")
        final = bool(entry.get("ok")) or (
            isinstance(error, dict) and error.get("type") in FINAL_ERRORS
        )
        self.records[index] = Record(key, offset, final)

    def done(self, index: int, key: str) -> dict[str, Any] | None:
        """The recorded entry when input ``index`` needs no new run; raises
        ``CheckpointError`` when the input differs from the recorded one."""
        record = self.records.get(index)
        if record is None:
            return None
        if record.key != key:
            raise CheckpointError(
                f"input {index} is not the input recorded in {self.path} at that index "
                "(the inputs changed): give another checkpoint path, or delete this one"
            )
        if not record.final:
            return None
        f = self._file
        f.seek(record.offset)
        entry: dict[str, Any] = json.loads(f.readline())
        return entry

    def append(self, entry: dict[str, Any]) -> None:
        """Write one finished input and flush it."""
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        f = self._file
        f.seek(0, os.SEEK_END)
        f.write(line.encode("utf-8") + b"\n")
        f.flush()

    def close(self) -> None:
        self._file.close()
