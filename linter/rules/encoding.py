"""Encoding: text damaged by the wrong character encoding.

Paperlint reads every file as UTF-8. These rules find files that are not UTF-8 at all, UTF-8
text that was decoded with a legacy single-byte encoding and saved again ("mojibake"), and
replacement characters left behind by an earlier lossy conversion.

PL401 mojibake
    UTF-8 text that was decoded as cp1252, latin-1 or Mac Roman and saved again:
    ``Googleâ€™s`` for ``Google’s``, ``Jean-Fran√ßois`` for ``Jean-François``, ``ðŸŒ²``
    for ``🌲``, ``å½±æ£®`` for ``影森``. Text that went through the wrong decoding two or three
    times (``Ã¢â‚¬â„¢`` for ``’``) is repaired in one step.

    Each damaged word is reported once, with its exact position and its repair, which
    ``--fix`` applies. A damaged run of characters is widened to the ASCII letters and digits
    around it, so the whole word is shown and replaced. An ordinary space always ends a run
    (a space is never part of a UTF-8 byte sequence), so two damaged words are two findings; a
    no-break space can belong to a run (``Ã`` followed by a no-break space is ``à``).

    The check is conservative and only reports byte patterns that real text does not
    contain: a single damaged character needs a telltale first character (``Ã Â Ä Å Î Ï``
    for cp1252 and latin-1, ``√ ¬ ƒ ≈ ∆ Œ œ`` for Mac Roman), and the repaired text must
    consist of ordinary letters, symbols or emoji. Accented words, CJK, Cyrillic, Greek, math
    such as ``√2``, ``√π`` or ``≈ 3``, curly quotes and dashes are not reported.

    Failing::

        - [Googleâ€™s Spanner](https://example.org/spanner.pdf) by Jean-Fran√ßois Kagy

    Passing::

        - [Google’s Spanner](https://example.org/spanner.pdf) by Jean-François Kagy

PL402 replacement-character
    The character U+FFFD (�) marks text that an earlier conversion could not decode: the
    original character is lost and cannot be repaired automatically; look it up in the
    source and retype it. Each U+FFFD is reported. When the file itself is not valid UTF-8
    (PL403), the replacement characters paperlint inserted while reading it cannot be told
    apart from older ones, so PL402 is silent for such files.

    Failing::

        - [Caf� culture and attention](https://example.org/cafe.pdf)

    Passing::

        - [Café culture and attention](https://example.org/cafe.pdf)

PL403 file-not-utf8
    The file contains bytes that are not valid UTF-8, typically because it was saved as
    cp1252, latin-1, Mac Roman or a CJK legacy encoding (``café`` written with the single
    byte 0xE9 for ``é``). Paperlint reports the file once, at the first invalid byte, with
    the number of invalid bytes and the encoding they most likely come from; the rest of the
    file is still checked, with each invalid byte sequence read as U+FFFD. Re-save the file
    as UTF-8 (for example ``iconv -f cp1252 -t utf-8``). A leading UTF-8 byte order mark is
    accepted. Files with NUL bytes are binary and are not checked at all. A failing example
    cannot be shown as text: it takes bytes that are not UTF-8.

    Passing::

        - [Café culture and attention](https://example.org/cafe.pdf)
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from linter.document import Document
from linter.findings import Edit, Hit, Severity
from linter.reading import Decoded
from linter.rules.base import Rule, RuleContext, RuleFamily

# Tuning values (tests may shrink them).
MESSAGE_TEXT_LIMIT = 60  # characters of a span quoted in a message before it is cut with "…"
MAX_REPAIR_ROUNDS = 3  # how many nested wrong decodings of one span are undone

_BOM = b"\xef\xbb\xbf"
_REPLACEMENT = "\ufffd"


def decode_hits(decoded: Decoded) -> Iterator[Hit]:
    """One PL403 hit for a file with invalid UTF-8, at its first invalid byte sequence.

    Binary files give nothing: the engine reports and skips them."""
    if decoded.binary or not decoded.invalid:
        return
    line, column = decoded.invalid[0]
    count = decoded.invalid_bytes
    noun = "byte" if count == 1 else "bytes"
    message = f"not valid UTF-8 ({count} invalid {noun}, first at line {line} col {column})"
    if decoded.guess:
        message += f"; looks like {decoded.guess}"
    yield Hit("PL403", line, column, message)


# --------------------------------------------------------------------------------------------------
# PL401: mojibake


@dataclass(frozen=True, slots=True)
class Mojibake:
    """A damaged span of one line: ``line[start:end] == text`` (0-based code point offsets)."""

    start: int
    end: int
    text: str
    repaired: str
    wrong: tuple[str, ...]  # how it was misread, e.g. ("cp1252",) or ("Mac Roman twice",)


@dataclass(frozen=True, slots=True)
class _Codec:
    key: str
    to_byte: dict[str, int]
    pattern: re.Pattern[str]  # maximal runs of characters whose bytes are valid UTF-8
    leads: re.Pattern[str]  # any character that can start a multi-byte sequence
    strong_leads: frozenset[int]  # first bytes that make one 2-byte sequence telltale on its own
    windows: bool  # cp1252/latin-1 (True) or Mac Roman (False)


def _byte_chars_windows() -> dict[int, str]:
    # cp1252 and latin-1 together: 0x80-0x9F may appear as cp1252 punctuation or as C1 controls
    # (latin-1, or "sloppy" cp1252 for its five undefined bytes).
    table: dict[int, str] = {}
    for byte in range(0x80, 0x100):
        chars = {chr(byte)}
        with contextlib.suppress(UnicodeDecodeError):  # the five bytes cp1252 leaves undefined
            chars.add(bytes([byte]).decode("cp1252"))
        table[byte] = "".join(sorted(chars))
    return table


def _byte_chars_mac() -> dict[int, str]:
    table = {byte: bytes([byte]).decode("mac_roman") for byte in range(0x80, 0x100)}
    table[0xDB] += "¤"  # before Mac OS 8.5 the byte 0xDB was the currency sign, not the euro
    return table


def _char_class(table: dict[int, str], low: int, high: int) -> str:
    chars = "".join(table[byte] for byte in range(low, high + 1) if byte in table)
    return "[" + "".join(re.escape(char) for char in chars) + "]"


def _build_codec(key: str, table: dict[int, str], strong: str, windows: bool) -> _Codec:
    cont = _char_class(table, 0x80, 0xBF)
    seq = "|".join(
        (
            _char_class(table, 0xC2, 0xDF) + cont,
            _char_class(table, 0xE0, 0xE0) + _char_class(table, 0xA0, 0xBF) + cont,
            _char_class({b: table[b] for b in (*range(0xE1, 0xED), 0xEE, 0xEF)}, 0xE1, 0xEF)
            + cont * 2,
            _char_class(table, 0xED, 0xED) + _char_class(table, 0x80, 0x9F) + cont,
            _char_class(table, 0xF0, 0xF0) + _char_class(table, 0x90, 0xBF) + cont * 2,
            _char_class(table, 0xF1, 0xF3) + cont * 3,
            _char_class(table, 0xF4, 0xF4) + _char_class(table, 0x80, 0x8F) + cont * 2,
        )
    )
    to_byte = {char: byte for byte, chars in table.items() for char in chars}
    strong_leads = frozenset(to_byte[char] for char in strong)
    leads = _char_class(table, 0xC2, 0xF4)
    # The lookahead lets the regex engine skip ahead to candidate characters quickly.
    pattern = re.compile(f"(?={leads})(?:{seq})+")
    return _Codec(key, to_byte, pattern, re.compile(leads), strong_leads, windows)


_WINDOWS_TABLE = _byte_chars_windows()
# Continuation bytes that are letters in cp1252 (Š, œ, ž, ª, µ, …): "evenášši" is a word.
_WINDOWS_LETTER_CONTS = frozenset(
    byte for byte in range(0x80, 0xC0) if any(char.isalpha() for char in _WINDOWS_TABLE[byte])
)


@cache
def _codecs() -> tuple[_Codec, ...]:
    # Built at first use: compiling the patterns costs milliseconds of every start, online
    # checks included, and most lines are ASCII (find_mojibake never gets this far).
    return (
        _build_codec("windows", _WINDOWS_TABLE, "ÂÃÄÅÎÏ", windows=True),
        _build_codec("mac", _byte_chars_mac(), "¬√ƒ≈∆Œœ", windows=False),
    )


# cp1252 bytes that end words in real text ("CAFÉ’s", "IRMÃ”"): after a letter they are only
# mojibake when the word goes on.
_WORD_END = frozenset((0x85, 0x92, 0x94, 0x96, 0x97, 0x9B, 0xBB))
# ... and those that also sit between words, as French typography does ("été\xa0»").
_BETWEEN_WORDS = _WORD_END | {0x8B, 0xA0, 0xAB}
# Mac Roman math: "√π", "∆µ" and "¬±" are real formulas and operators, "o√π" (où) is not.
_MAC_MATH_LEADS = frozenset((0xC3, 0xC5, 0xC6))  # √ ≈ ∆
_MAC_MATH_CONTS = frozenset(
    (0xA1, 0xAD, 0xB0, 0xB1, 0xB2, 0xB3, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBD)
)
_MAC_LIGATURE_LEADS = frozenset((0xCE, 0xCF))  # Œ œ, French letters: "œà" is a letter list
_C1 = re.compile("[\x80-\x9f]")
_CP1252_ONLY = frozenset("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")
# Blocks a lone 3-byte sequence may repair to: punctuation, symbols, CJK, Hangul, Indic, Thai,
# Vietnamese. Accidental matches in real text land in the others (Ogham, Runic, Ethiopic, …).
_SINGLE_3_BYTE_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x0900, 0x0EFF),
    (0x1E00, 0x1EFF),
    (0x2000, 0x2BFF),
    (0x2E80, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


def _allowed_result(char: str, previous: str) -> bool:
    """Whether ``char`` is believable as repaired text (``previous``: the character before it)."""
    point = ord(char)
    category = unicodedata.category(char)
    if category == "Cn":
        # Emoji and CJK assigned after the Unicode version of this Python.
        return 0x1F000 <= point <= 0x1FAFF or 0x20000 <= point <= 0x323AF
    if category in ("Cc", "Cs", "Co"):
        return False
    if category == "Cf":
        return char in "\u200c\u200d"
    if category[0] == "M":
        return bool(previous) and unicodedata.category(previous)[0] in "LS"
    # IPA, spacing modifiers and the rarely written scripts after Hebrew/Arabic come out of
    # accidental matches far more often than out of real text.
    return not (0x250 <= point <= 0x2FF or 0x700 <= point <= 0x7FF)


def _allowed_single(char: str, size: int) -> bool:
    """Whether one sequence alone may repair to ``char``: the blocks real mojibake produces."""
    point = ord(char)
    if size == 2:
        return 0xA0 <= point <= 0x24F or 0x370 <= point <= 0x3FF
    if size == 3:
        return any(low <= point <= high for low, high in _SINGLE_3_BYTE_BLOCKS)
    return True


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _is_gap(char: str) -> bool:
    return not char or char.isspace() or _is_word_char(char)


@dataclass(frozen=True, slots=True)
class _Core:
    start: int
    end: int
    repaired: str
    wrong: str


def _sequences(text: str, codec: _Codec) -> list[tuple[int, bytes]]:
    """Split a pattern match into its UTF-8 sequences: (offset in text, bytes)."""
    raw = bytes(codec.to_byte[char] for char in text)
    out: list[tuple[int, bytes]] = []
    index = 0
    while index < len(raw):
        lead = raw[index]
        size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        out.append((index, raw[index : index + size]))
        index += size
    return out


def _cores(line: str, codec: _Codec, repeat: bool) -> Iterator[_Core]:
    if codec.leads.search(line) is None:
        return
    for match in codec.pattern.finditer(line):
        base = match.start()
        group: list[tuple[int, bytes, str]] = []
        previous = line[base - 1] if base else ""
        for offset, raw in _sequences(match.group(), codec):
            char = raw.decode("utf-8")
            # Judged per sequence; runs of believable sequences are then judged as a whole.
            if _allowed_result(char, previous):
                group.append((base + offset, raw, char))
                previous = char
                continue
            yield from _judge(line, codec, group, repeat)
            group = []
            previous = line[base + offset + len(raw) - 1]
        yield from _judge(line, codec, group, repeat)


def _judge(
    line: str, codec: _Codec, group: list[tuple[int, bytes, str]], repeat: bool
) -> Iterator[_Core]:
    if not group:
        return
    start = group[0][0]
    end = group[-1][0] + len(group[-1][1])
    if len(group) == 1 and not _telltale(line, codec, start, end, group[0][1], group[0][2]):
        return
    repaired = "".join(char for _, _, char in group)
    text = line[start:end]
    label = _label(text, codec)
    rounds = 1
    while repeat and rounds < MAX_REPAIR_ROUNDS:
        again = _repair_once(repaired, codec)
        if again == repaired:
            break
        repaired = again
        rounds += 1
    if rounds > 1:
        label += " twice" if rounds == 2 else f" {rounds} times"
    yield _Core(start, end, repaired, label)


def _telltale(line: str, codec: _Codec, start: int, end: int, raw: bytes, char: str) -> bool:
    """Whether one sequence alone is evidence enough."""
    if not _allowed_single(char, len(raw)):
        return False
    after = line[end] if end < len(line) else ""
    before = line[start - 1] if start else ""
    if len(raw) == 4:
        return True
    if len(raw) == 3:
        if not codec.windows:
            return True
        # "evenášši", "été\xa0»": a lowercase accented letter, then letters or word boundaries.
        if raw[1] in _WINDOWS_LETTER_CONTS and raw[2] in _WINDOWS_LETTER_CONTS:
            return False
        return not (raw[1] in _BETWEEN_WORDS and raw[2] in _BETWEEN_WORDS) or _is_word_char(after)
    lead, cont = raw
    if lead not in codec.strong_leads:
        return False
    if codec.windows:
        return cont not in _WORD_END or _is_word_char(after)
    if lead in _MAC_LIGATURE_LEADS:
        return not line[start + 1].islower()
    if cont in _MAC_MATH_CONTS:
        if lead == 0xC2:  # ¬ repairs to a symbol: "25¬∞C", " ¬∑ ", but not "~¬±×"
            return _is_gap(before) and _is_gap(after)
        if lead in _MAC_MATH_LEADS:  # √ ≈ ∆ repair to letters, inside words only
            return before.isalpha() or after.isalpha()
    return True


def _label(text: str, codec: _Codec) -> str:
    if not codec.windows:
        return "Mac Roman"
    if _C1.search(text) and not any(char in _CP1252_ONLY for char in text):
        return "latin-1"
    return "cp1252"


def _repair_once(text: str, codec: _Codec) -> str:
    parts: list[str] = []
    position = 0
    for core in _find_cores(text, (codec,), repeat=False):
        parts.append(text[position : core.start])
        parts.append(core.repaired)
        position = core.end
    parts.append(text[position:])
    return "".join(parts)


def _find_cores(
    line: str, codecs_: tuple[_Codec, ...] | None = None, repeat: bool = True
) -> list[_Core]:
    found = [core for codec in codecs_ or _codecs() for core in _cores(line, codec, repeat)]
    if len(found) < 2:
        return found
    # Two readings of the same characters: keep the one that explains more of them.
    found.sort(key=lambda core: (-(core.end - core.start), core.start))
    kept: list[_Core] = []
    for core in found:
        if all(core.end <= other.start or other.end <= core.start for other in kept):
            kept.append(core)
    kept.sort(key=lambda core: core.start)
    return kept


def find_mojibake(line: str) -> list[Mojibake]:
    """The mojibake spans of one line, left to right (empty for pure-ASCII lines)."""
    if line.isascii():
        return []
    cores = _find_cores(line)
    if not cores:
        return []
    spans: list[list[_Core]] = []
    bounds: list[tuple[int, int]] = []
    for core in cores:
        start, end = core.start, core.end
        while start > 0 and _is_word_char(line[start - 1]):
            start -= 1
        while end < len(line) and _is_word_char(line[end]):
            end += 1
        if bounds and start <= bounds[-1][1]:
            bounds[-1] = (bounds[-1][0], max(end, bounds[-1][1]))
            spans[-1].append(core)
        else:
            bounds.append((start, end))
            spans.append([core])
    out: list[Mojibake] = []
    for (start, end), members in zip(bounds, spans, strict=True):
        parts: list[str] = []
        position = start
        for core in members:
            parts.append(line[position : core.start])
            parts.append(core.repaired)
            position = core.end
        parts.append(line[position:end])
        labels = [core.wrong for core in members]
        if any(label.startswith("cp1252") for label in labels):
            # Sloppy cp1252 leaves its five undefined bytes as C1 controls: one reading, not two.
            labels = [label.replace("latin-1", "cp1252") for label in labels]
        wrong = tuple(dict.fromkeys(labels))
        out.append(Mojibake(start, end, line[start:end], "".join(parts), wrong))
    return out


def _show(text: str) -> str:
    """Quote text in a message: invisible characters escaped, long text cut."""
    if len(text) > MESSAGE_TEXT_LIMIT:
        text = text[: MESSAGE_TEXT_LIMIT - 1] + "…"
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


# --------------------------------------------------------------------------------------------------
# The rule entry point


def check_document(doc: Document, ctx: RuleContext) -> Iterator[Hit]:
    """PL403 from what reading the file found, then PL401 and PL402 over every source line (code
    included: damaged text is damaged anywhere)."""
    if doc.decoded is not None:
        yield from decode_hits(doc.decoded)
    skip_replacement = doc.lossy
    for number, line in enumerate(doc.lines, start=1):
        if line.isascii():
            continue
        for span in find_mojibake(line):
            yield Hit(
                "PL401",
                number,
                span.start + 1,
                f'mojibake "{_show(span.text)}" should be "{_show(span.repaired)}" '
                f"(UTF-8 read as {' and '.join(span.wrong)})",
                suggestion=span.repaired,
                edit=_edit(number, span),
            )
        if skip_replacement or _REPLACEMENT not in line:
            continue
        column = line.find(_REPLACEMENT)
        while column >= 0:
            yield Hit(
                "PL402",
                number,
                column + 1,
                "replacement character U+FFFD: the original character was lost; retype it",
            )
            column = line.find(_REPLACEMENT, column + 1)


def _edit(line: int, span: Mojibake) -> Edit:
    return Edit(line, span.start + 1, line, span.end + 1, span.repaired)


FAMILY = RuleFamily(
    "encoding",
    __doc__ or "",
    (
        Rule("PL401", "mojibake", Severity.ERROR, "UTF-8 text that was decoded with the wrong encoding."),
        Rule("PL402", "replacement-character", Severity.WARNING, "U+FFFD: text that was already lost."),
        Rule("PL403", "file-not-utf8", Severity.ERROR, "The file is not valid UTF-8."),
    ),
    check_document=check_document,
)  # fmt: skip
