"""Search that holds for Azerbaijani letters (İ/i, I/ı) and Cyrillic, on both databases."""

import pytest

from monitoris import clock, queries
from monitoris.extensions import db
from monitoris.text import az_sort_key, fold_text
from tests.factories import make_act, make_assignment, make_org, make_task, make_user


def test_folding_treats_every_i_alike_and_lowers_the_rest():
    assert fold_text("İnformasiya") == fold_text("informasiya") == "informasiya"
    assert fold_text("Işıq") == fold_text("ışıq") == fold_text("IŞIQ") == "işiq"
    assert fold_text("ŞƏHƏR Привет") == "şəhər привет"


@pytest.mark.parametrize("typed", ["informasiya", "İNFORMASİYA", "İnformasiya", "ınformasıya"])
def test_search_finds_azerbaijani_titles_whatever_the_case(typed):
    controller = make_user("controller", organization=make_org(kind="control"))
    act = make_act()
    found = make_assignment(make_task(act, "1", title="İnformasiya təhlükəsizliyi üzrə tədbirlər"))
    make_assignment(make_task(act, "2", title="Yol tikintisi"))
    rows = queries.paginate(queries.assignments(controller, today=clock.today(), q=typed)).items
    assert [a.id for a in rows] == [found.id]


def test_dotless_and_capital_letters_match_in_organization_names():
    body = make_org("IŞIQ", name="Işıqlandırma Agentliyi")
    make_org("OTHER", name="Su Agentliyi")
    assert [o.name for o in db.session.scalars(queries.organizations(q="ışıqlandırma"))] == [body.name]
    assert [o.short_name for o in db.session.scalars(queries.organizations(q="işiq"))] == ["IŞIQ"]


def test_cyrillic_search_ignores_case():
    make_org("MINFIN", name="Министерство финансов")
    assert [o.short_name for o in db.session.scalars(queries.organizations(q="МИНИСТЕРСТВО"))] == ["MINFIN"]


def test_percent_and_underscore_are_text():
    controller = make_user("controller", organization=make_org(kind="control"))
    act = make_act()
    make_assignment(make_task(act, "1", title="100% coverage"))
    make_assignment(make_task(act, "2", title="1000 coverage"))
    rows = queries.paginate(queries.assignments(controller, today=clock.today(), q="100%")).items
    assert [a.task.title for a in rows] == ["100% coverage"]


def test_people_are_listed_in_azerbaijani_alphabetical_order():
    body = make_org("AZ")
    names = ["İlham", "Xəyal", "Çingiz", "Həsən", "Əli", "Ilqar", "Elvin", "Cavid"]
    for name in names:
        make_user(organization=body, name=name)
    listed = [u.name for u in db.session.scalars(queries.users(organization_id=body.id))]
    assert listed == ["Cavid", "Çingiz", "Elvin", "Əli", "Həsən", "Xəyal", "Ilqar", "İlham"]
    assert sorted(names, key=az_sort_key) == listed
