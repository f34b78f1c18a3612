"""Side-by-side benchmarks of generated SDKs, gradio_client and a raw httpx floor.

Run ``python -m benchmarks.run`` (see ``benchmarks/README.md``). Modules imported by
worker processes use the standard library only, so the same worker runs in the
project's environment and in a Gradio server environment.
"""
