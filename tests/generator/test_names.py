"""The identifier sanitizer: any text from a schema becomes a safe, stable Python name."""

from __future__ import annotations

import builtins
import keyword

import pytest

from gradio_codegen.names import NameAllocator, class_name, identifier, snake_case


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("predict", "predict"),
        ("text-stats", "text_stats"),
        ("generate image", "generate_image"),
        ("camelCaseName", "camel_case_name"),
        ("größe", "groe"),
        ("café", "cafe"),
        ("class", "class_"),
        ("def", "def_"),
        ("match", "match_"),  # soft keyword
        ("list", "list_"),  # builtin
        ("print", "print_"),
        ("self", "self_"),
        ("2nd step", "endpoint_2nd_step"),
        ("123", "endpoint_123"),
        ("", "endpoint"),
        ("日本語", "endpoint"),
        ("--__--", "endpoint"),
        ("__import__('os').system('x')", "import_os_system_x"),
        ("a\u2028b\x00c", "a_b_c"),
    ],
)
def test_identifier(text: str, expected: str) -> None:
    assert identifier(text, "endpoint") == expected


@pytest.mark.parametrize(
    "text", ["", "1", "class", "None", "__init__", "\ud800", "a b", "\u0660", "ℌ", "x" * 500]
)
def test_identifier_is_always_a_safe_name(text: str) -> None:
    name = identifier(text, "value")
    assert name.isidentifier() and name.isascii()
    assert not keyword.iskeyword(name) and not keyword.issoftkeyword(name)
    assert name not in dir(builtins)
    assert not name.startswith("__")


def test_identifier_extra_reserved() -> None:
    assert identifier("submit", "endpoint", {"submit"}) == "submit_"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("text stats", "TextStats"), ("2d", "Model2d"), ("", "Model"), ("none", "NoneModel"), ("any", "AnyModel")],
)
def test_class_name(text: str, expected: str) -> None:
    assert class_name(text) == expected


def test_snake_case_is_ascii() -> None:
    assert snake_case("Ünïcödé Name") == "unicode_name"


def test_allocator_suffixes_collisions_in_order() -> None:
    names = NameAllocator({"close"})
    got = [names.take(identifier(t, "endpoint")) for t in ["text-stats", "text_stats", "text stats", "close"]]
    assert got == ["text_stats", "text_stats_2", "text_stats_3", "close_2"]
