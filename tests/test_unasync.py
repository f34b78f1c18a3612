"""The runtime's sync requests are generated from their async source
(``scripts/unasync.py``): the checked-in file must be exactly what the script writes,
so the sync and async clients cannot drift apart (no server, milliseconds)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("unasync", ROOT / "scripts" / "unasync.py")
assert _spec is not None and _spec.loader is not None
unasync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(unasync)


@pytest.mark.parametrize(("source", "target"), unasync.FILES)
def test_generated_sync_module_is_up_to_date(source: str, target: str) -> None:
    package = unasync.PACKAGE
    expected = unasync.generate((package / source).read_text(encoding="utf-8"), source)
    assert (package / target).read_text(encoding="utf-8") == expected, (
        f"{target} is stale: run scripts/unasync.py"
    )


def test_generated_module_has_no_async_left() -> None:
    for _, target in unasync.FILES:
        text = (unasync.PACKAGE / target).read_text(encoding="utf-8")
        for word in ("async ", "await ", "asyncio", "aclient", "AsyncRequests"):
            assert word not in text, (target, word)


def test_an_edit_of_the_source_makes_the_check_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in {n for pair in unasync.FILES for n in pair}:
        (tmp_path / name).write_text((unasync.PACKAGE / name).read_text(encoding="utf-8"))
    monkeypatch.setattr(unasync, "PACKAGE", tmp_path)
    assert unasync.main(["--check"]) == 0
    source = tmp_path / unasync.FILES[0][0]
    source.write_text(source.read_text(encoding="utf-8") + "\n# an edit\n")
    assert unasync.main(["--check"]) == 1
    assert unasync.main([]) == 0 and unasync.main(["--check"]) == 0
