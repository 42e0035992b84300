from __future__ import annotations

import pytest

from linter.identity import (
    PaperKey,
    TextId,
    arxiv_id,
    arxiv_id_problem,
    find_text_ids,
    is_navigation,
    link_label,
    paper_key,
)

# --------------------------------------------------------------------------------------------------
# paper_key


@pytest.mark.parametrize(
    ("url", "kind", "value"),
    [
        # arXiv: hosts, paths, versions, .pdf
        ("https://arxiv.org/abs/1706.03762", "arxiv", "1706.03762"),
        ("http://arxiv.org/abs/2401.13160v1", "arxiv", "2401.13160"),
        ("http://arxiv.org/pdf/2401.13160v1.pdf", "arxiv", "2401.13160"),
        ("https://arxiv.org/pdf/2401.13160", "arxiv", "2401.13160"),
        ("https://www.arxiv.org/pdf/2401.13160v12", "arxiv", "2401.13160"),
        ("https://export.arxiv.org/abs/2401.13160", "arxiv", "2401.13160"),
        ("https://arxiv.org/html/2401.13160v2", "arxiv", "2401.13160"),
        ("https://arxiv.org/html/2401.13160v2/#S3", "arxiv", "2401.13160"),
        ("https://arxiv.org/abs/2401.13160/", "arxiv", "2401.13160"),
        ("https://ARXIV.ORG/abs/2401.13160", "arxiv", "2401.13160"),
        ("https://arxiv.org/abs/arXiv:2401.13160", "arxiv", "2401.13160"),
        ("https://arxiv.org/abs/2401.13160?context=cs", "arxiv", "2401.13160"),
        ("arxiv.org/abs/2401.13160", "arxiv", "2401.13160"),
        ("//arxiv.org/abs/2401.13160", "arxiv", "2401.13160"),
        ("https://arxiv.org/abs/1409.0473", "arxiv", "1409.0473"),
        # mirrors
        ("https://ar5iv.org/abs/2401.17555", "arxiv", "2401.17555"),
        ("https://ar5iv.labs.arxiv.org/html/2401.17555", "arxiv", "2401.17555"),
        ("https://alphaxiv.org/abs/2401.17555v2", "arxiv", "2401.17555"),
        ("https://www.alphaxiv.org/abs/2401.17555", "arxiv", "2401.17555"),
        ("https://huggingface.co/papers/2401.17555", "arxiv", "2401.17555"),
        ("https://doi.org/10.48550/arXiv.2401.17555", "arxiv", "2401.17555"),
        ("https://doi.org/10.48550/ARXIV.2401.17555", "arxiv", "2401.17555"),
        ("https://doi.org/10.48550/arxiv.2401.17555", "arxiv", "2401.17555"),
        # old-style: the subject class is not part of the identifier
        ("https://arxiv.org/abs/hep-th/9901001", "arxiv", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v3", "arxiv", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.CA/0611800v2", "arxiv", "math/0611800"),
        ("https://arxiv.org/pdf/math/0611800.pdf", "arxiv", "math/0611800"),
        ("https://arxiv.org/abs/cond-mat/0102536", "arxiv", "cond-mat/0102536"),
        # DOIs: resolvers, case, percent-encoding, publisher paths
        ("https://doi.org/10.1145/3442188.3445922", "doi", "10.1145/3442188.3445922"),
        ("http://dx.doi.org/10.1145/3442188.3445922", "doi", "10.1145/3442188.3445922"),
        ("https://www.doi.org/10.1145%2F3442188.3445922", "doi", "10.1145/3442188.3445922"),
        ("https://doi.org/10.1016/S0140-6736(20)30183-5", "doi", "10.1016/s0140-6736(20)30183-5"),
        ("https://dl.acm.org/doi/10.1145/3442188.3445922", "doi", "10.1145/3442188.3445922"),
        ("https://dl.acm.org/doi/pdf/10.1145/3442188.3445922", "doi", "10.1145/3442188.3445922"),
        ("https://onlinelibrary.wiley.com/doi/abs/10.1002/X.123/", "doi", "10.1002/x.123"),
        # OpenReview
        ("https://openreview.net/forum?id=B1ckMDqlg", "openreview", "B1ckMDqlg"),
        ("https://openreview.net/pdf?id=B1ckMDqlg", "openreview", "B1ckMDqlg"),
        ("https://openreview.net/forum?id=B1ckMDqlg&noteId=xyz", "openreview", "B1ckMDqlg"),
        # not identifiers
        ("https://arxiv.org/list/cs.LG/recent", "url", "arxiv.org/list/cs.LG/recent"),
        ("https://arxiv.org/a/smith_j_1", "url", "arxiv.org/a/smith_j_1"),
        ("https://arxiv.org/abs/2401.123", "url", "arxiv.org/abs/2401.123"),
        ("https://example.com/papers/2401.17555", "url", "example.com/papers/2401.17555"),
        (
            "https://huggingface.co/TencentARC/LLaMA-Pro-8B",
            "url",
            "huggingface.co/TencentARC/LLaMA-Pro-8B",
        ),
        ("https://openreview.net/group?id=ICLR.cc", "url", "openreview.net/group?id=ICLR.cc"),
        ("https://openreview.net/forum", "url", "openreview.net/forum"),
        ("https://doi.org/", "url", "doi.org"),
        ("https://doi.org/not-a-doi", "url", "doi.org/not-a-doi"),
        # plain URLs: scheme, www, host case, trailing slash, fragment, utm_* and default ports
        ("HTTP://WWW.Example.COM/Path/", "url", "example.com/Path"),
        (
            "https://example.com:443/a?utm_source=x&q=1&UTM_medium=y#frag",
            "url",
            "example.com/a?q=1",
        ),
        ("https://example.com/a?b=2&a=1", "url", "example.com/a?b=2&a=1"),
        ("https://example.com:8080/a", "url", "example.com:8080/a"),
        ("https://user@example.com/a", "url", "example.com/a"),
        # relative, fragment-only and odd targets
        ("#anchor", "url", ""),
        ("", "url", ""),
        ("   ", "url", ""),
        ("./papers/x.pdf#page=2", "url", "papers/x.pdf"),
        ("None", "url", "None"),
        ("mailto:a@b.c", "url", "mailto:a@b.c"),
        ("http://[::1", "url", "http://[::1"),
        ("https://", "url", "https:"),
        ("javascript:void(0)", "url", "javascript:void(0)"),
    ],
)
def test_paper_key(url: str, kind: str, value: str) -> None:
    assert paper_key(url) == PaperKey(kind, value)


def test_all_url_forms_of_one_paper_share_a_key() -> None:
    forms = [
        "https://arxiv.org/abs/2401.17555",
        "http://arxiv.org/abs/2401.17555v1",
        "https://arxiv.org/pdf/2401.17555v2.pdf",
        "https://www.arxiv.org/html/2401.17555v2",
        "https://export.arxiv.org/abs/2401.17555",
        "https://ar5iv.labs.arxiv.org/html/2401.17555",
        "https://alphaxiv.org/abs/2401.17555",
        "https://huggingface.co/papers/2401.17555",
        "https://dx.doi.org/10.48550/arXiv.2401.17555",
    ]
    assert {paper_key(form) for form in forms} == {PaperKey("arxiv", "2401.17555")}


def test_http_and_https_and_www_are_one_url() -> None:
    assert paper_key("http://www.deeplearningbook.org/") == paper_key(
        "https://deeplearningbook.org"
    )


def test_key_strings() -> None:
    assert str(PaperKey("arxiv", "2401.17555")) == "arXiv:2401.17555"
    assert str(PaperKey("doi", "10.1145/3442188.3445922")) == "doi:10.1145/3442188.3445922"
    assert str(PaperKey("openreview", "B1ckMDqlg")) == "openreview:B1ckMDqlg"
    assert str(PaperKey("url", "example.com/a")) == "example.com/a"


def test_arxiv_id() -> None:
    assert arxiv_id("https://arxiv.org/pdf/2401.13160v1.pdf") == "2401.13160"
    assert arxiv_id("https://doi.org/10.1145/3442188.3445922") is None
    assert arxiv_id("not a url at all \x00 [") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://[",
        "https://exa mple.com/%zz",
        "\x00",
        "h" * 100_000,
        "https://a.b/" + "é" * 1000,
        "::",
    ],
)
def test_paper_key_never_raises(url: str) -> None:
    key = paper_key(url)
    assert key.kind == "url"


# --------------------------------------------------------------------------------------------------
# arXiv ID validity


@pytest.mark.parametrize(
    ("identifier", "problem"),
    [
        ("2401.17555", None),
        ("0704.0001", None),
        ("1412.9999", None),
        ("1501.00001", None),
        ("2313.01234", "has month 13"),
        ("2300.01234", "has month 00"),
        ("0612.1234", "is older than new-style IDs, which start at 0704 (April 2007)"),
        ("0703.1234", "is older than new-style IDs, which start at 0704 (April 2007)"),
        ("2401.1234", "has 4 digits after the dot; IDs from 1501 (January 2015) on have 5"),
        ("1501.1234", "has 4 digits after the dot; IDs from 1501 (January 2015) on have 5"),
        ("1412.12345", "has 5 digits after the dot; IDs before 1501 (January 2015) have 4"),
        ("2401.00000", "has sequence number 00000"),
        ("hep-th/9901001", None),
        ("math/0611800", None),
        ("hep-th/9108001", None),
        ("cs/0703001", None),
        ("hep-th/9913001", "has month 13"),
        ("hep-th/9900001", "has month 00"),
        ("hep-th/9107001", "is older than arXiv, which started in August 1991"),
        ("cs/0704001", "is an old-style ID after March 2007, when old-style IDs ended"),
        ("cs/0601000", "has sequence number 000"),
        ("garbage", None),
    ],
)
def test_arxiv_id_problem(identifier: str, problem: str | None) -> None:
    assert arxiv_id_problem(identifier) == problem


# --------------------------------------------------------------------------------------------------
# find_text_ids


def test_find_text_ids_forms() -> None:
    text = "arXiv:2401.13160 / arXiv 2310.15777v2 / arXiv, 2310.10638 / ARXIV: 2309.04564"
    assert find_text_ids(text) == [
        TextId("arxiv", "2401.13160", 6, 16),
        TextId("arxiv", "2310.15777", 25, 37),
        TextId("arxiv", "2310.10638", 47, 57),
        TextId("arxiv", "2309.04564", 67, 77),
    ]


def test_find_text_ids_urls_in_text_and_old_style() -> None:
    text = (
        "see arxiv.org/abs/2401.13160v1 and arXiv:math.CA/0611800v2, arxiv.org/pdf/1706.03762.pdf"
    )
    assert find_text_ids(text) == [
        TextId("arxiv", "2401.13160", 18, 30),
        TextId("arxiv", "math/0611800", 41, 58),
        TextId("arxiv", "1706.03762", 74, 84),
    ]


def test_find_text_ids_dois() -> None:
    text = "doi:10.1145/3442188.3445922. Also (10.1016/S0140-6736(20)30183-5) and 10.48550/arXiv.2401.1"
    assert find_text_ids(text) == [
        TextId("doi", "10.1145/3442188.3445922", 4, 27),
        TextId("doi", "10.1016/s0140-6736(20)30183-5", 35, 64),
    ]


def test_arxiv_doi_in_text_is_an_arxiv_id() -> None:
    assert find_text_ids("https://doi.org/10.48550/arXiv.2401.17555") == [
        TextId("arxiv", "2401.17555", 16, 41)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "phi-1.5 technical report",
        "SOLAR 10.7B",
        "1.5B parameters, version 2.0.1, 2023-10-30",
        "Released 2401.13160",  # a bare number is not announced as an arXiv ID
        "arXiv, 2023",
        "`ICML, 2023`",
        "arXiv 2401.131601",  # six digits
        "arXiv:2401.1316",  # too short... but 4 digits is a syntactically valid (invalid) ID
        "myarxiv:2401.13160",
        "version 10.7/3",
        "10.12/abc",  # registrant too short
    ],
)
def test_find_text_ids_conservative(text: str) -> None:
    found = find_text_ids(text)
    if text == "arXiv:2401.1316":
        assert found == [TextId("arxiv", "2401.1316", 6, 15)]  # PL303 reports it
    else:
        assert found == []


def test_find_text_ids_huge_line() -> None:
    text = "arXiv " * 20_000 + "arXiv:2401.13160"
    assert find_text_ids(text)[-1].id == "2401.13160"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("#week-12", True),
        ("./#top-ml-papers-of-the-week-april-7---april-13---2025", True),
        ("README.md#contents", True),
        ("2024.md", True),
        ("docs/papers.markdown", True),
        (".", True),
        ("./", True),
        ("../", True),
        ("papers/", True),
        ("?page=2", True),
        ("papers/attention.pdf", False),
        ("assets/figure.png", False),
        ("example.com/paper", False),  # a relative path on GitHub, but maybe a paper file
        ("https://arxiv.org/abs/1706.03762#S3", False),
        ("https://github.com/o/list#contents", False),
        ("www.example.org/#a", False),
        ("mailto:a@b.org", False),
    ],
)
def test_is_navigation(target: str, expected: bool) -> None:
    assert is_navigation(target) is expected


# --------------------------------------------------------------------------------------------------
# Link labels


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("arxiv", "paper"),
        ("[PDF]", "paper"),
        ("Paper", "paper"),
        ("arXiv 2023", "paper"),
        ("paper & code", "paper"),
        ("OpenReview", "paper"),
        ("doi", "paper"),
        ("code", "other"),
        ("GitHub", "other"),
        ("Star", "other"),
        ("blog post", "other"),
        ("project page", "other"),
        ("video", "other"),
        ("citation", "other"),
        ("cication", "other"),
        ("code & paper", "other"),
        ("", "free"),
        ("📄", "free"),
        ("-1", "free"),
        ("jiqizhixin", "free"),
        ("LoRA", "free"),
    ],
)
def test_link_label(text: str, label: str) -> None:
    assert link_label(text) == label


def test_find_text_ids_pathological_doi() -> None:
    text = "(10.1234/abc" + ")" * 200_000
    assert find_text_ids(text) == [TextId("doi", "10.1234/abc", 1, 12)]
