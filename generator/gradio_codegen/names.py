"""Identifier sanitizer: untrusted names from a schema become safe, stable Python names.

Every name an app chooses (endpoint names, parameter names, labels, object keys) goes
through here before it can appear as code. Names keep the app's own words in any
script Python allows (PEP 3131): ``/生成图片`` becomes ``生成图片`` and ``/größe`` becomes
``größe``. With ``ascii_only`` they are transliterated instead (``sheng_cheng_tu_pian``,
``grosse``) by anyascii. The result is always a valid identifier, never a keyword or
shadowed builtin, and collisions get ``_2``, ``_3`` in input order.

Why each step:

- NFKC first: Python NFKC-normalises identifiers when it parses them, so ``ﬁle`` and
  ``file`` are the same name to it. Every name handed out is its own NFKC form, so two
  names that would collide once parsed already collide here and get a counter.
- Invisible characters are dropped: format characters (category Cf: zero-width
  joiners, bidi controls such as RIGHT-TO-LEFT OVERRIDE, the BOM) and the other
  default-ignorable code points (Hangul fillers, variation selectors). A name is then
  exactly what it looks like; what remains shows in any editor.
- Confusable scripts: Latin, Cyrillic, Greek, Armenian and Cherokee share look-alike
  letters (Latin ``a`` and Cyrillic ``а``). A name with letters of more than one of
  these scripts, or one written only in look-alike letters of a non-Latin one (``сор``
  looks like ``cop``), is transliterated to ASCII, whose letters look like no other
  name's. Other mixes (``AI生成``, Japanese kanji with kana) are kept.
- snake_case (PascalCase for classes) where the script has case; caseless scripts keep
  their words as they are.
"""

from __future__ import annotations

import builtins
import keyword
import unicodedata
from typing import Iterable

__all__ = [
    "TYPE_NAMES",
    "NameAllocator",
    "class_name",
    "constant_name",
    "identifier",
    "plain_key",
    "snake_case",
    "words",
]

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(
    dir(builtins)
) | frozenset({"self", "cls", "typing", "annotations"})


#: Names generated type modules import or define; classes from schemas never take them.
TYPE_NAMES = frozenset(
    {"Any", "Literal", "NamedTuple", "TypeAlias", "TypedDict", "NotRequired", "Required",
     "Union", "Optional", "FileInput", "FileRef", "JSONValue", "NotGiven", "Endpoint",
     "Param", "ServerInfo", "Client", "AsyncClient", "Job", "AsyncJob", "Status",
     "GradioError", "AppError", "CancelledError", "ValidationError"}
)

#: Default-ignorable code points outside category Cf (Unicode DerivedCoreProperties):
#: invisible, yet some of them (the Hangul fillers) are letters Python accepts in names.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)

#: Scripts whose letters are mistaken for one another's.
_LOOKALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})

#: Cyrillic, Greek and Armenian letters drawn like Latin ones (after NFKC and lowercasing
#: where the script has case), from Unicode's confusables list.
_LATIN_LOOKALIKES = frozenset(
    "аеорсухіјѕһӏԁԛԝьвкмнтпг"  # Cyrillic
    "αοριυνκτχεγ"  # Greek
    "ոսօհզց"  # Armenian
)


def invisible(ch: str) -> bool:
    """True for characters that show nothing: format controls and default-ignorables."""
    if unicodedata.category(ch) == "Cf":
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name ("LATIN SMALL LETTER A")."""
    if not ch.isalpha():
        return None
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return None


def confusable(text: str) -> bool:
    """True when ``text`` could pass for a different name (see the module docstring)."""
    scripts = {s for s in map(_script, text) if s in _LOOKALIKE_SCRIPTS}
    if len(scripts) > 1:
        return True
    if scripts and scripts != {"LATIN"}:
        letters = [ch for ch in text.lower() if ch.isalpha()]
        return all(ch in _LATIN_LOOKALIKES for ch in letters)
    return False


def _clean(text: object) -> str:
    """NFKC text with lone surrogates replaced and invisible characters removed."""
    raw = str(text).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if not invisible(ch))
    return unicodedata.normalize("NFKC", cleaned)


def _word_char(ch: str) -> bool:
    return ("a" + ch).isidentifier() and ch != "_"


def words(text: str | None, *, ascii_only: bool = False) -> list[str]:
    """The words of ``text``: runs of identifier characters, split at punctuation,
    spaces and lower-to-upper case changes (``camelCase``); lowercase where the script
    has case. Transliterated to ASCII when asked, or when the text is confusable."""
    cleaned = _clean(text or "")
    if ascii_only or confusable(cleaned):
        cleaned = _transliterate(cleaned)
    found: list[str] = []
    current = ""
    for ch in cleaned:
        if not _word_char(ch):
            if current:
                found.append(current)
            current = ""
            continue
        if current and ch.isupper() and (current[-1].islower() or current[-1].isdigit()):
            found.append(current)
            current = ""
        if not current and unicodedata.category(ch)[0] == "M":
            continue  # a combining mark cannot start a word
        current += ch
    if current:
        found.append(current)
    return [w for w in (unicodedata.normalize("NFKC", w.lower()) for w in found) if w]


def _transliterate(text: str) -> str:
    """ASCII for ``text``, by anyascii, one character at a time (anyascii is
    context-free). anyascii capitalises the syllables of caseless scripts
    (``生成`` -> ``ShengCheng``); a space before each keeps them apart from ASCII
    capitals next to them (``AI生成`` -> ``AI Sheng Cheng``)."""
    from anyascii import anyascii

    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        latin = anyascii(ch)
        out.append(" " + latin if latin[:1].isupper() and not ch.isupper() else latin)
    return "".join(out)


def snake_case(text: str | None, *, ascii_only: bool = False) -> str:
    """snake_case of arbitrary text, in its own script unless ``ascii_only``."""
    return "_".join(words(text, ascii_only=ascii_only))


def _valid(name: str) -> bool:
    return (
        name.isidentifier()
        and unicodedata.normalize("NFKC", name) == name
        and not any(invisible(ch) for ch in name)
    )


def identifier(
    text: str | None,
    fallback: str = "value",
    reserved: Iterable[str] = (),
    *,
    ascii_only: bool = False,
) -> str:
    """A valid, non-reserved snake_case identifier for ``text``."""
    name = snake_case(text, ascii_only=ascii_only) or fallback
    if not name[0].isidentifier():  # starts with a digit (of any script)
        name = f"{fallback}_{name}"
    if not _valid(name):  # cannot happen for NFKC-clean words; never trust it blindly
        name = snake_case(text, ascii_only=True) or fallback
        if not name[0].isidentifier():
            name = f"{fallback}_{name}"
    if name in _RESERVED or name in set(reserved) or name.startswith("__"):
        name = name + "_"
    return name


def constant_name(name: str) -> str:
    """The module constant for an already sanitized name: ``_EP_`` plus its upper case."""
    upper = unicodedata.normalize("NFKC", name.upper()).strip("_")
    return "_EP_" + upper if _valid("_EP_" + upper) else "_EP_" + name.strip("_")


#: Names a TypedDict field must not take: they would shadow the types its class body
#: annotates with.
_SHADOWING = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "tuple", "bytes", "object"}
)


def plain_key(key: object, *, ascii_only: bool = False) -> bool:
    """True when an object key from a schema may be written as a TypedDict field name.

    TypedDicts have no aliases, so a key is only usable verbatim: an identifier that is
    its own NFKC form (else Python would read another key), without invisible
    characters, not confusable, not upper-initial (never a class or typing name), not
    a keyword, not a dunder and not a type name; ASCII only with ``ascii_only``.
    ``_type`` (Gradio's FileData marker) is allowed. Other keys make the object a plain
    ``dict``.
    """
    if key == "_type":
        return True
    if not isinstance(key, str) or not _valid(key) or (ascii_only and not key.isascii()):
        return False
    if keyword.iskeyword(key) or keyword.issoftkeyword(key) or key in _SHADOWING:
        return False
    if confusable(key):
        return False
    return not key[0].isupper() and not key.startswith("_")


def class_name(text: str | None, fallback: str = "Model", *, ascii_only: bool = False) -> str:
    """A valid PascalCase class name for ``text`` (words joined, each capitalised where
    the script has case)."""
    parts = words(text, ascii_only=ascii_only)
    name = "".join(_capitalised(w) for w in parts) or fallback
    if not name[0].isidentifier():
        name = fallback + name
    if not _valid(name):
        name = "".join(_capitalised(w) for w in words(text, ascii_only=True)) or fallback
        if not name[0].isidentifier():
            name = fallback + name
    if name in _RESERVED or name in TYPE_NAMES:
        name = name + fallback  # not "_": datamodel-code-generator strips underscores
    return name


def _capitalised(word: str) -> str:
    first = word[:1].upper()
    first = first if len(first) == 1 else word[:1]  # "ß".upper() is "SS"
    return unicodedata.normalize("NFKC", first + word[1:])


class NameAllocator:
    """Hands out unique names in a scope, suffixing ``_2``, ``_3`` on collisions.

    Names are compared in NFKC form, the form Python reads them in."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {unicodedata.normalize("NFKC", t) for t in taken}

    def take(self, name: str) -> str:
        name = unicodedata.normalize("NFKC", name)
        candidate = name
        n = 2
        while candidate in self._taken:
            candidate = f"{name}_{n}"
            n += 1
        self._taken.add(candidate)
        return candidate
