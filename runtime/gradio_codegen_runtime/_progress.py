"""Progress bars (tqdm, imported only when asked for): one for a map, one for a job.

tqdm is an optional extra of the runtime (``progress``): the runtime's own install
stays small, and ``tqdm.auto`` picks the notebook widget in Jupyter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .jobs import AsyncJob, Job
    from .status import Status

__all__ = ["MapBar", "watch"]

J = TypeVar("J", "Job[Any]", "AsyncJob[Any]")


def _tqdm() -> Any:
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm: pip install tqdm (the runtime's 'progress' extra)"
        ) from None
    return tqdm


class MapBar:
    """A map's bar: inputs finished (replayed ones included), failures, rate and ETA."""

    def __init__(self, total: int | None, desc: str) -> None:
        self._bar = _tqdm()(total=total, desc=desc, unit="input", dynamic_ncols=True)
        self._failed = 0

    def update(self, done: int, failed: int) -> None:
        if failed != self._failed:
            self._failed = failed
            self._bar.set_postfix(failed=failed, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


def watch(job: J, desc: str | None = None) -> J:
    """Show one job's bar: its queue position while it waits, then the app's
    ``gr.Progress`` steps while it runs. Returns the job, so
    ``watch(app.submit.x(...)).result()`` reads naturally."""
    tqdm = _tqdm()
    bar = tqdm(total=None, desc=desc or "queued", dynamic_ncols=True)

    def on_status(status: Status) -> None:
        if status.stage in ("complete", "error", "cancelled"):
            bar.set_description(status.stage, refresh=False)
            if bar.total is not None:
                bar.update(bar.total - bar.n)
            bar.close()
            return
        if status.progress:
            unit = status.progress[-1]
            if unit.length is not None and unit.index is not None:
                total, n = unit.length, unit.index
            elif unit.progress is not None:
                total, n = 1000, round(unit.progress * 1000)
            else:
                return
            if bar.total != total:
                bar.reset(total=total)
            bar.set_description(unit.desc or "running", refresh=False)
            bar.update(n - bar.n)
        elif status.code == "process_starts":
            bar.set_description("running")
        elif status.position is not None:
            bar.set_description(f"queued: position {status.position + 1}"
                                + (f" of {status.queue_size}" if status.queue_size else ""))

    job.on("status", on_status)
    return job
