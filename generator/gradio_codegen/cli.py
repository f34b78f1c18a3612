"""The ``gradio-codegen`` command.

    gradio-codegen SOURCE -o DIR [--name NAME] [--token T] [--all-endpoints] [--dist] [--check]
                   [--ascii-names]
    gradio-codegen inspect SOURCE [--token T] [--all-endpoints] [--ascii-names]

SOURCE is a Hugging Face Space id (``owner/name``), an app URL, or a saved
``schema.json``. Exit codes: 0 success, 1 ``--check`` found drift, 2 bad usage,
3 app unreachable, 4 authentication needed or refused, 5 not a usable Gradio app,
6 malformed schema file.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from gradio_codegen_runtime.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    GradioError,
    NotFoundError,
    ProtocolError,
    SpaceError,
)
from gradio_codegen_runtime.spec import ApiSpec, SpecError

from ._version import __version__

if TYPE_CHECKING:
    from gradio_codegen_runtime.hub import SpaceStatus

__all__ = ["main"]

EXIT_DRIFT, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_AUTH, EXIT_NOT_GRADIO, EXIT_SCHEMA = 1, 2, 3, 4, 5, 6


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="Space id (owner/name), app URL, or schema.json")
    parser.add_argument("--token", help="Hugging Face token (default: $HF_TOKEN or saved login)")
    parser.add_argument(
        "--all-endpoints", action="store_true",
        help="include undocumented endpoints (private ones are never included)",
    )
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="login for password-protected apps")
    parser.add_argument(
        "--ascii-names", action="store_true",
        help="transliterate the app's names to ASCII (default: keep its own script)",
    )


def _generate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradio-codegen",
        description="Generate a typed Python SDK for a Gradio app. "
        "Also: 'gradio-codegen inspect SOURCE' prints the typed signatures.",
        epilog=__doc__.split("\n\n", 2)[-1] if __doc__ else None,
    )
    _common(parser)
    parser.add_argument("-o", "--output", required=True, help="package directory to write")
    parser.add_argument("--name", help="package name (default: the output directory's name)")
    parser.add_argument("--dist", action="store_true", help="also write an installable project")
    parser.add_argument(
        "--check", action="store_true",
        help="write nothing; exit 1 with a diff if the app's API no longer matches DIR",
    )
    parser.add_argument("--version", action="version", version=f"gradio-codegen {__version__}")
    _duplicate_options(parser)
    return parser


def _inspect_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradio-codegen inspect",
        description="Print every endpoint as the typed Python signature its SDK will have.",
    )
    _common(parser)
    return parser


def _auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep:
        raise SystemExit("gradio-codegen: --auth must be USER:PASSWORD")
    return user, password


def _load(args: argparse.Namespace) -> ApiSpec:
    from .fetch import load_source

    source = _duplicated(args)
    return load_source(
        source, token=args.token, all_endpoints=args.all_endpoints, auth=_auth(args.auth),
        on_status=_print_space_status,
    )


# -- Spaces: --duplicate, --hardware, --sleep-timeout, wake-up progress -------------------


def _duplicate_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Hugging Face Spaces")
    group.add_argument(
        "--duplicate", action="store_true",
        help="copy the Space to your account (or reuse your copy) and generate for the copy",
    )
    group.add_argument("--hardware", help="with --duplicate: hardware of the copy, e.g. t4-small")
    group.add_argument(
        "--sleep-timeout", type=int, metavar="SECONDS",
        help="with --duplicate: seconds idle before the copy sleeps",
    )


def _duplicated(args: argparse.Namespace) -> str:
    """SOURCE, or with --duplicate the id of the user's copy of it."""
    if not getattr(args, "duplicate", False):
        if getattr(args, "hardware", None) or getattr(args, "sleep_timeout", None) is not None:
            raise ValueError("--hardware and --sleep-timeout need --duplicate")
        return str(args.source)
    from .fetch import duplicate_source

    copy = duplicate_source(
        args.source, token=args.token, hardware=args.hardware,
        sleep_timeout=args.sleep_timeout, on_status=_print_space_status,
    )
    print(f"using your copy of {args.source}: {copy}", file=sys.stderr)
    return copy


def _print_space_status(status: SpaceStatus) -> None:
    if status.stage not in ("RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"):
        print(f"gradio-codegen: {status.space_id}: {status.message}", file=sys.stderr)


def _fail(message: str, code: int) -> int:
    print(f"gradio-codegen: error: {message}", file=sys.stderr)
    return code


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return func(args)
    except SpecError as exc:
        return _fail(str(exc), EXIT_SCHEMA)
    except AuthenticationError as exc:
        return _fail(f"{exc} (pass --token or --auth)", EXIT_AUTH)
    except (ProtocolError, NotFoundError) as exc:
        return _fail(f"{exc}", EXIT_NOT_GRADIO)
    except APIConnectionError as exc:
        return _fail(str(exc), EXIT_UNREACHABLE)
    except (APIStatusError, SpaceError) as exc:
        return _fail(str(exc), EXIT_NOT_GRADIO)
    except GradioError as exc:
        return _fail(str(exc), EXIT_NOT_GRADIO)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)


def _generate(args: argparse.Namespace) -> int:
    from .render import render_package, valid_package_name

    out = Path(args.output)
    name = args.name or out.resolve().name.replace("-", "_")
    if not valid_package_name(name):
        return _fail(f"{name!r} is not a valid package name; pass --name", EXIT_USAGE)
    spec = _load(args)
    package = render_package(spec, name, dist=args.dist, ascii_names=args.ascii_names)
    files: dict[Path, str] = {}
    for rel, text in package.files.items():
        if args.dist:
            files[out / rel] = text
        else:
            files[out / rel.split("/", 1)[1]] = text
    if args.check:
        return _check(files)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    for warning in package.warnings:
        print(f"gradio-codegen: warning: {warning}", file=sys.stderr)
    count = len(spec.endpoints)
    print(f"wrote {name} ({count} endpoint{'s' if count != 1 else ''}) to {out}")
    return 0


def _check(files: dict[Path, str]) -> int:
    drift = False
    for path, text in sorted(files.items()):
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = ""
        if current != text:
            drift = True
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True), text.splitlines(keepends=True),
                    fromfile=f"{path} (generated package)", tofile=f"{path} (app now)",
                )
            )
    if drift:
        print("gradio-codegen: the app's API no longer matches the generated package", file=sys.stderr)
        return EXIT_DRIFT
    print("up to date")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from .inspect_api import describe

    spec = _load(args)
    print(describe(spec, ascii_names=args.ascii_names))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "inspect":
        args = _inspect_parser().parse_args(argv[1:])
        return _run(_inspect, args)
    args = _generate_parser().parse_args(argv)
    return _run(_generate, args)


if __name__ == "__main__":
    raise SystemExit(main())
