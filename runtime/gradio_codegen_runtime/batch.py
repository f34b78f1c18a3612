"""Batch work: run one endpoint over many inputs (``client.map.<endpoint>(inputs)``).

A map returns each input's ``Outcome`` in input order, as soon as it and every earlier
one are done. It runs on the clients' public job API (``submit``, a job's status
events and ``result``): the scheduling, retries, ordering and checkpoint are in the
no-I/O core (``_batch.py``) and the shared plan (``_mapplan.py``); the two drivers
below only submit, wait and feed events back.

Stopping early (``break``, ``close()``, an exception or Ctrl-C in the loop) cancels
what is still queued or running; with a checkpoint, the next run of the same map
starts where this one stopped.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import (
    TYPE_CHECKING, Any, AsyncGenerator, AsyncIterator, Generator, Generic, Iterable, Iterator,
    TypeVar,
)

from ._batch import Attempt, Outcome
from ._mapplan import MapOptions, MapPlan
from ._progress import watch
from .endpoint import Endpoint

if TYPE_CHECKING:
    from .client import BaseAsyncClient, BaseClient
    from .jobs import AsyncJob, Job
    from .status import Status

__all__ = ["AsyncMapRun", "MapOptions", "MapRun", "Outcome", "watch"]

T = TypeVar("T")

#: Threads that join the queue (and upload files) for a sync map; waiting for results
#: needs none, the client's stream reader reports each job's end.
SUBMIT_THREADS = 8
#: Seconds to wait at the end for cancelled jobs to report their end.
STOP_TIMEOUT = 30.0
_ENDED = ("complete", "error", "cancelled")


def _wait(wake: float | None) -> float | None:
    return None if wake is None else max(0.0, wake - time.monotonic())


C = TypeVar("C")


class _Run(Generic[C]):
    """What both runs hold: the plan, the clients by lane, the replicas they made."""

    def __init__(self, plan: MapPlan, clients: list[C], owned: list[C]) -> None:
        self._plan = plan
        self._clients = clients
        self._owned = owned

    @property
    def done(self) -> int:
        """Inputs finished so far (replayed from the checkpoint included)."""
        return self._plan.done

    @property
    def failed(self) -> int:
        """Inputs finished with an error so far."""
        return self._plan.failed_count


class MapRun(_Run["BaseClient"], Generic[T]):
    """The outcomes of a sync map, in input order; iterate it (once).

    ``close()``, leaving a ``with`` block, or dropping it stops the map: queued and
    running jobs are cancelled. ``done``/``failed`` count finished inputs so far.
    """

    def __init__(
        self, plan: MapPlan, clients: list[BaseClient], owned: list[BaseClient]
    ) -> None:
        super().__init__(plan, clients, owned)
        # The driver holds no reference to this object: dropping it (a ``break`` out of
        # a ``for`` loop) closes the driver at once, which cancels what still runs.
        self._gen = _drive(plan, clients, owned)

    def __iter__(self) -> Iterator[Outcome[T]]:
        return self

    def __next__(self) -> Outcome[T]:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()

    def __enter__(self) -> MapRun[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drive(
    plan: MapPlan, clients: list[BaseClient], owned: list[BaseClient]
) -> Generator[Outcome[Any], None, None]:
    """The sync driver: submits in a few threads, learns each job's start and end
    from its status events (on the client's stream reader), yields in order."""
    core, endpoint = plan.core, plan.endpoint
    cond = threading.Condition()
    jobs: dict[Attempt, Job[Any]] = {}
    failure: list[BaseException] = []
    scheduled = [False]
    workers = ThreadPoolExecutor(SUBMIT_THREADS, thread_name_prefix="gradio-codegen-map")

    def pump() -> None:
        """Start what may start now (caller holds ``cond``). Reading the inputs may
        raise (the caller's iterable, a checkpoint mismatch): the map then stops."""
        try:
            starts = core.take_starts(time.monotonic())
        except BaseException as exc:
            failure.append(exc)
            core.stop()
            cond.notify_all()
            return
        for attempt in starts:
            workers.submit(submit, attempt)

    def pump_task() -> None:
        with cond:
            scheduled[0] = False
            pump()

    def changed() -> None:
        """After an event (caller holds ``cond``): wake the consumer, and refill in a
        worker thread, so the caller's inputs are never read on the stream reader
        and jobs start while the consumer is busy with an outcome."""
        cond.notify()
        if not core.stopped and not scheduled[0]:
            scheduled[0] = True
            workers.submit(pump_task)

    def on_status(attempt: Attempt, job: Job[Any], status: Status) -> None:
        if status.stage in _ENDED:
            try:
                value = job.result(timeout=0)
            except Exception as exc:
                with cond:
                    jobs.pop(attempt, None)
                    plan.failed(attempt, exc)
                    changed()
            else:
                with cond:
                    jobs.pop(attempt, None)
                    plan.succeeded(attempt, value)
                    changed()
        elif status.code == "process_starts":
            with cond:
                plan.started(attempt)
                changed()

    def submit(attempt: Attempt) -> None:
        try:
            job = clients[attempt.lane]._submit(endpoint, attempt.values)
        except Exception as exc:
            with cond:
                plan.failed(attempt, exc)
                changed()
            return
        with cond:
            jobs[attempt] = job
            stopped = core.stopped
        if stopped:
            job.cancel()
        job.on("status", lambda status: on_status(attempt, job, status))

    try:
        while True:
            with cond:
                pump()
                if failure:
                    raise failure[0]
                ready = core.pop_ready()
                if not ready:
                    if core.finished():
                        return
                    cond.wait(_wait(core.wake_at()))
                    continue
            yield from ready
    finally:
        with cond:
            core.stop()
        workers.shutdown(wait=True, cancel_futures=True)
        with cond:
            pending = list(jobs.values())
        for job in pending:
            try:
                job.cancel()
                job.result(timeout=STOP_TIMEOUT)
            except Exception:  # each ends as cancelled, or with what it had
                pass
        with cond:
            plan.close()
        for client in owned:
            client.close()


class AsyncMapRun(_Run["BaseAsyncClient"], Generic[T]):
    """The outcomes of an async map, in input order; ``async for`` over it (once).

    ``await run.aclose()`` or leaving ``async with`` stops the map and cancels what is
    still queued or running (a plain ``break`` leaves that to the event loop's cleanup
    of the abandoned iterator).
    """

    def __init__(
        self, plan: MapPlan, clients: list[BaseAsyncClient], owned: list[BaseAsyncClient]
    ) -> None:
        super().__init__(plan, clients, owned)
        self._gen = _adrive(plan, clients, owned)

    def __aiter__(self) -> AsyncIterator[Outcome[T]]:
        return self

    async def __anext__(self) -> Outcome[T]:
        return await self._gen.__anext__()

    async def aclose(self) -> None:
        await self._gen.aclose()

    async def __aenter__(self) -> AsyncMapRun[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _adrive(
    plan: MapPlan, clients: list[BaseAsyncClient], owned: list[BaseAsyncClient]
) -> AsyncGenerator[Outcome[Any], None]:
    """The async driver: one task per attempt (submit, then its result)."""
    core, endpoint = plan.core, plan.endpoint
    changed = asyncio.Event()
    jobs: dict[Attempt, AsyncJob[Any]] = {}
    tasks: set[asyncio.Task[None]] = set()
    failure: list[BaseException] = []

    def pump() -> None:
        """Start what may start now; as in the sync driver, a failure to read the
        inputs stops the map."""
        try:
            starts = core.take_starts(time.monotonic())
        except BaseException as exc:
            failure.append(exc)
            core.stop()
            return
        for attempt in starts:
            task = asyncio.ensure_future(run(attempt))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    def on_status(attempt: Attempt, status: Status) -> None:
        if status.code == "process_starts":
            plan.started(attempt)
            pump()
            changed.set()

    async def run(attempt: Attempt) -> None:
        try:
            job = await clients[attempt.lane]._submit(endpoint, attempt.values)
        except Exception as exc:
            plan.failed(attempt, exc)
            pump()
            changed.set()
            return
        jobs[attempt] = job
        if core.stopped:
            await job.cancel()
        job.on("status", lambda status: on_status(attempt, status))
        try:
            value = await job.result()
        except Exception as exc:
            plan.failed(attempt, exc)
        else:
            plan.succeeded(attempt, value)
        finally:
            jobs.pop(attempt, None)
            pump()
            changed.set()

    try:
        while True:
            pump()
            if failure:
                raise failure[0]
            ready = core.pop_ready()
            for outcome in ready:
                yield outcome
            if ready:
                continue
            if core.finished():
                return
            changed.clear()
            try:
                await asyncio.wait_for(changed.wait(), _wait(core.wake_at()))
            except asyncio.TimeoutError:
                pass
    finally:
        core.stop()
        for job in list(jobs.values()):
            try:
                await job.cancel()
            except Exception:  # it ends as cancelled, or with what it had
                pass
        if tasks:
            await asyncio.wait(list(tasks), timeout=STOP_TIMEOUT)
        for task in tasks:
            task.cancel()
        plan.close()
        for client in owned:
            await client.aclose()


def start_map(
    client: BaseClient, endpoint: Endpoint[T], inputs: Iterable[Any], options: MapOptions
) -> MapRun[T]:
    """``client.map``: the run over ``client`` and the replicas in ``options``."""
    owned = [client._replica(src) for src in options.get("replicas") or ()]
    try:
        plan = MapPlan(endpoint, inputs, client._conn, 1 + len(owned), options)
    except BaseException:
        for replica in owned:
            replica.close()
        raise
    return MapRun(plan, [client, *owned], owned)


def astart_map(
    client: BaseAsyncClient, endpoint: Endpoint[T], inputs: Iterable[Any], options: MapOptions
) -> AsyncMapRun[T]:
    """``AsyncClient.map``: the run over ``client`` and the replicas in ``options``."""
    owned = [client._replica(src) for src in options.get("replicas") or ()]
    plan = MapPlan(endpoint, inputs, client._conn, 1 + len(owned), options)
    return AsyncMapRun(plan, [client, *owned], owned)
