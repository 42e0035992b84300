from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter import reading
from linter.document import Document
from linter.findings import Edit, Hit
from linter.reading import Decoded, decode
from linter.rules import RULES, encoding, rule_examples
from linter.rules.base import RuleContext
from linter.rules.encoding import check_document, decode_hits, find_mojibake

DATA = Path(__file__).resolve().parent.parent / "data" / "encoding"
SEEDS = DATA.parent / "seeds"
CTX = RuleContext()


def lines_of(text: str) -> list[str]:
    # Markdown line breaks only: str.splitlines() would also split at \x85 and \x1c-\x1e, which
    # latin-1 mojibake contains.
    return re.split(r"\r\n|\r|\n", text)


def doc(text: str, lossy: bool = False) -> Document:
    return Document(path="list.md", source=text, lines=lines_of(text), lossy=lossy)


def hits(text: str, lossy: bool = False) -> list[Hit]:
    return list(check_document(doc(text, lossy), CTX))


def spans(line: str) -> list[tuple[int, str, str, tuple[str, ...]]]:
    return [(m.start, m.text, m.repaired, m.wrong) for m in find_mojibake(line)]


# --------------------------------------------------------------------------------------------------
# decode / PL403


def test_decode_plain_utf8_keeps_crlf_and_cr() -> None:
    assert decode("a\r\nb\rc\nñ".encode()) == Decoded(text="a\r\nb\rc\nñ")


def test_decode_ascii_and_empty() -> None:
    assert decode(b"") == Decoded(text="")
    assert decode(b"# x\n") == Decoded(text="# x\n")


def test_decode_strips_a_leading_bom_only() -> None:
    decoded = decode(b"\xef\xbb\xbf# T\xc3\xa9\r\n\xef\xbb\xbf")
    assert decoded.text == "# Té\r\n\ufeff"
    assert decoded.bom is True
    assert decoded.invalid == ()


def test_decode_an_encoded_replacement_character_is_valid() -> None:
    decoded = decode("caf\ufffd".encode())
    assert decoded == Decoded(text="caf\ufffd")


def test_decode_cp1252_fixture() -> None:
    decoded = decode((DATA / "cp1252.md").read_bytes())
    assert decoded.text == (
        "# Caf\ufffd reading list\r\n\r\n- [R\ufffdsum\ufffd of na\ufffdve methods]"
        "(https://example.org/a.pdf) \ufffd by Jos\ufffd\r\n"
    )
    assert decoded.invalid == ((1, 6), (3, 5), (3, 9), (3, 16), (3, 56), (3, 64))
    assert (decoded.invalid_count, decoded.invalid_bytes) == (6, 6)
    assert decoded.guess == "cp1252"
    assert [(h.code, h.line, h.column, h.message) for h in decode_hits(decoded)] == [
        (
            "PL403",
            1,
            6,
            "not valid UTF-8 (6 invalid bytes, first at line 1 col 6); looks like cp1252",
        )
    ]


def test_decode_mac_roman_fixture() -> None:
    decoded = decode((DATA / "macroman.md").read_bytes())
    assert decoded.invalid == ((3, 5), (3, 13), (3, 51), (3, 57))
    assert decoded.guess == "Mac Roman"
    assert [h.message for h in decode_hits(decoded)] == [
        "not valid UTF-8 (4 invalid bytes, first at line 3 col 5); looks like Mac Roman"
    ]


def test_decode_gbk_fixture() -> None:
    decoded = decode((DATA / "gbk.md").read_bytes())
    assert decoded.invalid_count == 24
    assert decoded.invalid[0] == (1, 3)
    assert decoded.guess == "GBK/GB18030"


@pytest.mark.parametrize(
    ("text", "codec", "guess"),
    [
        ("Müller und Björn Schäfer: Über die Größe großer Modelle", "latin-1", "cp1252/latin-1"),
        ("Sébastien et Clémentine : « L’apprentissage à grande échelle »", "cp1252", "cp1252"),
        ("José Hernández, Íñigo Martínez y Ana Muñoz", "mac_roman", "Mac Roman"),
        ("Åsa Öberg och Kjell Ärlig — Förbättrad inlärning", "mac_roman", "Mac Roman"),
        ("# 大規模語言模型的訓練方法\n- [注意力就是你所需要的一切](x)", "big5", "Big5"),
        ("# 논문 목록\n- [주의만 있으면 된다](x)", "euc_kr", "EUC-KR"),
        ("# 論文リスト\n- [アテンションこそが必要なすべて](x)", "shift_jis", "Shift_JIS"),
        ("# 論文リスト\n- [アテンションこそが必要なすべて](x)", "euc_jp", "EUC-JP"),
    ],
)
def test_decode_guesses_the_legacy_encoding(text: str, codec: str, guess: str) -> None:
    assert decode(text.encode(codec)).guess == guess


def test_decode_truncated_utf8() -> None:
    decoded = decode(b"ok \xe2\x80\nnext")
    assert decoded.text == "ok \ufffd\nnext"
    assert (decoded.invalid, decoded.invalid_count, decoded.invalid_bytes) == (((1, 4),), 1, 2)
    assert [h.message for h in decode_hits(decoded)] == [
        "not valid UTF-8 (2 invalid bytes, first at line 1 col 4); looks like truncated UTF-8"
    ]


def test_decode_single_invalid_byte_message_is_singular() -> None:
    decoded = decode(b"x\r\n\r\n  caf\xe9!")
    assert decoded.invalid == ((3, 6),)
    assert [h.message for h in decode_hits(decoded)] == [
        "not valid UTF-8 (1 invalid byte, first at line 3 col 6); looks like cp1252/latin-1"
    ]


def test_decode_positions_count_lines_like_markdown() -> None:
    decoded = decode(b"x\r\ry\xff\xfe\r\n\xc3")
    assert decoded.text == "x\r\ry\ufffd\ufffd\r\n\ufffd"
    assert decoded.invalid == ((3, 2), (3, 3), (4, 1))


def test_decode_positions_count_code_points_after_a_bom() -> None:
    decoded = decode(b"\xef\xbb\xbf\xf0\x9f\x8c\xb2 \xe5\xbd\xb1 \xe9")
    assert decoded.text == "🌲 影 \ufffd"
    assert decoded.invalid == ((1, 5),)


def test_decode_keeps_a_bounded_number_of_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_INVALID_POSITIONS", 3)
    decoded = decode(b"\xe9" * 10 + b"\n" + b"\xe9" * 5)
    assert decoded.invalid == ((1, 1), (1, 2), (1, 3))
    assert (decoded.invalid_count, decoded.invalid_bytes) == (15, 15)
    assert decoded.text == "\ufffd" * 10 + "\n" + "\ufffd" * 5


def test_decode_guess_looks_past_a_valid_utf8_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "GUESS_SAMPLE_BYTES", 64)
    data = "Straße ".encode() * 40 + b"\nJ\x9frgen \x8et\x8e Kr\x97l"
    decoded = decode(data)
    assert decoded.invalid[0] == (2, 2)
    assert decoded.guess == "Mac Roman"


def test_decode_binary() -> None:
    assert decode(b"a\x00b").binary is True
    utf16 = decode((DATA / "binary.md").read_bytes())
    assert utf16.binary is True
    assert utf16.guess == "UTF-16"
    # The engine reports and skips binary files itself.
    assert list(decode_hits(utf16)) == []


def test_decode_valid_file_gives_no_hit() -> None:
    assert list(decode_hits(decode("# Café\n".encode()))) == []


def test_decode_never_raises_on_arbitrary_bytes() -> None:
    data = bytes(range(256)) * 50
    decoded = decode(data)
    assert decoded.binary is True
    assert decoded.text == data.decode("utf-8", "replace")
    assert decoded.invalid_count == decoded.text.count("\ufffd")


# --------------------------------------------------------------------------------------------------
# PL401 mojibake: the repair table

MOJIBAKE = [
    # (damaged line, span start, span text, repaired, how it was misread)
    # cp1252, 2-byte sequences
    ("cafÃ©", 0, "cafÃ©", "café", "cp1252"),
    ("naÃ¯ve Bayes", 0, "naÃ¯ve", "naïve", "cp1252"),
    ("Ã–sterreich", 0, "Ã–sterreich", "Österreich", "cp1252"),
    ("Ä°stanbul", 0, "Ä°stanbul", "İstanbul", "cp1252"),
    ("by PaweÅ‚ Nowak", 3, "PaweÅ‚", "Paweł", "cp1252"),
    ("Î²-VAE", 0, "Î²", "β", "cp1252"),
    ("Ã…ngstrÃ¶m", 0, "Ã…ngstrÃ¶m", "Ångström", "cp1252"),
    ("DvoÅ™Ã¡k", 0, "DvoÅ™Ã¡k", "Dvořák", "cp1252"),
    ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚!", 0, "Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет", "cp1252"),
    ("Î•Î»Î»Î·Î½Î¹ÎºÎ¬", 0, "Î•Î»Î»Î·Î½Î¹ÎºÎ¬", "Ελληνικά", "cp1252"),
    ("voilÃ\xa0", 0, "voilÃ\xa0", "voilà", "cp1252"),
    # cp1252, 3-byte sequences
    ("Googleâ€™s", 0, "Googleâ€™s", "Google’s", "cp1252"),
    ("deai â€“ part 1", 5, "â€“", "–", "cp1252"),
    ("å½±æ£® content", 0, "å½±æ£®", "影森", "cp1252"),
    ("æ—¥æœ¬èªž", 0, "æ—¥æœ¬èªž", "日本語", "cp1252"),
    ("í•œêµ\xadì–´", 0, "í•œêµ\xadì–´", "한국어", "cp1252"),
    ("à¸\xa0à¸²à¸©à¸²à¹„à¸—à¸¢", 0, "à¸\xa0à¸²à¸©à¸²à¹„à¸—à¸¢", "ภาษาไทย", "cp1252"),
    ("â€œquotedâ€\x9d", 0, "â€œquotedâ€\x9d", "“quoted”", "cp1252"),
    ("Å\x81Ã³dÅº", 0, "Å\x81Ã³dÅº", "Łódź", "cp1252"),
    # cp1252, 4-byte sequences
    ("ðŸŒ² classic", 0, "ðŸŒ²", "🌲", "cp1252"),
    ("love â\x9d¤ï¸\x8f", 5, "â\x9d¤ï¸\x8f", "❤️", "latin-1"),
    # latin-1 (C1 control characters instead of cp1252 punctuation)
    ("Ã\x89cole", 0, "Ã\x89cole", "École", "latin-1"),
    ("itâ\x80\x99s", 0, "itâ\x80\x99s", "it’s", "latin-1"),
    # Mac Roman, 2-byte sequences
    ("Jean-Fran√ßois Kagy", 5, "Fran√ßois", "François", "Mac Roman"),
    ("Gao* ¬∑ ([jiqizhixin]", 5, "¬∑", "·", "Mac Roman"),
    ("Ahmet √úst√ºn,", 6, "√úst√ºn", "Üstün", "Mac Roman"),
    ("Micha≈Ç Krutul", 0, "Micha≈Ç", "Michał", "Mac Roman"),
    ("Piotr Piƒôkos", 6, "Piƒôkos", "Piękos", "Mac Roman"),
    ("Stra√üe", 0, "Stra√üe", "Straße", "Mac Roman"),
    ("d'o√π vient", 2, "o√π", "où", "Mac Roman"),
    ("at 25¬∞C", 3, "25¬∞C", "25°C", "Mac Roman"),
    ("Œ±-divergence", 0, "Œ±", "α", "Mac Roman"),
    ("–ü—Ä–∏–≤–µ—Ç", 0, "–ü—Ä–∏–≤–µ—Ç", "Привет", "Mac Roman"),
    ("≈Å√≥d≈∫", 0, "≈Å√≥d≈∫", "Łódź", "Mac Roman"),
    # Mac Roman, 3-byte sequences
    (
        "[Ë¥´Á©∑ËÆ©ÊàëÈ¢ÑËÆ≠ÁªÉ](https://x)",
        1,
        "Ë¥´Á©∑ËÆ©ÊàëÈ¢ÑËÆ≠ÁªÉ",
        "贫穷让我预训练",
        "Mac Roman",
    ),
    ("Google‚Äôs", 0, "Google‚Äôs", "Google’s", "Mac Roman"),
    ("wait‚Ä¶", 0, "wait‚Ä¶", "wait…", "Mac Roman"),
    ("Êó•Êú¨Ë™û", 0, "Êó•Êú¨Ë™û", "日本語", "Mac Roman"),
    # Mac Roman, 4-byte sequences (the Apple logo is the byte 0xF0)
    ("mlabonne \uf8ffü§ó", 9, "\uf8ffü§ó", "🤗", "Mac Roman"),
    ("\uf8ffüòÄ!", 0, "\uf8ffüòÄ", "😀", "Mac Roman"),
    # Mac Roman before Mac OS 8.5: 0xDB was ¤, not €
    ("¤Å¤í", 0, "¤Å¤í", "ہے", "Mac Roman"),
    # decoded wrongly more than once
    ("doesnÃ¢â‚¬â„¢t", 0, "doesnÃ¢â‚¬â„¢t", "doesn’t", "cp1252 twice"),
    ("cafÃƒÂ©", 0, "cafÃƒÂ©", "café", "cp1252 twice"),
    ("ÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢", 0, "ÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢", "’", "cp1252 3 times"),
    ("caf‚àö¬©", 0, "caf‚àö¬©", "café", "Mac Roman twice"),
]


@pytest.mark.parametrize(("line", "start", "text", "repaired", "wrong"), MOJIBAKE)
def test_mojibake_is_repaired(line: str, start: int, text: str, repaired: str, wrong: str) -> None:
    assert spans(line) == [(start, text, repaired, (wrong,))]


def test_mojibake_table_is_real_mojibake() -> None:
    # Each single-round entry is what the wrong codec really makes of the repaired text.
    def damage(text: str, wrong: str) -> str:
        data = text.encode()
        if wrong == "Mac Roman":
            return data.decode("mac_roman")
        if wrong == "latin-1":
            return data.decode("latin-1")
        # cp1252 as browsers and Windows read it: its five undefined bytes stay C1 controls.
        return "".join(
            chr(byte) if byte in b"\x81\x8d\x8f\x90\x9d" else bytes([byte]).decode("cp1252")
            for byte in data
        )

    checked = [
        (text, damage(repaired, wrong))
        for _line, _start, text, repaired, wrong in MOJIBAKE
        if wrong in ("cp1252", "latin-1", "Mac Roman") and "¤" not in text
    ]
    assert len(checked) >= 35
    assert [text for text, _ in checked] == [damaged for _, damaged in checked]


def test_mojibake_table_size() -> None:
    assert len(MOJIBAKE) >= 20
    assert {wrong.split()[0] for *_, wrong in MOJIBAKE} >= {"cp1252", "latin-1", "Mac"}


LEGITIMATE = [
    # accents of many languages
    "café au lait", "naïve Bayes", "Größe und Straße", "Jürgen Müller", "Ærøskøbing", "Øresund",
    "Åsa Öberg", "São Paulo", "AÇÃO E REAÇÃO", "IRMÃ” said", "pâté", "Âge de pierre", "Ångström",
    "Œuvre complète", "cœur et sœur", "l’école", "d’été", "«élan»", "“élan”", "«\xa0été\xa0»",
    "été\xa0»", "déjà\xa0!", "à\xa0la", "evenášši.no", "Dvořák", "Łódź", "Kraków", "Ελληνικά",
    "Русский язык", "Tiếng Việt", "Türkçe ığüşöç", "İstanbul", "Ağaç", "Čeština", "Ľudovít",
    "Björk Guðmundsdóttir", "Þjóðverjar", "ÉCOLE", "ÑANDÚ", "Þórr", "Ðð", "Æsir", "Èze", "Ìsola",
    "ça va", "ÇA", "¿Qué?", "¡Hola!", "Zürich", "“Über”", "—à", "l’éléphant", "NAÏVE", "ÎLE",
    "CAFÉ’s menu", "KÖLN” und", "ß’s", "Ö’s", "„Äpfel“", "„Über“", "‚single‘", "Hernández",
    "Íñigo Muñoz", "Łukasz Kaiser", "Paweł",
    # other scripts
    "日本語のテキスト", "中文文本", "한국어", "עברית", "العربية", "हिन्दी", "ภาษาไทย", "影森",
    # math and symbols
    "√2", "x = √π/2", "Γ(1/2) = √π", "≈ 3", "≈π", "± 0.5", "∑_i x_i", "√∑ x", "≤ ≥ ≠", "3 × 4",
    "a×b", "£100", "€50", "© 2023", "25 °C", "a · b", "x·y", "10 µm", "Ω·m", "¬p ∧ q", "∆x", "∆µ",
    "α-β", "ε ≤ δ", "µ±σ", "∂f/∂x", "∏∑∫", "™ ®", "§ 101", "¶", "'%&*+-/<=>\\^|~¬±×÷'",
    # punctuation and emoji
    "— dash —", "a – b", "wait…", "‹ › « »", "ﬁ ﬂ", "🌲 emoji", "👍🏽", "❤️", "🤗",
    # letter lists
    "œàâçèéîïùûêŒÀÂÇÈÉÎÏÙÛÊ", "Ÿ ÿ Õ Ô Ŝ Ř Ő Ű",
]  # fmt: skip


@pytest.mark.parametrize("line", LEGITIMATE)
def test_legitimate_text_is_never_flagged(line: str) -> None:
    assert find_mojibake(line) == []
    assert hits(f"- [{line}](https://example.org/x.pdf) {line}") == []


def test_legitimate_table_size() -> None:
    assert len(LEGITIMATE) >= 40


# --------------------------------------------------------------------------------------------------
# PL401: spans, positions, hits


def test_mojibake_hit_has_exact_position_message_fix_and_edit() -> None:
    text = "# Authors\n\n\t *Ke Ye, Jean-Fran√ßois Kagy*\n"
    assert hits(text) == [
        Hit(
            "PL401",
            3,
            16,
            'mojibake "Fran√ßois" should be "François" (UTF-8 read as Mac Roman)',
            suggestion="François",
            edit=Edit(3, 16, 3, 25, "François"),
        )
    ]


def test_mac_roman_repaired_on_lines_with_emoji_and_cjk() -> None:
    line = "🌲 影森 Jean-Fran√ßois ¬∑ 日本語 Ë¥´Á©∑ 👍🏽"
    found = hits(line)
    assert [(h.line, h.column, h.suggestion, h.edit) for h in found] == [
        (1, 11, "François", Edit(1, 11, 1, 20, "François")),
        (1, 21, "·", Edit(1, 21, 1, 23, "·")),
        (1, 28, "贫穷", Edit(1, 28, 1, 34, "贫穷")),
    ]
    # The edits really repair the line.
    repaired = line
    for hit in reversed(found):
        assert hit.edit is not None
        repaired = (
            repaired[: hit.edit.column - 1]
            + hit.edit.replacement
            + repaired[hit.edit.end_column - 1 :]
        )
    assert repaired == "🌲 影森 Jean-François · 日本語 贫穷 👍🏽"


def test_two_codecs_on_one_line() -> None:
    assert spans("Googleâ€™s Spanner by Jean-Fran√ßois") == [
        (0, "Googleâ€™s", "Google’s", ("cp1252",)),
        (27, "Fran√ßois", "François", ("Mac Roman",)),
    ]


def test_a_space_separates_spans() -> None:
    # An ASCII space is never part of a UTF-8 sequence: two damaged words, two findings.
    assert spans("Ë¥´Á©∑ ËÆ©Êàë") == [
        (0, "Ë¥´Á©∑", "贫穷", ("Mac Roman",)),
        (7, "ËÆ©Êàë", "让我", ("Mac Roman",)),
    ]


def test_a_no_break_space_inside_a_sequence_belongs_to_the_span() -> None:
    # 0xA0 is a continuation byte: "Ã" + no-break space is "à".
    assert spans("voilÃ\xa0 tout") == [(0, "voilÃ\xa0", "voilà", ("cp1252",))]


def test_ascii_letters_and_digits_join_the_word() -> None:
    assert spans("ÊúâË¢´SFTÊï∞ÊçÆ, next") == [(0, "ÊúâË¢´SFTÊï∞ÊçÆ", "有被SFT数据", ("Mac Roman",))]
    # Punctuation does not: the anchor keeps its hyphen and the rest.
    assert spans("(#ðŸŒ²-classic-papers)") == [(2, "ðŸŒ²", "🌲", ("cp1252",))]


def test_long_span_message_is_cut_and_invisible_characters_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(encoding, "MESSAGE_TEXT_LIMIT", 8)
    [hit] = hits("mlabonne \uf8ffü§ó")
    assert hit.message == 'mojibake "\\uf8ffü§ó" should be "🤗" (UTF-8 read as Mac Roman)'
    [hit] = hits("Ë¥´Á©∑ËÆ©ÊàëÈ¢ÑËÆ≠ÁªÉ")
    assert hit.message == 'mojibake "Ë¥´Á©∑Ë…" should be "贫穷让我预训练" (UTF-8 read as Mac Roman)'
    [hit] = hits("Ã\x89cole")
    assert hit.message == 'mojibake "Ã\\x89cole" should be "École" (UTF-8 read as latin-1)'


def test_mojibake_in_crlf_document() -> None:
    text = "# T\r\n\r\n- [Googleâ€™s](x)\r\n"
    assert [(h.line, h.column, h.suggestion) for h in hits(text)] == [(3, 4, "Google’s")]


def test_huge_lines_do_not_raise() -> None:
    line = "Ã©" * 50_000 + "x" + "√" * 10_000 + "ð" * 10_000 + "Ã" * 10_000
    [span] = find_mojibake(line)
    assert span.repaired == "é" * 50_000 + "x"
    assert find_mojibake("\x00\x85\u2028\ufffd" * 1000) == []


# --------------------------------------------------------------------------------------------------
# PL402 replacement-character


def test_each_replacement_character_is_reported() -> None:
    text = "# ok\n- [Caf\ufffd culture](x) \ufffd\ufffd\n"
    assert hits(text) == [
        Hit(
            "PL402",
            2,
            7,
            "replacement character U+FFFD: the original character was lost; retype it",
        ),
        Hit(
            "PL402",
            2,
            21,
            "replacement character U+FFFD: the original character was lost; retype it",
        ),
        Hit(
            "PL402",
            2,
            22,
            "replacement character U+FFFD: the original character was lost; retype it",
        ),
    ]


def test_replacement_characters_of_a_lossy_file_are_not_reported() -> None:
    assert hits("- [Caf\ufffd](x)\n", lossy=True) == []
    # ... but mojibake still is.
    assert [h.code for h in hits("- [Caf\ufffd Ã©tÃ©](x)\n", lossy=True)] == ["PL401"]


def test_replacement_character_next_to_mojibake() -> None:
    assert sorted((h.column, h.code) for h in hits("Ã©\ufffdÃ©")) == [
        (1, "PL401"),
        (3, "PL402"),
        (4, "PL401"),
    ]


def test_fixture_with_bom_and_crlf() -> None:
    decoded = decode((DATA / "bom_crlf.md").read_bytes())
    assert decoded.bom is True
    assert list(decode_hits(decoded)) == []
    found = hits(decoded.text)
    assert [(h.code, h.line, h.column, h.suggestion) for h in found] == [
        ("PL401", 3, 4, "Google’s"),
        ("PL401", 3, 65, "François"),
        ("PL402", 3, 75, None),
    ]


def test_pure_ascii_document_has_no_hits() -> None:
    assert hits("# List\n\n- [Attention](https://arxiv.org/abs/1706.03762)\n" * 50) == []


# --------------------------------------------------------------------------------------------------
# Documentation examples


def test_codes() -> None:
    assert encoding.FAMILY.codes == ("PL401", "PL402", "PL403")


@pytest.mark.parametrize("code", ["PL401", "PL402", "PL403"])
def test_documentation_examples(code: str) -> None:
    examples = rule_examples(RULES[code])
    assert "passing" in examples
    passing = examples["passing"]
    assert list(decode_hits(decode(passing.encode()))) == []
    assert [h for h in hits(passing) if h.code == code] == []
    if code != "PL403":  # a failing example of PL403 takes bytes that are not UTF-8
        assert [h.code for h in hits(examples["failing"]) if h.code == code] != []


# --------------------------------------------------------------------------------------------------
# Seeds

SEED_HITS: dict[str, list[tuple[int, int, str, str]]] = {
    "000": [
        (5, 4, "å½±æ£®", "影森"),
        (9, 3, "ðŸŒ²", "🌲"),
        (9, 26, "ðŸŒ²", "🌲"),
        (10, 3, "ðŸŒ²", "🌲"),
        (10, 47, "ðŸŒ²", "🌲"),
        (11, 3, "ðŸŒ²", "🌲"),
        (11, 18, "ðŸŒ²", "🌲"),
        (12, 3, "ðŸŒ²", "🌲"),
        (12, 23, "ðŸŒ²", "🌲"),
        (13, 3, "ðŸŒ²", "🌲"),
        (13, 36, "ðŸŒ²", "🌲"),
        (14, 3, "ðŸŒ²", "🌲"),
        (14, 40, "ðŸŒ²", "🌲"),
        (15, 3, "ðŸŒ²", "🌲"),
        (15, 41, "ðŸŒ²", "🌲"),
        (21, 4, "ðŸŒ²", "🌲"),
        (36, 4, "ðŸŒ²", "🌲"),
        (79, 4, "ðŸŒ²", "🌲"),
        (94, 4, "ðŸŒ²", "🌲"),
        (106, 4, "ðŸŒ²", "🌲"),
        (118, 4, "ðŸŒ²", "🌲"),
        (130, 4, "ðŸŒ²", "🌲"),
    ],
    "001": [],
    # The brief expected none here, but "deai â€“ part 1" is cp1252 mojibake of an en dash.
    "002": [(19, 9, "â€“", "–")],
    "003": [(44, 13, "Googleâ€™s", "Google’s")],
    "004": [
        (28, 87, "Fran√ßois", "François"),
        (39, 22, "√úst√ºn", "Üstün"),
        (44, 4, "Ë¥´Á©∑ËÆ©ÊàëÈ¢ÑËÆ≠ÁªÉ", "贫穷让我预训练"),
        (120, 133, "Cl√©mentine", "Clémentine"),
        (191, 4, "OpenAIË∂ÖÁ∫ßÂØπÈΩêË¥üË¥£‰∫∫Jan", "OpenAI超级对齐负责人Jan"),
        (191, 35, "LeikeÔºöÂ¶Ç‰ΩïÁ†¥Ëß£ÂØπÈΩêÈöæÈ¢òÔºüÁî®ÂèØÊâ©Â±ïÁõëÁù£",
         "Leike：如何破解对齐难题？用可扩展监督"),
        (193, 4, "ÊúâË¢´Ê∑∑ÂêàÂêéÁöÑSFTÊï∞ÊçÆ‰º§Âà∞", "有被混合后的SFT数据伤到"),
        (194, 4, "OpenAIÁöÑSuperalignmentÁ≠ñÁï•ÔºöËÆ°ÁÆó‰∏∫Áéã",
         "OpenAI的Superalignment策略：计算为王"),
        (195, 4, "ÂΩì", "当"),
        (195, 15, "ËØ¥", "说"),
        (195, 34, "ËØ¥ÁöÑÊòØ‰ªÄ‰πà", "说的是什么"),
        (196, 4,
         "Áî®AIÂØπÈΩêAIÔºüË∂ÖÁ∫ßÂØπÈΩêÂõ¢ÈòüÈ¢ÜÂØº‰∫∫ËØ¶Ëß£OpenAIÂØπÈΩêË∂ÖÁ∫ßÊô∫ËÉΩÂõõÂπ¥ËÆ°Âàí",
         "用AI对齐AI？超级对齐团队领导人详解OpenAI对齐超级智能四年计划"),
        (196, 92, "Êú∫Âô®‰πãÂøÉ", "机器之心"),
        (197, 4, "È¢ÜÂüüÂ§ßÊ®°Âûã", "领域大模型"),
        (197, 20, "ËÆ≠ÁªÉTrick", "训练Trick"),
        (197, 32, "ËêΩÂú∞ÊÄùËÄÉ", "落地思考"),
        (266, 118, "Wr√≥blewski", "Wróblewski"),
        (282, 4, "Chinchilla‰πãÊ≠ªÔºöÂè™Ë¶ÅËÆ≠ÁªÉË∂≥Â§üÈïøÊó∂Èó¥ÔºåÂ∞èÊ®°Âûã‰πüËÉΩË∂ÖËøáÂ§ßÊ®°Âûã",
         "Chinchilla之死：只要训练足够长时间，小模型也能超过大模型"),
        (282, 86, "Êú∫Âô®‰πãÂøÉ", "机器之心"),
        (294, 22, "Vuliƒá", "Vulić"),
        (369, 77, "\uf8ffü§ó", "🤗"),
        (401, 65, "Pi√≥ro", "Pióro"),
        (401, 73, "Micha≈Ç", "Michał"),
        (401, 131, "Kr√≥l", "Król"),
        (401, 145, "Odrzyg√≥≈∫d≈∫", "Odrzygóźdź"),
        (411, 11, "Pi√≥ro", "Pióro"),
        (411, 44, "Kr√≥l", "Król"),
        (422, 11, "Pi√≥ro", "Pióro"),
        (422, 44, "Kr√≥l", "Król"),
        (430, 4, "R√≥bert", "Róbert"),
        (430, 12, "Csord√°s", "Csordás"),
        (430, 28, "Piƒôkos", "Piękos"),
        (430, 50, "J√ºrgen", "Jürgen"),
        (481, 105, "\uf8ffü§ó", "🤗"),
        (483, 4, "‰ªéMixtral", "从Mixtral"),
        (483, 15, "8x7BÂà∞LLaMA", "8x7B到LLaMA"),
        (483, 28, "MOEÂÜçÂà∞DeepSeek", "MOE再到DeepSeek"),
        (484, 4, "Ê®°ÂùóÂåñÂ§ßÊ®°ÂûãÊù•‰∫ÜÔºÅIBMÂÖ¨ÂºÄWastonXÊ†∏ÂøÉÊû∂ÊûÑÊäÄÊúØÁªÜËäÇ",
         "模块化大模型来了！IBM公开WastonX核心架构技术细节"),
        (536, 16, "S√©bastien", "Sébastien"),
        (539, 51, "J√∂rg", "Jörg"),
        (542, 13, "ËÆ∫ÊñáÁ≤æËØª„ÄêËÆ∫ÊñáÁ≤æËØª„Äë", "论文精读【论文精读】"),
        (542, 45, "ÂìîÂì©ÂìîÂì©", "哔哩哔哩"),
        (543, 4, "GPipeËÆ∫ÊñáÁ≤æËØª„ÄêËÆ∫ÊñáÁ≤æËØª„Äë", "GPipe论文精读【论文精读】"),
        (543, 41, "ÂìîÂì©ÂìîÂì©", "哔哩哔哩"),
        (544, 16, "ËÆ∫ÊñáÁ≤æËØª„ÄêËÆ∫ÊñáÁ≤æËØª„Äë", "论文精读【论文精读】"),
        (544, 48, "ÂìîÂì©ÂìîÂì©", "哔哩哔哩"),
        (545, 9, "ËÆ∫ÊñáÁ≤æËØª„ÄêËÆ∫ÊñáÁ≤æËØª„Äë", "论文精读【论文精读】"),
        (545, 41, "ÂìîÂì©ÂìîÂì©", "哔哩哔哩"),
        (548, 4, "0‰ª£Á†ÅÂæÆË∞ÉÂ§ßÊ®°ÂûãÁÅ´‰∫ÜÔºåÂè™ÈúÄ5Ê≠•ÔºåÊàêÊú¨‰ΩéËá≥150Âùó",
         "0代码微调大模型火了，只需5步，成本低至150块"),
        (548, 69, "ÈáèÂ≠ê‰Ωç", "量子位"),
        (551, 8, "Âà©Áî®Áéá‰ΩéÂ∏∏ËßÅÂéüÂõ†ÂàÜÊûêÂèä‰ºòÂåñ", "利用率低常见原因分析及优化"),
    ],
}  # fmt: skip

# Seed 004 separates authors and links with " ¬∑ " (Mac Roman for " · ").
SEED_004_MIDDLE_DOTS = [
    (32, 100), (42, 3), (42, 131), (53, 123), (56, 113), (56, 182), (59, 115), (64, 107),
    (64, 175), (67, 81), (69, 3), (92, 3), (95, 3), (95, 76), (97, 3), (99, 3), (102, 70),
    (106, 132), (108, 3), (120, 169), (135, 170), (141, 63), (144, 105), (157, 134), (189, 3),
    (212, 53), (235, 3), (242, 66), (258, 120), (287, 84), (291, 66), (294, 77), (294, 227),
    (299, 3), (302, 92), (302, 257), (308, 3), (319, 81), (327, 58), (336, 129), (354, 3),
    (360, 127), (363, 75), (368, 75), (381, 57), (389, 56), (393, 46), (393, 214), (404, 68),
    (407, 101), (415, 123), (415, 300), (426, 110), (432, 3), (436, 3), (442, 47), (446, 129),
    (455, 3), (479, 121), (479, 201), (489, 38), (513, 3), (519, 60), (530, 52), (533, 104),
    (536, 97),
]  # fmt: skip


def seed(prefix: str) -> bytes:
    # Byte-exact copies of /work/shared/seeds/<prefix>_*.txt
    return (SEEDS / f"seed_{prefix}.md").read_bytes()


@pytest.mark.parametrize("prefix", sorted(SEED_HITS))
def test_seed_mojibake(prefix: str) -> None:
    decoded = decode(seed(prefix))
    assert list(decode_hits(decoded)) == []
    found = [h for h in hits(decoded.text) if h.code == "PL401"]
    expected = [(line, column, text, fixed) for line, column, text, fixed in SEED_HITS[prefix]]
    if prefix == "004":
        expected += [(line, column, "¬∑", "·") for line, column in SEED_004_MIDDLE_DOTS]
        expected.sort()
    lines = lines_of(decoded.text)
    assert [
        (h.line, h.column, lines[h.line - 1][h.column - 1 : h.edit.end_column - 1], h.suggestion)
        for h in found
        if h.edit is not None
    ] == expected
    assert all(h.edit is not None and h.edit.replacement == h.suggestion for h in found)
    assert [h.code for h in hits(decoded.text) if h.code != "PL401"] == []


def test_seed_004_repaired_has_no_mojibake_left() -> None:
    text = decode(seed("004")).text
    repaired_lines = []
    for line in lines_of(text):
        for span in reversed(find_mojibake(line)):
            line = line[: span.start] + span.repaired + line[span.end :]
        repaired_lines.append(line)
    repaired = "\n".join(repaired_lines)
    assert not re.search("[√¬≈ƒ∆Œœ\uf8ff‰„Ë]", repaired)
    assert hits(repaired) == []
