"""Dates in the archive's languages (month names from Babel's CLDR data)."""

from __future__ import annotations

import datetime as dt

import pytest

from bookmaker.readers.common import find_date, is_date_line, parse_date

END_OF_1918 = dt.date(1918, 12, 30)


@pytest.mark.parametrize("line", [
    "30 décembre 1918",                 # French
    "Paris, le 30 déc. 1918",
    "30. Dezember 1918",                # German
    "Moskau, 30. Dez. 1918",
    "30 декабря 1918 г.",               # Russian, genitive
    "Москва, 30 декабря 1918 года",
    "30 грудня 1918 р.",                # Ukrainian
    "30 de diciembre de 1918",          # Spanish
    "30 dicembre 1918",                 # Italian
    "30 de dezembro de 1918",           # Portuguese
    "Warszawa, 30 grudnia 1918",        # Polish
    "30. prosince 1918",                # Czech
    "30 Δεκεμβρίου 1918",               # Greek
    "30 Aralık 1918",                   # Turkish
    "30 december 1918",                 # Dutch / Swedish
    "1918年12月30日",                    # Chinese / Japanese
    "１９１８年１２月３０日",              # full-width digits
    "1918년 12월 30일",                  # Korean
    "December 30, 1918",
    "30th December 1918",
    "1918-12-30",
])
def test_full_dates_in_each_language(line):
    found = find_date(line)
    assert found is not None and found[1] == END_OF_1918
    assert parse_date(line) == END_OF_1918
    assert is_date_line(line)


@pytest.mark.parametrize("line", [
    "décembre 1918", "Dezember 1918", "декабрь 1918", "diciembre de 1918", "Petrograd, March 1918",
    "1918年12月",
])
def test_month_and_year_give_a_date_text_but_no_date(line):
    found = find_date(line)
    assert found is not None and found[1] is None
    assert is_date_line(line)


def test_prose_is_not_a_date_line():
    assert not is_date_line("Nous avons écrit cela le 30 décembre 1918 à nos camarades de Paris.")
    assert find_date("Il n'y a pas de date ici.") is None


def test_month_table_is_babels():
    """The generated table (bookmaker/readers/months.py) is what Babel's data gives;
    after a Babel upgrade, ``python -m bookmaker.readers.months`` makes it again."""
    from bookmaker.readers.common import babel_months
    from bookmaker.readers.months import MONTHS

    assert list(MONTHS.items()) == list(babel_months().items())
