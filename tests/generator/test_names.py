"""The identifier sanitizer: any text from a schema becomes a safe, stable Python name."""

from __future__ import annotations

import builtins
import keyword
import unicodedata

import pytest

from gradio_codegen.names import (
    NameAllocator,
    class_name,
    confusable,
    identifier,
    plain_key,
    snake_case,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("predict", "predict"),
        ("text-stats", "text_stats"),
        ("generate image", "generate_image"),
        ("camelCaseName", "camel_case_name"),
        ("größe", "größe"),
        ("café", "café"),
        ("/生成图片", "生成图片"),
        ("Größe der Bilder", "größe_der_bilder"),
        ("ИмяФайла", "имя_файла"),
        ("ステップ数", "ステップ数"),
        ("ﬁle", "file"),  # NFKC: Python reads the ligature as "fi"
        ("ＡＢＣ", "abc"),
        ("pay\u202epal", "paypal"),  # bidi override dropped
        ("a\u200db\u200c", "ab"),  # zero-width joiners dropped
        ("x\u3164y", "xy"),  # Hangul filler: an invisible letter
        ("раураl", "raural"),  # Cyrillic mixed with Latin: transliterated
        ("сор", "sor"),  # Cyrillic look-alikes only ("cop"): transliterated
        ("размер", "размер"),  # plain Cyrillic stays
        ("class", "class_"),
        ("def", "def_"),
        ("match", "match_"),  # soft keyword
        ("list", "list_"),  # builtin
        ("print", "print_"),
        ("self", "self_"),
        ("2nd step", "endpoint_2nd_step"),
        ("123", "endpoint_123"),
        ("", "endpoint"),
        ("日本語", "日本語"),
        ("١٢", "endpoint_١٢"),
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
    assert name.isidentifier() and unicodedata.normalize("NFKC", name) == name
    assert identifier(text, "value", ascii_only=True).isascii()
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


def test_snake_case_keeps_the_script_unless_ascii() -> None:
    assert snake_case("Ünïcödé Name") == "ünïcödé_name"
    assert snake_case("Ünïcödé Name", ascii_only=True) == "unicode_name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/生成图片", "sheng_cheng_tu_pian"),
        ("提示词", "ti_shi_ci"),
        ("größe", "grosse"),
        ("straße", "strasse"),
        ("ステップ数", "sutetpu_shu"),
        ("AI生成", "ai_sheng_cheng"),
        ("Размер", "razmer"),
    ],
)
def test_ascii_names_are_transliterated_with_meaning(text: str, expected: str) -> None:
    assert identifier(text, "endpoint", ascii_only=True) == expected


@pytest.mark.parametrize(
    ("text", "expected", "ascii"),
    [("生成图片", "生成图片", "ShengChengTuPian"), ("größe der bilder", "GrößeDerBilder",
      "GrosseDerBilder"), ("straße", "Straße", "Strasse"), ("ßig", "ßig", "Ssig")],
)
def test_class_name_in_any_script(text: str, expected: str, ascii: str) -> None:
    assert class_name(text) == expected
    assert class_name(text, ascii_only=True) == ascii


@pytest.mark.parametrize(
    ("text", "expected"),
    [("paypal", False), ("раураl", True), ("сор", True), ("размер", False), ("α_β", False),
     ("αβ", False), ("αο", True), ("생성", False), ("AI生成", False), ("xσ", True)],
)
def test_confusable_rule(text: str, expected: bool) -> None:
    assert confusable(text) is expected


@pytest.mark.parametrize(
    ("key", "ok", "ok_ascii"),
    [("größe", True, False), ("名前", True, False), ("name", True, True), ("ﬁle", False, False),
     ("a\u200db", False, False), ("раураl", False, False), ("Größe", False, False)],
)
def test_plain_key(key: str, ok: bool, ok_ascii: bool) -> None:
    assert plain_key(key) is ok
    assert plain_key(key, ascii_only=True) is ok_ascii


def test_names_colliding_after_nfkc_get_counters() -> None:
    names = NameAllocator()
    got = [names.take(identifier(t, "endpoint")) for t in ["file", "ﬁle", "ｆｉｌｅ", "fi\u200ble"]]
    assert got == ["file", "file_2", "file_3", "file_4"]


def test_allocator_suffixes_collisions_in_order() -> None:
    names = NameAllocator({"close"})
    got = [names.take(identifier(t, "endpoint")) for t in ["text-stats", "text_stats", "text stats", "close"]]
    assert got == ["text_stats", "text_stats_2", "text_stats_3", "close_2"]
