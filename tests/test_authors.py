"""Author strings into people: who is credited for the writing, and who for something else."""

from __future__ import annotations

from scrape.normalise import clean_authors


def test_an_editor_credited_after_the_writer_is_not_an_author():
    assert clean_authors([["Written by Rob Ellison Edited by Betty Byers"]]) == ("Rob Ellison",)


def test_wire_credits_keep_the_reporters_and_drop_the_editing():
    assert clean_authors([["Reporting by Jane Doe and Ali Khan; Editing by John Roe"]]) == ("Jane Doe", "Ali Khan")


def test_a_photo_credit_beside_the_byline_is_not_an_author():
    assert clean_authors([["By Mara Lind | Photos by Tom Berg"]]) == ("Mara Lind",)


def test_a_name_holding_a_credit_word_is_still_a_name():
    # "Video" and "Edited" are credit words only before "by".
    assert clean_authors([["By Edita Video"]]) == ("Edita Video",)
