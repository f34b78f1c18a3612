"""Re-fetch the test apps' schemas from real servers and regenerate ``generated_examples/``.

    python -m tests.generator.regen_examples [APP ...]

Each example is ``generated_examples/<app>_<gradio version>/<package>/``: the SDK as the
CLI writes it, with its ``schema.json``. The host is replaced by a fixed placeholder so
the files do not depend on the port a server happened to get. ``tests/generator/
test_examples.py`` regenerates every example from its schema.json and compares bytes.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

from gradio_codegen.fetch import load_source
from gradio_codegen.render import render_package
from gradio_codegen_runtime.spec import ApiSpec, dump_spec, load_spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "generated_examples"
PLACEHOLDER_HOST = "http://127.0.0.1:7860"
APPS = (
    "calc", "whisper_demo", "gen_components", "gen_names", "gen_dynamic", "stream_in",
    "stream_out",
)
VERSIONS = ("6.31.0", "5.50.0", "4.44.1")
#: Apps that need a newer Gradio than every version (``.stream()`` options: 5.0+).
APP_VERSIONS = {"stream_in": ("6.31.0", "5.50.0"), "stream_out": ("6.31.0", "5.50.0")}


def versions_of(app: str) -> tuple[str, ...]:
    return APP_VERSIONS.get(app, VERSIONS)

__all__ = ["APPS", "EXAMPLES", "VERSIONS", "example_dirs", "versions_of", "package_name", "regenerate", "write_example"]


def package_name(app: str, version: str) -> str:
    return f"{app}_v{version.replace('.', '_')}"


def example_dirs() -> list[Path]:
    """Every committed example package directory (those holding a schema.json)."""
    return sorted(p.parent for p in EXAMPLES.glob("*/*/schema.json"))


def normalize(spec: ApiSpec) -> ApiSpec:
    """The spec with its host replaced by a stable placeholder."""
    return dataclasses.replace(spec, host=PLACEHOLDER_HOST, source=PLACEHOLDER_HOST)


def regenerate(package_dir: Path) -> dict[str, str]:
    """Files of the package in ``package_dir``, rendered again from its schema.json."""
    spec = load_spec((package_dir / "schema.json").read_text(encoding="utf-8"))
    files = render_package(spec, package_dir.name).files
    prefix = package_dir.name + "/"
    return {name[len(prefix):]: text for name, text in files.items()}


def write_example(spec: ApiSpec, app: str, version: str) -> Path:
    spec = load_spec(dump_spec(normalize(spec)))
    name = package_name(app, version)
    target = EXAMPLES / f"{app}_{version}" / name
    if target.parent.exists():
        shutil.rmtree(target.parent)
    target.mkdir(parents=True)
    (target / "schema.json").write_text(dump_spec(spec), encoding="utf-8")
    for rel, text in regenerate(target).items():
        (target / rel).write_text(text, encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    from tests.servers.pool import start_server

    apps = argv or list(APPS)
    for app in apps:
        for version in versions_of(app):
            server = start_server(app, version)
            try:
                spec = load_source(server.url)
            finally:
                server.stop()
            print(write_example(spec, app, version).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
