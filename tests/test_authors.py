"""Author strings into people: who is credited for the writing, and who for something else."""

from __future__ import annotations

import scrape
from scrape.meta.authors import Credit, clean_authors, clean_credit


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


def test_an_outlet_after_a_comma_goes_when_another_source_names_the_writer_alone():
    groups = [["Charlie Wood, Business Insider"], ["Charlie Wood"]]
    assert clean_authors(groups, ["Business Insider Deutschland"]) == ("Charlie Wood",)


def test_two_writers_after_a_comma_stay_when_no_source_says_otherwise():
    # Without a second source, "X, Y" may be two people; both are kept.
    assert clean_authors([["Jane Doe, John Roe"]]) == ("Jane Doe", "John Roe")
    # A source naming one of two separately listed writers does not remove the other.
    assert clean_authors([["Jane Doe", "John Roe"], ["Jane Doe"]]) == ("Jane Doe", "John Roe")


def test_people_beside_the_publisher_in_one_byline_are_kept():
    byline = "By MEG KINNARD and ERRIN HAINES, Associated Press"
    assert clean_authors([[byline]], ["Associated Press", "Connecticut Post"]) == ("MEG KINNARD", "ERRIN HAINES")
    # A publisher with its town names nobody.
    assert clean_authors([["hessenschau.de, Frankfurt, Germany"]], ["hessenschau.de"]) == ()


def test_a_byline_run_into_its_credit_line_is_split():
    group = ["By DANICA KIRKA and JILL LAWLESS Associated Press", "By DANICA KIRKA and JILL LAWLESS",
             "Associated Press"]
    assert clean_credit([group]) == Credit(("DANICA KIRKA", "JILL LAWLESS"), ("Associated Press",))


def test_lead_words_labels_and_degrees_are_not_part_of_a_name():
    assert clean_authors([["Analysis by Chris Cillizza"]]) == ("Chris Cillizza",)
    assert clean_authors([["Текст: Лида Буслаева"]]) == ("Лида Буслаева",)
    assert clean_authors([["Ilana Muhlstein, MS, RDN"]]) == ("Ilana Muhlstein",)
    assert clean_authors([["Finian Cunningham. Sputnik International"]]) == ("Finian Cunningham",)
    # An initial's or an abbreviation's full stop is part of the name.
    assert clean_authors([["Sarah E. Needleman"]]) == ("Sarah E. Needleman",)
    assert clean_authors([["Jean St. Clair"]]) == ("Jean St. Clair",)


def test_site_accounts_domains_and_interface_words_are_not_people():
    assert clean_authors([["jdadmin"]]) == ()
    assert clean_authors([["Beachbody"]], url="https://www.beachbodyondemand.com/blog/x") == ()
    assert clean_authors([["gto"]], url="https://gto-normativy.ru/x") == ()
    assert clean_authors([["Jeff Foust", "Spacetoday.net"]]) == ("Jeff Foust",)
    assert clean_authors([["Marcus De Guzman", "View More Articles"]]) == ("Marcus De Guzman",)
    assert clean_authors([["by India Post News Weekly"]], ["India Post"]) == ()
    assert clean_authors([["European Space Agency"]]) == ()


def test_phrases_are_not_names():
    assert clean_authors([["The Russian and Syrian defense ministries"]]) == ()
    assert clean_authors([["Our Beautiful Universe"]]) == ()
    # Particles and initials in lower case still pass; a wire is credited apart.
    assert clean_credit([["Ludwig van Beethoven", "ssi", "The Associated Press"]]) == \
        Credit(("Ludwig van Beethoven", "ssi"), ("The Associated Press",))


def test_an_outlets_initials_after_the_writer_go_and_a_wire_is_credited_apart():
    assert clean_credit([["By Sandee LaMotte, CNN"]]) == Credit(("Sandee LaMotte",))
    assert clean_credit([["Jane Doe, AFP"]]) == Credit(("Jane Doe",), ("AFP",))


def test_an_outlet_trimmed_once_does_not_come_back_from_a_later_source():
    groups = [["Tanza Loudenback, Business Insider"], ["Tanza Loudenback"], ["Tanza Loudenback", "Business Insider"]]
    assert clean_authors(groups, ["Business Insider Deutschland"]) == ("Tanza Loudenback",)


def test_middle_names_in_brackets_are_part_of_the_name():
    assert clean_authors([["Bruno (Henrique Zecchin) Rodrigues"]]) == ("Bruno (Henrique Zecchin) Rodrigues",)
    # Brackets elsewhere hold an agency, a site or a note.
    assert clean_authors([["Jane Doe (AFP) and John Roe"]]) == ("Jane Doe", "John Roe")
    assert clean_authors([["Jane Doe (www.example.com)"]]) == ("Jane Doe",)
    assert clean_authors([["Bruno (Henrique) Rodrigues (Folha)"]]) == ("Bruno (Henrique) Rodrigues",)


def test_a_call_sign_is_not_a_byline_but_a_wire_in_capitals_is():
    assert clean_authors([["KWCHCIK"]]) == ()
    assert clean_credit([["REUTERS"]]) == Credit((), ("REUTERS",))
    assert clean_authors([["AS"]]) == ("AS",)  # a writer's initials


def test_a_table_row_of_a_name_and_a_date_is_data_not_a_byline():
    # An infobox at the top of an encyclopedia article, as a table row: "Founded" beside a
    # date reads like "Name date" but is a row of the article's table.
    from scrape.clean.lines import filter_paragraphs

    config = scrape.load_config()
    prose = " ".join(["The foundation coordinates the project's work on its browser and mail client."] * 4)
    row = "| Founded | February 28, 1998 |"
    result = filter_paragraphs([row, prose, prose, prose], config.line_rules, config.heading_rules)
    assert result.bylines == []
    assert result.paragraphs[0] == row


def test_a_name_with_a_button_run_into_it_is_a_byline_bar_and_another_source_decides():
    assert clean_authors([["Anna Keller Folgen"]]) == ()
    assert clean_authors([["Folgen", "Mehr"]]) == ()
    assert clean_authors([["Anna Keller Folgen"], ["Von Anna Keller"]]) == ("Anna Keller",)


def test_a_dateline_town_after_the_names_is_no_one():
    assert clean_credit([["Von Anna Martel und Lea Wagner, Nairobi"]]) == Credit(("Anna Martel", "Lea Wagner"))
    assert clean_credit([["Von Anna Keller und Jonas Brandt, dpa"]]) == Credit(("Anna Keller", "Jonas Brandt"), ("dpa",))


def test_publishers_and_agencies_are_credited_apart_when_no_person_is():
    assert clean_credit([["DER SPIEGEL"]], ["DER SPIEGEL"]) == Credit((), ("DER SPIEGEL",))
    assert clean_credit([["NDR.de"]], ["ndr.de"]) == Credit((), ("NDR.de",))
    assert clean_credit([["Agenturen"]]) == Credit((), ("Agenturen",))
    # A publisher-only source gives way to one that credits people or a wire.
    assert clean_credit([["sportschau.de"], ["Quelle: sid/dpa"]], ["sportschau.de"]) == Credit((), ("sid", "dpa"))
    assert clean_credit([["Lakeside Echo"], ["Por María López | Agencias"]], ["Lakeside Echo"]) == \
        Credit(("María López",), ("Agencias",))
