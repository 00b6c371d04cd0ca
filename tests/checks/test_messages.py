"""Check messages as data: severities, counts, filtering and the plain-text report."""

from __future__ import annotations

from bookmaker.checks.messages import (
    Message,
    at_least,
    counts,
    format_messages,
    normalize_severity,
    sort_messages,
)

MESSAGES = [
    Message("RSC-017", "warning", "EPUB/text/b.xhtml", 4, "deprecated role"),
    Message("RSC-012", "error", "EPUB/text/a.xhtml", 12, "fragment not defined", 7),
    Message("PDF-001", "info", None, None, "842 pages"),
    Message("PKG-001", "fatal", "book.epub", None, "not a zip file"),
]


def test_severities_of_other_tools_are_mapped():
    assert [normalize_severity(s) for s in ("FATAL", "ERROR", "WARN", "warning", "USAGE",
                                            "SUGGESTION", "INFO")] == [
        "fatal", "error", "warning", "warning", "usage", "info", "info"
    ]


def test_counts_cover_every_severity():
    assert counts(MESSAGES) == {"fatal": 1, "error": 1, "warning": 1, "info": 1, "usage": 0}
    assert counts([]) == {"fatal": 0, "error": 0, "warning": 0, "info": 0, "usage": 0}


def test_at_least_keeps_the_bad_ones():
    assert [m.code for m in at_least(MESSAGES, "error")] == ["RSC-012", "PKG-001"]
    assert len(at_least(MESSAGES, "warning")) == 3


def test_sorted_worst_first():
    assert [m.code for m in sort_messages(MESSAGES)] == ["PKG-001", "RSC-012", "RSC-017",
                                                         "PDF-001"]


def test_location_and_line_format():
    assert MESSAGES[1].location() == "EPUB/text/a.xhtml:12:7"
    assert MESSAGES[1].format() == "error RSC-012 EPUB/text/a.xhtml:12:7: fragment not defined"
    assert MESSAGES[2].format() == "info PDF-001 842 pages"


def test_report_lists_messages_and_a_summary():
    report = format_messages(MESSAGES, "book.epub").splitlines()
    assert report[0] == "book.epub"
    assert report[1] == "  fatal PKG-001 book.epub: not a zip file"
    assert report[-1] == "  1 fatal, 1 error, 1 warning, 1 info"
    assert format_messages([]) == "no messages"


def test_str_is_the_one_line_format():
    assert str(MESSAGES[0]) == "warning RSC-017 EPUB/text/b.xhtml:4: deprecated role"
