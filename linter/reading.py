"""Reading: which files to check, their bytes, and their text.

Reading is not a rule: a file is found, read (regular files only: a named pipe would block
forever) and decoded as UTF-8 here, before any rule runs. What decoding found out (invalid bytes,
the likely encoding, a byte order mark) travels with the text; the encoding family reports it as
PL403.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

# Tuning values (tests may shrink them).
MAX_INVALID_POSITIONS = 20  # positions kept in Decoded.invalid; the count goes on
GUESS_SAMPLE_BYTES = 1 << 16  # bytes of a non-UTF-8 file looked at to guess its encoding
READ_CHUNK = 1 << 20

_BOM = b"\xef\xbb\xbf"
_REPLACEMENT = "\ufffd"

# --------------------------------------------------------------------------------------------------
# Finding and reading files

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Folders that never hold a user's reading list but can hold thousands of Markdown files.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
)


@dataclass(frozen=True)
class Source:
    """A file to check: ``display`` is the path as the user gave it, ``data`` is set for stdin."""

    display: str
    path: Path | None
    data: bytes | None = None


def collect_sources(
    paths: Sequence[str], exclude_path: Sequence[str] = (), exclude_root: Path | None = None
) -> tuple[list[Source], list[str]]:
    """Files named explicitly are read whatever their name; folders are walked for Markdown files.

    Returns the sources, sorted and without repeats (one file under two spellings, ``a.md`` and
    ``./a.md``, is checked once, under the first), and a message for each path that cannot be
    looked at (missing, a broken symbolic link, below a file, a name too long).
    """
    spec = None
    if exclude_path:
        import pathspec  # only here: on the way to the first request otherwise (about 15 ms)

        spec = pathspec.GitIgnoreSpec.from_lines(exclude_path)
    root = (exclude_root or Path.cwd()).resolve()
    sources: dict[str, Source] = {}
    problems: list[str] = []

    def excluded(path: Path) -> bool:
        if spec is None:
            return False
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            relative = path
        text = relative.as_posix() + ("/" if path.is_dir() else "")
        return bool(spec.match_file(text))

    def add(display: str, path: Path) -> None:
        sources.setdefault(os.path.normcase(os.path.abspath(display)), Source(display, path))

    for given in paths:
        path = Path(given)
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except (OSError, ValueError) as error:
            problems.append(f"{given}: {_path_problem(path, error)}")
            continue
        if is_dir:
            for found in _walk(path, excluded):
                add(str(found), found)
        else:
            add(given, path)
    return sorted(sources.values(), key=lambda source: source.display), problems


def _path_problem(path: Path, error: OSError | ValueError) -> str:
    if isinstance(error, ValueError):
        return "invalid path"  # an embedded NUL
    if isinstance(error, FileNotFoundError) and path.is_symlink():
        return "broken symbolic link"
    return os_reason(error)


def _walk(top: Path, excluded: Callable[[Path], bool]) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(top):
        base = Path(directory)
        subdirs[:] = sorted(
            name for name in subdirs if name not in SKIPPED_DIRS and not excluded(base / name)
        )
        for name in sorted(files):
            candidate = base / name
            if name.lower().endswith(MARKDOWN_SUFFIXES) and not excluded(candidate):
                yield candidate


class NotRegularFileError(OSError):
    """A named pipe, socket or device: reading it could block forever."""


def read_file(path: Path) -> bytes:
    """The bytes of the regular file ``path``. Other files are refused before any read: a named
    pipe nobody writes to would block forever (it is opened without blocking, then inspected)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(str(path))
        chunks = []
        while chunk := os.read(descriptor, READ_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_source(source: Source) -> bytes:
    if source.data is not None:
        return source.data
    assert source.path is not None
    return read_file(source.path)


def os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


# --------------------------------------------------------------------------------------------------
# Decoding


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's bytes read as UTF-8.

    ``text`` keeps the line endings exactly as written (``\\r\\n`` survives); a leading BOM
    is removed and recorded in ``bom``. Each maximal invalid byte sequence becomes one U+FFFD
    (Python's ``errors="replace"``); ``invalid`` holds the (line, column) in ``text`` of the
    first ``MAX_INVALID_POSITIONS`` of them, ``invalid_count`` how many there are and
    ``invalid_bytes`` how many bytes they span. ``binary`` is set when the data holds a NUL
    byte. ``guess`` names the encoding the invalid bytes most likely come from (None when
    unknown or when the file is valid)."""

    text: str
    bom: bool = False
    invalid: tuple[tuple[int, int], ...] = ()
    invalid_count: int = 0
    binary: bool = False
    invalid_bytes: int = 0
    guess: str | None = None


@dataclass(slots=True)
class _ErrorLog:
    """Where the UTF-8 decoder gave up: all counted, the first ones kept."""

    keep_until: int = -1  # byte offset up to which ranges are kept (set at the first error)
    ranges: list[tuple[int, int]] = field(default_factory=list)
    count: int = 0
    size: int = 0


_ERROR_LOG: ContextVar[_ErrorLog | None] = ContextVar("paperlint_utf8_errors", default=None)


def _record_error(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    log = _ERROR_LOG.get()
    if log is not None:
        if log.keep_until < 0:
            log.keep_until = error.start + GUESS_SAMPLE_BYTES
        if error.end <= log.keep_until or len(log.ranges) < MAX_INVALID_POSITIONS:
            log.ranges.append((error.start, error.end))
        log.count += 1
        log.size += error.end - error.start
    return _REPLACEMENT, error.end


# The handler only records where "replace" would act, so positions and text agree exactly.
_ERROR_HANDLER = "paperlint.record-replace"
codecs.register_error(_ERROR_HANDLER, _record_error)


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes as UTF-8 without ever raising; see :class:`Decoded`."""
    bom = data.startswith(_BOM)
    body = data[len(_BOM) :] if bom else data
    binary = b"\x00" in body
    if body.isascii():
        return Decoded(text=body.decode("ascii"), bom=bom, binary=binary)
    try:
        return Decoded(text=body.decode("utf-8"), bom=bom, binary=binary)
    except UnicodeDecodeError:
        pass
    log = _ErrorLog()
    token = _ERROR_LOG.set(log)
    try:
        text = body.decode("utf-8", _ERROR_HANDLER)
    finally:
        _ERROR_LOG.reset(token)
    return Decoded(
        text=text,
        bom=bom,
        invalid=_positions(body, text, log.ranges[:MAX_INVALID_POSITIONS]),
        invalid_count=log.count,
        binary=binary,
        invalid_bytes=log.size,
        guess=_guess_encoding(body, log.ranges),
    )


def _positions(
    body: bytes, text: str, ranges: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """(line, column) in ``text`` of each invalid byte range; lines end at ``\\r\\n``, ``\\r``
    or ``\\n``, as in Markdown."""
    out: list[tuple[int, int]] = []
    offset = previous_end = 0  # code point offset in text / byte offset in body
    line, line_start, scanned = 1, 0, 0
    for start, end in ranges:
        offset += len(body[previous_end:start].decode("utf-8"))
        for match in _LINE_BREAK.finditer(text, scanned, offset):
            line += 1
            line_start = match.end()
        scanned = offset
        out.append((line, offset - line_start + 1))
        offset += 1
        previous_end = end
    return tuple(out)


_LINE_BREAK = re.compile(r"\r\n?|\n")


_ISOLATED_HIGH_BYTE = re.compile(rb"(?<![\x80-\xff])[\x80-\xff](?![\x80-\xff])")


def _guess_encoding(body: bytes, errors: list[tuple[int, int]]) -> str | None:
    """The legacy encoding the invalid bytes most likely come from, by simple evidence only."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if not errors:
        return None
    # The sample starts at the line of the first invalid byte: the file may be UTF-8 up to there.
    first = errors[0][0]
    window = max(body.rfind(b"\n", 0, first) + 1, first - GUESS_SAMPLE_BYTES // 2)
    sample = body[window : window + GUESS_SAMPLE_BYTES]
    errors = [
        (start - window, end - window) for start, end in errors if end - window <= len(sample)
    ]
    high = sum(byte >= 0x80 for byte in sample)
    invalid = sum(end - start for start, end in errors)
    # CJK legacy text is mostly high bytes that UTF-8 rejects (a UTF-8 file with a few damaged
    # characters is not), in runs (latin text has isolated accented letters between ASCII).
    isolated = len(_ISOLATED_HIGH_BYTE.findall(sample))
    if high >= 8 and invalid * 4 >= high and isolated * 2 < high:
        cjk = _guess_cjk(sample)
        if cjk is not None:
            return cjk
    # A legacy encoding fails byte by byte; UTF-8 that was cut fails on whole started sequences.
    if sum(end - start >= 2 for start, end in errors) * 2 >= len(errors):
        return "truncated UTF-8"
    offsets = [offset for start, end in errors for offset in range(start, end)]
    windows = _single_byte_score(sample.decode("cp1252", "replace"), offsets)
    mac = _single_byte_score(sample.decode("mac_roman"), offsets)
    if mac > windows:
        return "Mac Roman"
    if any(0x80 <= sample[offset] <= 0x9F for offset in offsets):
        return "cp1252"
    return "cp1252/latin-1"


# Punctuation that may touch a letter on one side ("l’", "“word"), but not on both, except ’.
_GUESS_PUNCTUATION = frozenset("‘’“”‚„–—…«»‹›•·°©®™€£¡¿")


def _single_byte_score(text: str, offsets: list[int]) -> int:
    """How believable ``text`` (a single-byte decoding, so offsets are shared) is at ``offsets``."""
    score = 0
    for offset in offsets:
        char = text[offset]
        before = text[offset - 1] if offset else " "
        after = text[offset + 1] if offset + 1 < len(text) else " "
        if char.isalpha() and char.islower():
            score += 1 if before.isalpha() or after.isalpha() else 0
        elif char.isalpha() and char.isupper():
            # Capitals start words; in the middle of a lowercase word they are misread bytes.
            score += -1 if before.isalpha() and after.islower() else 1
        elif char in _GUESS_PUNCTUATION:
            score += -1 if before.isalpha() and after.isalpha() and char != "’" else 1
        else:
            score -= 2 if char == _REPLACEMENT else 1
    return score


# The most frequent Chinese characters, simplified and traditional: Chinese bytes read with the
# other Chinese encoding decode to rare characters instead.
_FREQUENT_HAN = frozenset(
    "的一是不了在人有我他这這个個们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子"
    "那得于於着著下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當"
)


def _decode_prefix(sample: bytes, codec: str) -> str | None:
    # Up to three bytes are cut off in case the sample ends inside a character.
    for cut in range(4):
        try:
            return sample[: len(sample) - cut].decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def _share(text: str, test: Callable[[str], bool]) -> float:
    wide = [char for char in text if not char.isascii()]
    return sum(map(test, wide)) / len(wide) if wide else 0.0


def _guess_cjk(sample: bytes) -> str | None:
    for codec, label in (("shift_jis", "Shift_JIS"), ("euc_jp", "EUC-JP")):
        japanese = _decode_prefix(sample, codec)
        if japanese is not None and _share(japanese, _is_kana) >= 0.2:
            return label
    korean = _decode_prefix(sample, "euc_kr")
    # Modern Korean is nearly all hangul; Chinese bytes read as EUC-KR give a mix with hanja.
    if korean is not None and _share(korean, lambda char: "\uac00" <= char <= "\ud7a3") >= 0.9:
        return "EUC-KR"
    best: tuple[float, str] | None = None
    for codec, label in (("gb18030", "GBK/GB18030"), ("big5", "Big5")):
        text = _decode_prefix(sample, codec)
        if text is None or _share(text, _is_han) < 0.9:
            continue
        score = _share(text, _FREQUENT_HAN.__contains__)
        if best is None or score > best[0]:
            best = (score, label)
    return best[1] if best else None


def _is_kana(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff"


def _is_han(char: str) -> bool:
    return (
        "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"
    )
