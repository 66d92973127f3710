"""Publication dates: which candidate wins, and in which offset it is written."""

from __future__ import annotations

import pytest

from scrape.meta.bylines import parse_byline
from scrape.meta.dates import parse_date
from scrape.meta.normalise import pick_date


def test_a_utc_time_is_written_in_the_offset_of_the_wall_time_the_page_prints():
    # JSON-LD in UTC, the byline in the newsroom's time: the instant is the same, the day is the page's.
    got = pick_date(["2019-11-19T04:58:46Z", "2019-11-18 20:58:46"], None)
    assert got == "2019-11-18T20:58:46-08:00"


def test_a_wall_time_that_is_not_the_same_instant_gives_no_offset():
    # Off by 7 minutes: another time (an update), not the publication in local time.
    assert pick_date(["2019-11-19T04:58:46Z", "2019-11-18 21:05:46"], None) == "2019-11-19T04:58:46+00:00"
    # Other seconds: the same.
    assert pick_date(["2019-11-19T04:58:46Z", "2019-11-18 20:58:12"], None) == "2019-11-19T04:58:46+00:00"


@pytest.mark.parametrize("wall", ["November 05, 2025, 5:09", "November 06, 2025, 5:09"])
def test_twelve_hours_apart_is_a_clock_without_pm_not_an_offset(wall):
    assert pick_date(["2025-11-05T17:09:17+00:00", wall], None) == "2025-11-05T17:09:17+00:00"


def test_the_offset_of_the_pages_other_dates_is_the_sites():
    got = pick_date(["Tue Nov 19 2019 03:05:46 GMT+0000"], None, others=["2019-11-18T22:15:39-05:00"])
    assert got == "2019-11-18T22:05:46-05:00"
    # A date far from the publication may be in summer time while it is in winter time.
    far = pick_date(["2019-11-19T03:05:46Z"], None, others=["2019-06-01T10:00:00-04:00"])
    assert far == "2019-11-19T03:05:46+00:00"


def test_a_naive_time_takes_the_offset_another_source_gives_the_same_wall_time():
    assert pick_date(["2019-11-19 02:24:00", "2019-11-19 02:24:00 UTC"], None) == "2019-11-19T02:24:00+00:00"


@pytest.mark.parametrize("line, date", [
    ("publiziert am 30. Juli 2018", "30. Juli 2018"),
    ("Veröffentlicht am 30. Juli 2018", "30. Juli 2018"),
    ("Publié le 30 juillet 2018", "30 juillet 2018"),
    ("Publicado el 30 de julio de 2018", "30 de julio de 2018"),
    ("Pubblicato il 30 luglio 2018", "30 luglio 2018"),
    ("28.04.2024, 14:26 Uhr", "28.04.2024, 14:26 Uhr"),
])
def test_labelled_dates_in_other_languages_are_bylines(line, date):
    byline = parse_byline(line)
    assert byline is not None and byline.date_text == date and byline.authors == ()


def test_a_by_after_the_date_names_the_author():
    byline = parse_byline("Posted on March 3, 2024 by Jane Doe")
    assert byline.authors == ("Jane Doe",) and byline.date_text == "March 3, 2024" and byline.explicit
    # Words for "article" and "o'clock" are not a name.
    byline = parse_byline("Artikel veröffentlicht am 28. April 2024, 14:26 Uhr , Tobias Költzsch")
    assert byline.authors == ("Tobias Költzsch",)
    # Prose with "by" after a date is not a byline.
    assert parse_byline("March 3, 2024 by the river") is None


@pytest.mark.parametrize("text, iso", [
    ("2016年10月14日07:17", "2016-10-14T07:17:00"),
    ("2025年1月13日（月） 午後9時19分", "2025-01-13T21:19:00"),
    ("2025년 6월 3일 오후 2:05", "2025-06-03T14:05:00"),
    ("2017年3月9日", "2017-03-09"),
])
def test_chinese_japanese_and_korean_dates_parse(text, iso):
    assert parse_date(text).iso() == iso


def test_a_stamp_printed_twice_is_one_stamp():
    assert parse_byline("3/09/15 8:26am 3/09/15 8:26am").date_text == "3/09/15 8:26am"
    # A time and a date beside it are still one stamp.
    assert parse_byline("10:00 PM | January 21, 2025").date_text == "10:00 PM January 21, 2025"


def test_a_numeric_date_follows_the_pages_locale():
    # Dotted: the day first in every language that writes dates so.
    assert parse_date("05.04.2025", language="de").iso() == "2025-04-05"
    assert parse_date("Veröffentlicht am 05.04.2025 um 14:30 Uhr").iso() == "2025-04-05T14:30:00"
    # Slashed: the month first in American English (and where the language is unknown).
    assert parse_date("04/05/2025", language="en-US").iso() == "2025-04-05"
    assert parse_date("04/05/2025", language="en-GB").iso() == "2025-05-04"
    assert parse_date("04/05/2025 10:30", language="fr").iso() == "2025-05-04T10:30:00"
    assert parse_date("04/05/2025").iso() == "2025-04-05"


def test_the_page_language_reaches_the_date_picked():
    assert pick_date(["Publié le 04/05/2025"], None, language="fr") == "2025-05-04"
    assert pick_date(["Posted 04/05/2025"], None, language="en") == "2025-04-05"


def test_a_french_time_written_with_its_hour_letter_stays_in_the_stamp():
    byline = parse_byline("Par Claire Dubois, publié le 04/05/2025 à 10h30")
    assert byline is not None and byline.authors == ("Claire Dubois",)
    assert parse_date(byline.date_text, language="fr").iso() == "2025-05-04T10:30:00"


@pytest.mark.parametrize(("printed", "language", "iso"), [
    ("5. huhtikuuta 2025 klo 14.30", "fi", "2025-04-05T14:30:00"),
    ("5. april 2025 kl. 14.30", "da", "2025-04-05T14:30:00"),
    ("5 апреля 2025", "ru", "2025-04-05"),
    ("5 Nisan 2025 14:30", "tr", "2025-04-05T14:30:00"),
    ("5 kwietnia 2025", "pl", "2025-04-05"),
    ("5 Mei 2025", "ms", "2025-05-05"),
])
def test_long_dates_and_times_in_every_lexicon_language(printed, language, iso):
    assert parse_date(printed, language=language).iso() == iso


@pytest.mark.parametrize(("line", "name"), [
    ("Por María López", "María López"), ("di Marco Rossi", "Marco Rossi"), ("Von Anna Keller", "Anna Keller"),
    ("Av Kari Nordmann", "Kari Nordmann"), ("Автор: Иван Петров", "Иван Петров"), ("Yazar: Ayşe Yılmaz", "Ayşe Yılmaz"),
    ("Oleh Ahmad bin Ali", "Ahmad bin Ali"), ("Kirjoittaja Matti Virtanen", "Matti Virtanen"),
])
def test_a_preposition_before_the_name_in_every_lexicon_language(line, name):
    byline = parse_byline(line)
    assert byline is not None and byline.authors == (name,)
