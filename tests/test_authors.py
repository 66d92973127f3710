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


def test_where_the_writer_filed_from_is_not_part_of_the_name():
    assert clean_authors([["Jon Henley in Paris and Angela Christou"]]) == ("Jon Henley", "Angela Christou")
    assert clean_authors([["Marie Dubois à Lyon"]]) == ("Marie Dubois",)


def test_agencies_credited_in_general_are_not_people():
    assert clean_authors([["Peter Beaumont in Jerusalem and agencies"]]) == ("Peter Beaumont",)
    assert clean_authors([["Staff and agencies"]]) == ()
