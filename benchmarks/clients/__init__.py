"""One adapter per client under test, all with the same small surface.

An adapter module imports its client library at top level (so importing the module is
part of "time to first result") and defines ``Adapter`` with ``IS_ASYNC`` and:
``call(text)`` (the trivial endpoint), ``stream(n)`` (generator; returns the number of
updates seen), ``upload(path)`` (file up, no download), ``prepare_download(size)`` and
``download(handle, directory)`` (file down), ``close()``. Async adapters define the
same names as coroutines. ``IMPORT`` names the module whose import time is measured.
"""

#: client name -> (adapter module, runs in the Gradio environment)
CLIENTS: dict[str, tuple[str, bool]] = {
    "sdk_sync": ("benchmarks.clients.sdk_sync", False),
    "sdk_async": ("benchmarks.clients.sdk_async", False),
    "gradio_client": ("benchmarks.clients.gradio_client_", True),
    "raw_sync": ("benchmarks.clients.raw", False),
    "raw_async": ("benchmarks.clients.raw_async", False),
}

#: what the import figure imports, per client family
IMPORTS: dict[str, tuple[str, bool]] = {
    "sdk": ("bench_sdk", False),
    "gradio_client": ("gradio_client", True),
    "raw_httpx": ("httpx", False),
}
