"""``python -m gradio_codegen``."""

from .cli import main

raise SystemExit(main())
