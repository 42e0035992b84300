"""IPv4 addresses as URL hosts spell them, read the way browsers (the WHATWG URL standard) and
``inet_aton`` read them.

A host is more than the dotted quad ``127.0.0.1``: ``127.1``, ``2130706433``, ``0x7f000001``,
``017700000001``, ``0x7f.1`` and ``127.0.0.1.`` are all 127.0.0.1 to a browser and to the system
resolver. The offline URL check (PL104) and the link checker's private-address guard must agree on
that, or a spelling slips through one of them: this is the one place that reads them.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache

_DIGITS = {8: re.compile(r"[0-7]*"), 10: re.compile(r"[0-9]+"), 16: re.compile(r"[0-9A-Fa-f]*")}


# A list names the same few hosts hundreds of times (and the checker reads each URL's host twice).
@lru_cache(maxsize=4096)
def ipv4_host(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address that ``host`` (a URL host, without port or brackets) spells, or None when
    it is a domain name. Raises ValueError when it ends in a number but is no IPv4 address
    (``1.2.3.4.5``, ``256.1.1.1``, ``999999999999``, ``example.123``): browsers reject such a
    URL, and a resolver may read it in its own way."""
    if not host.isascii():
        # IDNA maps full-width digits and dots to ASCII before this test (yarl does it when the
        # URL is fetched), so ``１２７.1`` is 127.0.0.1 too.
        host = unicodedata.normalize("NFKC", host).replace("\u3002", ".")
    parts = host.split(".")
    if len(parts) > 1 and not parts[-1]:
        parts.pop()  # one trailing dot, as in a fully qualified name
    # WHATWG's "ends in a number": the last label is digits (even 09, no octal) or a hex number.
    if not _DIGITS[10].fullmatch(parts[-1]) and _number(parts[-1]) is None:
        return None
    numbers = [_number(part) for part in parts]
    if len(parts) > 4 or None in numbers:
        raise ValueError(f"'{host}' is not an IPv4 address")
    # The last part fills the bytes the others leave: 127.1 is 127.0.0.1.
    *leading, final = [number for number in numbers if number is not None]
    if any(number > 255 for number in leading) or final >= 256 ** (4 - len(leading)):
        raise ValueError(f"'{host}' is not an IPv4 address")
    value = final
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _number(part: str) -> int | None:
    """One part: decimal, octal with a leading 0, or hex with 0x (``0x`` alone is 0)."""
    radix, digits = 10, part
    if part[:2].lower() == "0x":
        radix, digits = 16, part[2:]
    elif len(part) > 1 and part.startswith("0"):
        radix, digits = 8, part[1:]
    # Not int() alone: it also takes "+1", " 1" and "1_0".
    if not part or not _DIGITS[radix].fullmatch(digits):
        return None
    return int(digits, radix) if digits else 0
