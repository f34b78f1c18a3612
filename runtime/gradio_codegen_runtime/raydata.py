"""Ray Data recipe: call a Gradio app on every row of a dataset, from many workers.

``GradioMapper`` is a callable class for ``Dataset.map_batches``: Ray builds one per
actor, each actor unpickles the client it was given (opening its own connections) and
runs each batch through ``map``, which keeps the app's queue busy without flooding it
and can spread the calls over several deployments (``replicas``)::

    import ray
    from gradio_codegen_runtime.raydata import GradioMapper
    from whisper_sdk import Client

    ds = ray.data.read_parquet("clips.parquet")               # a column "audio"
    ds = ds.map_batches(
        GradioMapper,
        fn_constructor_kwargs={
            "client": Client(),                                # pickled into each actor
            "endpoint": "predict",                             # the SDK's method name
            "columns": {"audio": "audio"},                     # parameter <- column
            "map_options": {"replicas": ["https://me-whisper-2.hf.space"]},
        },
        batch_size=64,
        concurrency=2,                                         # actors
    )

Rows keep their columns and gain ``output`` (the result, as JSON-like values: file
outputs as their ``url``/``path``) and ``error`` (None, or the input's error text), so
one bad row never fails the dataset. Ray itself is not a dependency of the runtime.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .cli import _jsonable

__all__ = ["GradioMapper"]


def _column(values: Any) -> list[Any]:
    return list(values.tolist() if hasattr(values, "tolist") else values)


class GradioMapper:
    """One actor's caller: ``columns`` maps each parameter to the column it reads (by
    default, parameters read columns of their own name)."""

    def __init__(
        self, client: Any, endpoint: str, *, columns: Mapping[str, str] | None = None,
        output: str = "output", error: str = "error",
        map_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.columns = dict(columns) if columns is not None else None
        self.output = output
        self.error = error
        self.map_options = dict(map_options or {})

    def _run(self, inputs: list[dict[str, Any]]) -> Any:
        runner = getattr(self.client.map, self.endpoint, None)
        if runner is not None:  # a generated SDK's client: map.<endpoint>
            return runner(inputs, **self.map_options)
        return self.client.map("/" + self.endpoint.lstrip("/"), inputs, **self.map_options)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        import numpy as np  # Ray Data's batches are numpy: present wherever Ray is

        table = {name: _column(values) for name, values in batch.items()}
        rows = len(next(iter(table.values()))) if table else 0
        columns = self.columns or {name: name for name in table if name not in (
            self.output, self.error)}
        inputs = [{param: table[col][i] for param, col in columns.items()} for i in range(rows)]
        outputs: list[Any] = [None] * rows
        errors: list[str | None] = [None] * rows
        with self._run(inputs) as run:
            for outcome in run:
                if outcome.error is None:
                    outputs[outcome.index] = _jsonable(outcome.value, None)
                else:
                    errors[outcome.index] = f"{type(outcome.error).__name__}: {outcome.error}"
        result: dict[str, Any] = {name: batch[name] for name in batch}
        out = np.empty(rows, dtype=object)
        out[:] = outputs
        err = np.empty(rows, dtype=object)
        err[:] = errors
        result[self.output] = out
        result[self.error] = err
        return result
