"""Lay out generated statements the way black would, without running black.

Running black over a whole SDK costs about 0.2 ms per line, and an SDK repeats each
endpoint's signature five times (sync and async clients, their ``submit`` helpers and
the module function), so black dominated generation time. Generated code has few
shapes: calls, tuples, lists, dicts and ``def`` lines. For those, black's output is
predictable: a statement that fits in 88 columns stays on one line; one that does not
is split at its brackets with one element per line and a trailing comma, which black
then keeps (a "magic trailing comma"). ``lay_out`` applies that rule and raises
``TooLong`` when it cannot be sure (an atom wider than the line, or a line whose width
depends on how wide its non-ASCII characters are); the caller then lets black format
that statement. Tests check that black leaves every laid-out file unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

__all__ = ["LINE_LENGTH", "Group", "Node", "Pair", "TooLong", "def_lines", "fits", "flat", "lay_out"]

LINE_LENGTH = 88


class TooLong(Exception):
    """The statement needs a split this module does not make; black must format it."""


@dataclass(frozen=True)
class Group:
    """Bracketed, comma-separated items: a call's arguments, a tuple, list or dict."""

    open: str
    items: tuple[Node, ...]
    close: str
    one_tuple: bool = False  # ``(x,)``: the comma stays when the group is flat


@dataclass(frozen=True)
class Pair:
    """Text glued in front of a node: ``name=`` + value, ``Param`` + arguments."""

    prefix: str
    value: Node


Node = Union[str, Group, Pair]


def flat(node: Node) -> str:
    """The node on one line."""
    if isinstance(node, str):
        return node
    if isinstance(node, Pair):
        return node.prefix + flat(node.value)
    inner = ", ".join(flat(item) for item in node.items)
    return node.open + inner + ("," if node.one_tuple else "") + node.close


def fits(line: str) -> bool:
    """Whether black keeps ``line`` whole; ``TooLong`` when that depends on how wide
    its non-ASCII characters render (black counts East Asian wide ones as two)."""
    if len(line) > LINE_LENGTH:
        return False
    if line.isascii():
        return True
    wide = len(line) + sum(1 for ch in line if ord(ch) > 0x7F)
    if wide <= LINE_LENGTH:
        return True
    raise TooLong(line)


def lay_out(node: Node, indent: int = 0, prefix: str = "", suffix: str = "") -> list[str]:
    """Lines of ``prefix + node + suffix`` at ``indent`` spaces, as black formats them."""
    pad = " " * indent
    line = pad + prefix + flat(node) + suffix
    if fits(line):
        return [line]
    while isinstance(node, Pair):
        prefix += node.prefix
        node = node.value
    if not isinstance(node, Group) or not node.items:
        raise TooLong(line)
    head = pad + prefix + node.open
    tail = pad + node.close + suffix
    if not (fits(head) and fits(tail)):
        raise TooLong(line)
    lines = [head]
    for item in node.items:
        lines.extend(lay_out(item, indent + 4, "", ","))
    lines.append(tail)
    return lines


def def_lines(
    indent: int, keyword: str, name: str, params: Sequence[str], returns: str
) -> list[str]:
    """A ``def`` line: whole when it fits, else one parameter per line with a trailing
    comma (black splits a ``def`` at its parameter list, never in the annotation)."""
    pad = " " * indent
    line = f"{pad}{keyword} {name}({', '.join(params)}) -> {returns}:"
    if fits(line):
        return [line]
    head, tail = f"{pad}{keyword} {name}(", f"{pad}) -> {returns}:"
    body = [f"{pad}    {p}," for p in params]
    if not params or not all(fits(text) for text in (head, tail, *body)):
        raise TooLong(line)
    return [head, *body, tail]
