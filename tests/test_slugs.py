from __future__ import annotations

import pytest

from linter.slugs import Slugger, slugify

# github-slugger's own fixture sequence (test/fixtures.json), run through ONE slugger in order:
# later expectations depend on the slugs handed out before them.
FIXTURE_SEQUENCE: list[tuple[str, str]] = [
    ("alpha", "alpha"),
    ("alpha", "alpha-1"),
    ("bravoCharlieDelta", "bravocharliedelta"),
    ("__proto__", "__proto__"),
    ("__proto__", "__proto__-1"),
    ("hasOwnProperty", "hasownproperty"),
    ("echo", "echo"),
    ("echo", "echo-1"),
    ("echo 1", "echo-1-1"),
    ("echo-1", "echo-1-2"),
    ("echo", "echo-2"),
    ("foxtrot-1", "foxtrot-1"),
    ("foxtrot", "foxtrot"),
    ("foxtrot", "foxtrot-2"),
    ("heading with a - dash", "heading-with-a---dash"),
    ("heading with an _ underscore", "heading-with-an-_-underscore"),
    ("heading with a period.txt", "heading-with-a-periodtxt"),
    (
        "exchange.bind_headers(exchange, routing [, bindCallback])",
        "exchangebind_headersexchange-routing--bindcallback",
    ),
    (" ", "-"),
    (" a", "-a"),
    ("a ", "a-"),
    (" a ", "-a-"),
    ("-a-", "-a--1"),
    ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
    ("golf", "golf"),
    ("golf", "golf-1"),
    ("golf", "golf-2"),
    ("I ♥ unicode", "i--unicode"),
    ("dash-dash", "dash-dash"),
    ("en–dash", "endash"),
    ("em–dash", "emdash"),
    ("😄 unicode emoji", "-unicode-emoji"),
    ("😄-😄 unicode emoji", "--unicode-emoji"),
    ("😄_😄 unicode emoji", "_-unicode-emoji"),
    ("😄 - an emoji", "---an-emoji"),
    (":smile: - a gemoji", "smile---a-gemoji"),
    ("Привет", "привет"),
    ("Профили пользователей", "профили-пользователей"),
    ("Привет non-latin 你好", "привет-non-latin-你好"),
    (":ok: No underscore", "ok-no-underscore"),
    (":ok_hand: Single", "ok_hand-single"),
    (
        ":ok_hand::hatched_chick: Two in a row with no spaces",
        "ok_handhatched_chick-two-in-a-row-with-no-spaces",
    ),
    (":ok_hand: :hatched_chick: Two in a row", "ok_hand-hatched_chick-two-in-a-row"),
]


def test_github_slugger_fixture_sequence() -> None:
    slugger = Slugger()
    assert [slugger.slug(text) for text, _ in FIXTURE_SEQUENCE] == [
        expected for _, expected in FIXTURE_SEQUENCE
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Unicode general categories (samples from github-slugger's per-category fixtures)
        ("a» ’ ” › ⸃ ⸅ ⸊ ⸍ ⸝ ⸡b", "a---------b"),  # Final_Punctuation: removed
        ("a« ‘ ‛ “ ‟ ‹ ⸂ ⸄ ⸉ ⸌ ⸜ ⸠b", "a-----------b"),  # Initial_Punctuation: removed
        ("a- ֊ ־ ᐀ ᠆ ‐ ‑ ‒ – — ― ⸗b", "a------------b"),  # Dash_Punctuation: only '-' kept
        ("a_ ‿ ⁀ ⁔ ︳ ︴ ﹍ ﹎ ﹏ ＿b", "a_-‿-⁀-⁔-︳-︴-﹍-﹎-﹏-＿b"),  # Connector: kept
        ("a$ ¢ £ € ₿b", "a----b"),  # Currency_Symbol: removed
        ("a+ = | ± ÷ ∑b", "a-----b"),  # Math_Symbol: removed
        ("a0 1 ١ ०b", "a0-1-١-०b"),  # Decimal_Number: kept
        ("a² ¹ ½ ①b", "a---b"),  # Other_Number: removed
        ("aⅠ Ⅱ ↂb", "aⅰ-ⅱ-ↂb"),  # Letter_Number: kept (and lower-cased)
        ("à ̅ ҈b", "à-̅-҈b"),  # Marks: kept
        ("aʰ ˆ ー々b", "aʰ-ˆ-ー々b"),  # Modifier_Letter: kept
        ("a^ ` ¨ 🏻b", "a---b"),  # Modifier_Symbol: removed
        ("a\u00ad\u200b\u2060b", "ab"),  # Format: removed
        ("a\u2028b", "ab"),  # Line_Separator: removed
        ("a\u2029b", "ab"),  # Paragraph_Separator: removed
        ("a\u00a0\u2003\u3000b", "ab"),  # Space_Separator other than ' ': removed
        ("a\ue000\U000f0000b", "ab"),  # Private_Use: removed
        ("a\x00\t\nb", "ab"),  # Control: removed (a tab or newline is not a space here)
        ("aⒺ Ⓣ ⓘ 🄺 🅙 🅨 🅻 ☎ 🤣b", "aⓔ-ⓣ-ⓘ-🄺-🅙-🅨-🅻--b"),  # alphabetic symbols survive
        ("SpacTor-T5: Pre-training", "spactor-t5-pre-training"),
        ("Paper & Projects", "paper--projects"),
        ("ðŸŒ² classic papers", "ðÿœ-classic-papers"),  # mojibake: ² is Other_Number
    ],
)
def test_slugify_unicode_categories(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_keeps_case_when_asked() -> None:
    assert slugify("Hello World", maintain_case=True) == "Hello-World"


def test_suffixed_slug_is_registered_itself() -> None:
    slugger = Slugger()
    assert [slugger.slug(text) for text in ("a", "a", "a-1")] == ["a", "a-1", "a-1-1"]


def test_reset_forgets_previous_slugs() -> None:
    slugger = Slugger()
    slugger.slug("Other")
    slugger.reset()
    assert slugger.slug("Other") == "other"


def test_empty_heading_gives_empty_slug_then_suffixes() -> None:
    slugger = Slugger()
    assert [slugger.slug(""), slugger.slug("!"), slugger.slug("")] == ["", "-1", "-2"]
