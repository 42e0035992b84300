"""What the builder reads out of one inline content before it makes the public model of it.

An :class:`_Atom` is a piece of text that may become part of a :class:`~linter.document.TextSpan`
or of a title; a :class:`_LinkRecord` is a link that becomes a :class:`~linter.document.Link`
once the document's links are sorted. Both are in content offsets, and both are read by the title
extraction as well as by the builder, which is why they live apart from either.
"""

from __future__ import annotations

from operator import attrgetter

from markdown_it.token import Token

from linter.document.model import LinkKind, Span


class _Atom:
    """One piece of inline text, in content coordinates."""

    __slots__ = ("code", "offset", "owner", "text", "verbatim")

    def __init__(
        self, offset: int, text: str, owner: int | None, verbatim: bool, code: bool
    ) -> None:
        self.offset = offset  # -1 when unknown
        self.text = text
        self.owner = owner  # the link record whose label contains it
        self.verbatim = verbatim  # text equals the source it was read from
        self.code = code


class _LinkRecord:
    """A link found in one inline token, before it becomes a Link."""

    __slots__ = (
        "has_image",
        "has_text",
        "image",
        "image_only",
        "kind",
        "offset",
        "parts",
        "span",
        "target",
        "text",
        "text_offset",
        "token",
    )

    def __init__(
        self,
        offset: int,
        kind: LinkKind,
        target: str,
        span: Span | None,
        image: bool = False,
        token: Token | None = None,
    ) -> None:
        self.offset = offset
        self.kind = kind
        self.target = target
        self.span = span
        self.image = image
        self.token = token
        self.text = ""
        self.parts: list[str] = []
        self.text_offset: int | None = None  # first non-blank text inside the label
        self.has_text = False
        self.has_image = False
        self.image_only = False

    def add_text(self, offset: int, text: str) -> None:
        """A piece of the label's text; ``offset`` is -1 when unknown."""
        self.parts.append(text)
        if text.strip():
            self.has_text = True
            if self.text_offset is None and offset >= 0:
                self.text_offset = offset + len(text) - len(text.lstrip())

    @property
    def counts_as_first(self) -> bool:
        """Images, badge-only and emoji-only links do not count as an entry's first link."""
        if self.image or self.image_only:
            return False
        if self.kind in (LinkKind.AUTOLINK, LinkKind.BARE):
            return True
        return any(char.isalnum() for char in self.text)


_record_offset = attrgetter("offset")
