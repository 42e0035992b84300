"""Bare URLs that GitHub links: GFM's extended autolinks, ported from cmark-gfm.

``http://``, ``https://`` and ``www.`` start a link in plain text; cmark-gfm's domain check, and its
trailing punctuation and parenthesis rules, decide where it ends. The builder asks for the bare
URLs of an inline content outside the ranges that are already links, code spans or HTML.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

_BARE_TRIGGER_RE = re.compile(r"://|www\.")
_BARE_END_RE = re.compile(r"[ \t\n\v\f\r<]")
_BARE_SCHEMES = ("http", "https")
_ASCII_SPACE = " \t\n\v\f\r"
_BARE_TRAILING = "?!.,:*_~'\""
_BARE_WWW_PREFIXES = "*_~("
# An underscore in the last two domain labels disables a bare link unless the domain has more
# labels than this (cmark-gfm's guard against quadratic behaviour).
BARE_UNDERSCORE_LABEL_LIMIT = 10


def _is_host_char(char: str) -> bool:
    if char.isascii():
        return char.isalnum()
    category = unicodedata.category(char)
    return not (category[0] == "P" or category == "Zs")


def _check_domain(data: str, start: int, allow_short: bool) -> int:
    """End of the domain starting at ``start``, or -1; cmark-gfm's check_domain."""
    size = len(data) - start
    if size < 2:
        return -1
    periods = underscores_last = underscores_current = 0
    index = 1
    while index < size - 1:
        char = data[start + index]
        if char == "\\" and index < size - 2:
            index += 1
            char = data[start + index]
        if char == "_":
            underscores_current += 1
        elif char == ".":
            underscores_last = underscores_current
            underscores_current = 0
            periods += 1
        elif char != "-" and not _is_host_char(char):
            break
        index += 1
    if (underscores_last or underscores_current) and periods <= BARE_UNDERSCORE_LABEL_LIMIT:
        return -1
    if not allow_short and not periods:
        return -1
    return start + index


def _trim_bare(candidate: str) -> int:
    """Length of a bare URL after GFM's trailing punctuation rules; cmark-gfm's autolink_delim."""
    end = len(candidate)
    opening = candidate.count("(")
    closing = candidate.count(")")
    while end > 0:
        char = candidate[end - 1]
        if char == ")":
            if closing <= opening:
                return end
            closing -= 1
            end -= 1
        elif char in _BARE_TRAILING:
            end -= 1
        elif char == ";":
            if end < 2:
                return 0
            cut = end - 2
            while cut > 0 and candidate[cut].isascii() and candidate[cut].isalpha():
                cut -= 1
            end = cut if cut < end - 2 and candidate[cut] == "&" else end - 1
        else:
            return end
    return end


def _trigger_outside(content: str, skips: list[tuple[int, int]]) -> bool:
    """Whether a bare URL trigger ("://" or "www.") starts outside the sorted, disjoint ranges."""
    gap_start = 0
    for gap_end, next_start in [*skips, (len(content), len(content))]:
        # A trigger starting in [gap_start, gap_end) may end past gap_end.
        if gap_start < gap_end and (
            content.find("://", gap_start, gap_end + 2) >= 0
            or content.find("www.", gap_start, gap_end + 3) >= 0
        ):
            return True
        gap_start = next_start
    return False


def _bare_urls(content: str, skips: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the bare URLs GitHub links in ``content``, outside the skipped ranges."""
    found: list[tuple[int, int]] = []
    merged: list[tuple[int, int]] = []
    for start, end in sorted(skips):  # nested ranges (an image in a link) must not hide the outer
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    skips = merged
    if not _trigger_outside(content, skips):
        return found  # the usual case: every URL of the content is inside a link or code span
    skip_starts = [start for start, _ in skips]
    resume = 0
    for match in _BARE_TRIGGER_RE.finditer(content):
        trigger = match.start()
        if trigger < resume:
            continue
        # inside a code span, link, tag...?
        index = bisect_right(skip_starts, trigger) - 1
        if index >= 0 and skips[index][0] <= trigger < skips[index][1]:
            continue
        if match.group() == "://":
            begin = trigger
            while begin > 0 and content[begin - 1].isascii() and content[begin - 1].isalpha():
                begin -= 1
            scheme = content[begin:trigger].lower()
            if scheme not in _BARE_SCHEMES:
                continue
            host = trigger + 3
            if host >= len(content) or not _is_host_char(content[host]):
                continue
            domain_end = _check_domain(content, host, allow_short=True)
            minimum = host + 1
        else:
            begin = trigger
            if begin > 0 and not (
                content[begin - 1] in _ASCII_SPACE or content[begin - 1] in _BARE_WWW_PREFIXES
            ):
                continue
            domain_end = _check_domain(content, begin, allow_short=False)
            minimum = begin + 5
        if domain_end < 0:
            continue
        limit = skip_starts[index + 1] if index + 1 < len(skip_starts) else len(content)
        stop = _BARE_END_RE.search(content, domain_end, limit)
        end = stop.start() if stop else limit
        end = begin + _trim_bare(content[begin:end])
        if end < minimum:
            continue
        found.append((begin, end))
        resume = end
    return found
