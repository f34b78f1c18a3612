"""Driving a no-I/O core written as a generator of steps.

A core (``_stream_plan.plan``, ``_hls.follow``) yields steps that say what I/O to do
and takes each answer back through ``send``. ``Steps`` turns that into a plain ``for``
loop, so a sync driver and an async one differ only in how they carry a step out:

    steps = Steps(core())
    for step in steps:
        steps.answer(do(step))          # or: steps.answer(await ado(step))
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["Steps"]

S = TypeVar("S")


class Steps(Generic[S]):
    """Iterate the steps of ``core``; the answer given to a step goes back into it."""

    def __init__(self, core: Generator[S, Any, None]) -> None:
        self._core = core
        self._answer: Any = None

    def __iter__(self) -> Iterator[S]:
        return self

    def __next__(self) -> S:
        answer, self._answer = self._answer, None
        return self._core.send(answer)

    def answer(self, value: Any) -> None:
        """The answer to the step just taken (None if not called)."""
        self._answer = value

    def close(self) -> None:
        self._core.close()
