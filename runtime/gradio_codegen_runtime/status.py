"""Job status snapshots, shaped like the Gradio JS client's status events."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["LogMessage", "ProgressUnit", "Stage", "Status"]

Stage = Literal["pending", "generating", "complete", "error", "cancelled"]


@dataclass(frozen=True)
class ProgressUnit:
    """One ``gr.Progress`` bar: ``progress`` is 0..1, or ``index``/``length`` for tqdm."""

    index: int | None = None
    length: int | None = None
    unit: str | None = None
    progress: float | None = None
    desc: str | None = None


@dataclass(frozen=True)
class LogMessage:
    """A ``gr.Info``/``gr.Warning``/``gr.Success`` message sent while the job ran."""

    message: str
    level: str = "info"
    title: str | None = None
    duration: float | None = None
    visible: bool = True


@dataclass(frozen=True)
class Status:
    """Where a job is: queued (``pending``), streaming, finished, failed or cancelled.

    ``code`` is the last protocol message that changed it; ``time`` a Unix timestamp.
    """

    stage: Stage = "pending"
    code: str = "submitted"
    position: int | None = None
    queue_size: int | None = None
    eta: float | None = None
    success: bool | None = None
    time: float = field(default_factory=time.time)
    progress: tuple[ProgressUnit, ...] = ()
    logs: tuple[LogMessage, ...] = ()
    message: str | None = None
    title: str | None = None

    def evolve(self, **changes: Any) -> Status:
        """A copy with ``changes`` (cheaper than ``dataclasses.replace``, which matters
        for the many ``estimation`` messages of a busy queue)."""
        fields = dict(self.__dict__)
        fields["time"] = time.time()
        fields.update(changes)
        new = object.__new__(Status)
        new.__dict__.update(fields)
        return new
