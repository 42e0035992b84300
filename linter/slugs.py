"""Heading anchors exactly as GitHub's github-slugger (v2) computes them.

The algorithm: lower-case the heading's text, delete every character that belongs to one of the
Unicode general categories Other_Number, Close/Final/Initial/Open/Other/Dash_Punctuation, Symbol,
Control, Private_Use, Format, Unassigned or Separator -- except alphabetic characters (the
circled/squared Latin letters are symbols that are also alphabetic), the plain space and ``-`` --
then turn each space into ``-``. There is no trimming. A slug that was already handed out gets
``-1``, ``-2``, ... appended, and the suffixed slug is itself registered, so ``a``, ``a``, ``a-1``
give ``a``, ``a-1``, ``a-1-1``.

github-slugger's character table is generated from Unicode 13; this module uses the Unicode
database of the running Python, so characters assigned after Unicode 13 are kept here while
github-slugger drops them.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# General categories whose characters github-slugger deletes.
_REMOVED_CATEGORIES: frozenset[str] = frozenset(
    {"No", "Pe", "Pf", "Pi", "Ps", "Po", "Pd", "Sm", "Sc", "Sk", "So", "Cc", "Co", "Cf", "Cn",
     "Zs", "Zl", "Zp"}
)  # fmt: skip

# Symbols (category So) that Unicode also marks Alphabetic; github-slugger keeps them.
_ALPHABETIC_SYMBOLS: tuple[tuple[int, int], ...] = (
    (0x24B6, 0x24E9),  # circled Latin letters
    (0x1F130, 0x1F149),  # squared Latin capital letters
    (0x1F150, 0x1F169),  # negative circled Latin capital letters
    (0x1F170, 0x1F189),  # negative squared Latin capital letters
)


@lru_cache(maxsize=4096)
def _is_removed(char: str) -> bool:
    if char == " " or char == "-":
        return False
    if unicodedata.category(char) not in _REMOVED_CATEGORIES:
        return False
    code = ord(char)
    return not any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


def slugify(value: str, maintain_case: bool = False) -> str:
    """The slug of one heading text, without duplicate handling."""
    text = value if maintain_case else value.lower()
    return "".join(char for char in text if not _is_removed(char)).replace(" ", "-")


class Slugger:
    """Hands out unique slugs for the headings of one document, in document order."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, value: str, maintain_case: bool = False) -> str:
        result = slugify(value, maintain_case)
        original = result
        while result in self._occurrences:
            self._occurrences[original] += 1
            result = f"{original}-{self._occurrences[original]}"
        self._occurrences[result] = 0
        return result

    def reset(self) -> None:
        self._occurrences.clear()
