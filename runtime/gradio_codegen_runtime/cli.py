"""The command line of every generated SDK: ``python -m <package> ...``.

A generated ``__main__.py`` only names its client class and endpoints; the parser is
built here from each endpoint's descriptor (parameter kinds, choices, defaults) and
its method's docstring, with the standard library's argparse::

    python -m calc_sdk --help                      # the endpoints
    python -m calc_sdk predict --help              # parameters: type, choices, default
    python -m calc_sdk predict --num1 4 --operation add --num2 5      # prints JSON
    python -m calc_sdk predict --map inputs.jsonl --checkpoint run.jsonl

A call prints its result as JSON (file outputs are saved to ``--output-dir`` and
printed as their paths). ``--map`` reads one input a line (an object of parameters,
an array of positional arguments, or a bare value) and prints one JSON line per
input, in input order.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .endpoint import NOT_GIVEN, Endpoint, Param
from .errors import GradioError
from .files import FileRef

__all__ = ["run"]

_METAVAR = {"int": "INT", "float": "NUMBER", "bool": "BOOL", "str": "TEXT", "file": "FILE"}


def _arg_type(param: Param) -> tuple[Any, str]:
    """How to read one parameter's text, and its metavar."""
    kinds = set(param.kinds) - {"null"}
    if kinds == {"bool"}:
        return _bool, "BOOL"
    if kinds <= {"int"} and kinds:
        return int, "INT"
    if kinds <= {"int", "float"} and kinds:
        return _number, "NUMBER"
    if kinds in ({"str"}, {"file"}) or kinds == {"file", "str"}:
        return str, _METAVAR[min(kinds)]
    return _json_or_text, "JSON"


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"not a boolean: {text!r} (true or false)")


def _number(text: str) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    return int(value) if value.is_integer() and "." not in text and "e" not in text else value


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _param_docs(doc: str | None) -> dict[str, str]:
    """``name: text`` lines of a generated docstring's ``Args:`` section."""
    docs: dict[str, str] = {}
    in_args = False
    for line in inspect.cleandoc(doc or "").splitlines():
        if line.strip() == "Args:":
            in_args = True
        elif in_args and line.startswith("    ") and ":" in line:
            name, text = line.strip().split(":", 1)
            docs[name] = text.strip()
        elif in_args and line.strip() and not line.startswith(" "):
            in_args = False
    return docs


def _help(param: Param, doc: str) -> str:
    parts = [doc.replace("%", "%%")] if doc else []
    parts.append("type: " + " | ".join(param.kinds))
    if param.choices is not None:
        shown = ", ".join(json.dumps(c, ensure_ascii=False) for c in param.choices)
        more = " (or any value)" if param.allow_custom else ""
        parts.append(f"choices: {shown}{more}".replace("%", "%%"))
    if param.has_default:
        parts.append(f"default: {json.dumps(param.default, ensure_ascii=False)}".replace("%", "%%"))
    else:
        parts.append("required")
    return "; ".join(parts)


def _add_endpoint(
    subparsers: Any, name: str, endpoint: Endpoint[Any], client_cls: type[Any]
) -> None:
    doc = inspect.getdoc(getattr(client_cls, name, None)) or f"Call /{endpoint.api_name}."
    summary = doc.splitlines()[0]
    sub = subparsers.add_parser(
        name, help=summary.replace("%", "%%"), description=doc.replace("%", "%%"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    docs = _param_docs(doc)
    group = sub.add_argument_group("parameters")
    for param in endpoint.params:
        kind, metavar = _arg_type(param)
        many = param.file_list or (param.multiselect and param.choices is not None)
        group.add_argument(
            "--" + param.name, dest="p_" + param.name, type=kind, metavar=metavar,
            nargs="*" if many else None, default=NOT_GIVEN,
            help=_help(param, docs.get(param.name, "")),
        )
    batch = sub.add_argument_group("batch (map over many inputs)")
    batch.add_argument("--map", metavar="INPUTS.jsonl", type=Path,
                       help="one input a line: an object of parameters, an array, or a value")
    batch.add_argument("--checkpoint", metavar="PATH", type=Path,
                       help="resume file: finished inputs are skipped when run again")
    batch.add_argument("--concurrency", type=int, help="jobs in flight (default: the app's)")
    batch.add_argument("--replica", action="append", default=[], metavar="URL",
                       help="another deployment of the app to spread the map over")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.set_defaults(endpoint_name=name)


def build_parser(
    client_cls: type[Any], endpoints: Mapping[str, Endpoint[Any]], prog: str | None = None
) -> argparse.ArgumentParser:
    """The parser: global options, then one subcommand per endpoint."""
    parser = argparse.ArgumentParser(
        prog=prog, description=(inspect.getdoc(client_cls) or "").replace("%", "%%"),
    )
    parser.add_argument("--url", help="the app's URL or Space id (default: the SDK's app)")
    parser.add_argument("--token", help="Hugging Face token (default: $HF_TOKEN)")
    parser.add_argument("--output-dir", type=Path, metavar="DIR",
                        help="where file outputs are saved (default: the current directory; "
                             "with --map, files are left on the app unless given)")
    subparsers = parser.add_subparsers(title="endpoints", metavar="ENDPOINT")
    for name, endpoint in endpoints.items():
        _add_endpoint(subparsers, name, endpoint, client_cls)
    return parser


def _jsonable(value: Any, output_dir: Path | None, depth: int = 0) -> Any:
    """A result as JSON; FileRefs saved to ``output_dir`` (their paths), or kept as
    their URL and server path when there is no directory."""
    if depth > 32:
        return None
    if isinstance(value, FileRef):
        if output_dir is None:
            return {"url": value.url, "path": value.path, "orig_name": value.orig_name}
        return str(value.download(output_dir))
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _jsonable(v, output_dir, depth + 1) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, output_dir, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, output_dir, depth + 1) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


class _JsonLines:
    """Inputs of a ``--map``, one JSON value a line, read as the map goes (an array is
    a tuple of positional arguments); its length, for the progress bar, counts lines."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __len__(self) -> int:
        with self.path.open("rb") as f:
            return sum(1 for line in f if line.strip())

    def __iter__(self) -> Iterator[Any]:
        with self.path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    raise SystemExit(f"{self.path}:{number}: not JSON ({exc})") from None
                yield tuple(item) if isinstance(item, list) else item


def _print(value: Any, out: TextIO) -> None:
    out.write(json.dumps(value, ensure_ascii=False) + "\n")
    out.flush()


def _progress_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None


def run(
    client_cls: type[Any], endpoints: Mapping[str, Endpoint[Any]],
    argv: Sequence[str] | None = None, prog: str | None = None,
) -> int:
    """Parse ``argv``, make the call or the map, print JSON; the exit status."""
    parser = build_parser(client_cls, endpoints, prog)
    args = parser.parse_args(argv)
    name = getattr(args, "endpoint_name", None)
    if name is None:
        parser.print_help()
        return 2
    endpoint = endpoints[name]
    given = {
        p.name: getattr(args, "p_" + p.name) for p in endpoint.params
        if getattr(args, "p_" + p.name) is not NOT_GIVEN
    }
    options: dict[str, Any] = {}
    if args.token:
        options["token"] = args.token
    try:
        with client_cls(args.url, **options) as client:
            if args.map is None:
                values = endpoint.bind((), given)
                result = client._call(endpoint, values)
                _print(_jsonable(result, args.output_dir or Path(".")), sys.stdout)
                return 0
            if given:
                parser.error("give parameters in the --map file, not as options")
            return _run_map(client, endpoint, args)
    except (GradioError, OSError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _run_map(client: Any, endpoint: Endpoint[Any], args: argparse.Namespace) -> int:
    run = client._map(
        endpoint, _JsonLines(args.map), checkpoint=args.checkpoint,
        concurrency=args.concurrency, replicas=args.replica,
        progress=not args.no_progress and _progress_available(),
    )
    failed = 0
    with run:
        for outcome in run:
            line: dict[str, Any] = {"index": outcome.index, "ok": outcome.ok}
            if outcome.error is None:
                line["value"] = _jsonable(outcome.value, args.output_dir)
            else:
                failed += 1
                line["error"] = f"{type(outcome.error).__name__}: {outcome.error}"
            _print(line, sys.stdout)
    return 1 if failed else 0
