"""Importing a plan: the same tree from XLSX, CSV and DOCX, every problem named by its row, all or nothing."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, Event, Notification, Task
from monitoris.plans import importer
from monitoris.plans.importer import parse_date, parse_period
from monitoris.services import acts, audit
from tests.factories import make_act, make_assignment, make_org, make_task, make_world
from tests.plans.files import HEADER_AZ, HEADER_RU, csv_bytes, docx_bytes, plan_rows, xlsx_bytes
from tests.web.conftest import text


@pytest.fixture
def w():
    return make_world()


def tree(act):
    """The act's tasks as (number, parent number, title, indicator, period, recurrence, [(body, role)])."""
    tasks = db.session.scalars(sa.select(Task).where(Task.act_id == act.id).order_by(Task.sort_key)).all()
    result = []
    for t in tasks:
        bodies = [(a.organization.short_name, a.role, a.due_on) for a in
                  t.assignments.order_by(Assignment.role.desc(), Assignment.id)]
        result.append((t.number, t.parent.number if t.parent else None, t.title, t.indicator, t.period_start,
                       t.period_end, t.recurrence, bodies))
    return result


@pytest.mark.parametrize("make, kwargs", [
    (xlsx_bytes, {}), (csv_bytes, {}), (docx_bytes, {}), (docx_bytes, {"merge_sections": True}),
    (xlsx_bytes, {"header": HEADER_AZ}), (csv_bytes, {"header": HEADER_RU, "delimiter": ","}),
])
def test_the_same_plan_gives_the_same_tree_from_every_format(w, make, kwargs):
    act = make_act()
    plan = importer.import_plan(w.controller, act, make(plan_rows(w), **kwargs))
    assert plan.valid, plan.errors
    assert plan.created_tasks == 9 and plan.created_assignments == 7
    got = tree(act)
    assert [t[0] for t in got] == ["1", "1.1", "1.2", "1.10", "2", "2.1", "4", "4.1", "4.1.1"]
    by_number = {t[0]: t for t in got}
    assert by_number["1.1"] == ("1.1", "1", "Hold awareness events on e-services",
                                "Number of awareness events held and people reached", date(2016, 1, 1),
                                date(2018, 12, 31), "none",
                                [(w.sa.short_name, "lead", date(2018, 12, 31)),
                                 (w.mt.short_name, "co_executor", date(2018, 12, 31))])
    assert by_number["1.2"][2] == "Vətəndaşlar üçün elektron xidmətlərin genişləndirilməsi"
    assert by_number["1.2"][4:7] == (date(2016, 1, 1), date(2017, 12, 31), "none")
    assert by_number["1.2"][7] == [(w.mt.short_name, "lead", date(2017, 12, 31))]
    # "Постоянно": annual, no end; due at the end of the current year (the suite's clock: 2026).
    assert by_number["1.10"][4:7] == (None, None, "annual")
    assert by_number["1.10"][7] == [(w.mt.short_name, "lead", date(2026, 12, 31)),
                                    (w.sa.short_name, "co_executor", date(2026, 12, 31))]
    assert by_number["2.1"][6] == "annual"
    assert by_number["4.1.1"][1] == "4.1" and by_number["4.1"][1] == "4" and by_number["4"][1] is None
    assert by_number["4"][7] == [] and by_number["4.1"][3] is None


def test_the_import_writes_audit_events_and_the_dry_run_writes_nothing(w):
    act = make_act()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    plan = importer.import_plan(w.controller, act, xlsx_bytes(plan_rows(w)), dry_run=True)
    assert plan.valid and not plan.imported
    assert plan.counts() | {} == {"rows": 9, "sections": 4, "measures": 5, "assignments": 7, "existing": 0,
                                  "errors": 0, "created_tasks": 0, "created_assignments": 0}
    assert [i.number for i in plan.items][:3] == ["1", "1.1", "1.2"]
    assert [(b.organization, b.role) for b in plan.items[1].bodies] == [(w.sa, "lead"), (w.mt, "co_executor")]
    assert tree(act) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before
    importer.import_plan(w.controller, act, xlsx_bytes(plan_rows(w)))
    actions = db.session.scalars(sa.select(Event.action).where(Event.id > 0)).all()
    assert actions.count("task.created") >= 9 and actions.count("assignment.created") >= 7


def test_reimporting_the_same_file_reports_existing_tasks_and_duplicates_nothing(w):
    act = make_act()
    data = csv_bytes(plan_rows(w))
    importer.import_plan(w.controller, act, data)
    again = importer.import_plan(w.controller, act, data)
    assert again.valid and again.created_tasks == 0 and again.created_assignments == 0
    assert all(i.exists for i in again.items)
    assert any("already exists" in p.message for p in again.warnings)
    assert len(tree(act)) == 9
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).join(Task)
                             .where(Task.act_id == act.id)) == 7
    # A longer version of the plan adds only the new rows, under existing sections.
    longer = plan_rows(w) + [["2.2", "Train procurement officers", "Officers trained", "2017", w.sa.short_name]]
    third = importer.import_plan(w.controller, act, csv_bytes(longer))
    assert third.created_tasks == 1 and [i.number for i in third.new_items] == ["2.2"]


def test_one_bad_row_imports_nothing_and_names_the_row(w):
    act = make_act()
    rows = plan_rows(w)
    rows[5][4] = "Ministry of Nowhere"  # row 2.1, file row 3 (title) + 1 (blank) + 1 (header) + 6
    plan = importer.import_plan(w.controller, act, xlsx_bytes(rows))
    assert not plan.valid and not plan.imported
    assert [(p.row, p.column) for p in plan.errors] == [(9, "bodies")]
    assert "Ministry of Nowhere" in plan.errors[0].message
    assert plan.error_messages() == {"row 9": [plan.errors[0].message]}
    assert tree(act) == []
    with pytest.raises(ValidationError):
        importer.run(w.controller, act, plan)


def test_every_kind_of_error_is_reported_with_its_row(w):
    act = make_act()
    rows = [
        ["1", "Section", "", "", ""],                                          # row 2
        ["1.1", "Measure", "Ind", "2016-2018", "NOPE"],                        # 3 unknown body
        ["1.1", "Again", "Ind", "2016", w.sa.short_name],                      # 4 duplicate
        ["3.1", "Orphan", "Ind", "2016", w.sa.short_name],                     # 5 parent missing
        ["1.2", "Bad date", "Ind", "2016", w.sa.short_name, "31.13.2018"],     # 6 unreadable date
        ["1.3", "", "Ind", "2016", w.sa.short_name],                           # 7 empty title
        ["1.4", "Bad period", "Ind", "sometime soon", w.sa.short_name],        # 8 unreadable period
        ["one", "Bad number", "Ind", "2016", w.sa.short_name],                 # 9 bad number
        ["", "No number", "Ind", "2016", w.sa.short_name],                     # 10 no number
        ["1.5", "Control body", "Ind", "2016", w.cd.short_name],               # 11 not an executive body
        ["1.6", "No deadline", "Ind", "", w.sa.short_name],                    # 12 no period, no due date
        ["1.8.1", "Under a measure", "Ind", "2016", w.sa.short_name],          # 13 parent is a measure
        ["1.7", "Period backwards", "Ind", "2018-2016", w.sa.short_name],      # 14
        ["1.8", "A valid measure", "Ind", "2016", w.sa.short_name],            # 15 fine
    ]
    header = ["No.", "Event name", "Assessment indicator", "Fulfilment period", "Executive bodies", "Due date"]
    plan = importer.prepare(w.controller, act, csv_bytes(rows, header=header))
    got = {(p.row, p.column) for p in plan.errors}
    assert got == {(3, "bodies"), (4, "number"), (5, "number"), (6, "due_on"), (7, "title"), (8, "period"),
                   (9, "number"), (10, "number"), (11, "bodies"), (12, "due_on"), (13, "number"), (14, "period")}
    messages = {p.row: p.message for p in plan.errors}
    assert "NOPE" in messages[3] and "row 3" in messages[4] and "3.1" in messages[5] and "31.13.2018" in messages[6]
    assert "empty" in messages[7] and "control body" in messages[11] and "measure" in messages[13]


def test_existing_measures_cannot_become_sections_and_closed_acts_refuse(w):
    act = make_act()
    make_assignment(make_task(act, "1"), w.sa)
    plan = importer.prepare(w.controller, act, csv_bytes([["1.1", "Under", "Ind", "2016", w.sa.short_name]]))
    assert [p.row for p in plan.errors] == [2] and "already assigned" in plan.errors[0].message
    with pytest.raises(Forbidden):
        importer.prepare(w.controller, make_act(state="closed"), csv_bytes(plan_rows(w)))
    with pytest.raises(Forbidden):
        importer.prepare(w.exec_sa, act, csv_bytes(plan_rows(w)))


def test_a_body_whose_full_name_has_a_comma_and_inactive_bodies(w):
    comma = make_org("MEIE", name="Ministry of Economy, Industry and Energy")
    gone = make_org("OLD", active=False)
    act = make_act()
    rows = [["1", "Measure", "Ind", "2017", f"Ministry of Economy, Industry and Energy\n{w.sa.short_name}"],
            ["2", "Measure", "Ind", "2017", "OLD"]]
    plan = importer.prepare(w.controller, act, csv_bytes(rows))
    assert [(b.organization, b.role) for b in plan.items[0].bodies] == [(comma, "lead"), (w.sa, "co_executor")]
    assert [(p.row, "no longer active" in p.message) for p in plan.errors] == [(3, True)]
    assert gone.short_name == "OLD"


def test_a_due_date_column_wins_over_the_period(w):
    act = make_act()
    header = ["Due date", "No.", "Event name", "Assessment indicator", "Fulfilment period", "Executive bodies"]
    rows = [[date(2017, 6, 30), "1", "Measure", "Ind", "2016-2018", w.sa.short_name]]
    plan = importer.import_plan(w.controller, act, xlsx_bytes(rows, header=header))
    assert plan.valid
    assert tree(act)[0][7] == [(w.sa.short_name, "lead", date(2017, 6, 30))]


def test_numbers_that_a_spreadsheet_turned_into_numbers_or_dates(w):
    act = make_act()
    rows = [[1, "Section", None, None, None], [1.1, "Measure", "Ind", 2017, w.sa.short_name],
            [date(2026, 1, 2), "Was 1.2", "Ind", 2017, w.sa.short_name]]
    plan = importer.prepare(w.controller, act, xlsx_bytes(rows))
    assert [i.number for i in plan.items] == ["1", "1.1"]
    assert plan.items[1].period_start == date(2017, 1, 1)
    assert [p.row for p in plan.errors] == [6] and "date" in plan.errors[0].message


@pytest.mark.parametrize("text, expected", [
    ("2016-2018", (date(2016, 1, 1), date(2018, 12, 31), "none")),
    ("2016 - 2018", (date(2016, 1, 1), date(2018, 12, 31), "none")),
    ("2016–2017", (date(2016, 1, 1), date(2017, 12, 31), "none")),
    ("2017", (date(2017, 1, 1), date(2017, 12, 31), "none")),
    (2017, (date(2017, 1, 1), date(2017, 12, 31), "none")),
    ("2016-2018-ci illər", (date(2016, 1, 1), date(2018, 12, 31), "none")),
    ("2017-2018 гг.", (date(2017, 1, 1), date(2018, 12, 31), "none")),
    ("Regular", (None, None, "annual")), ("Daimi", (None, None, "annual")), ("Постоянно", (None, None, "annual")),
    ("2016-2018, regular", (date(2016, 1, 1), date(2018, 12, 31), "annual")),
    ("", (None, None, "none")), (None, (None, None, "none")),
])
def test_periods(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["soon", "2016-2017-2018", "Q3", "1850", date(2017, 1, 1)])
def test_unreadable_periods(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_dates():
    assert parse_date("31.12.2018") == parse_date("2018-12-31") == parse_date("31/12/2018") == date(2018, 12, 31)
    assert parse_date("2018") == date(2018, 12, 31)
    for bad in ("31.13.2018", "tomorrow", "01.01.1700"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_a_header_without_rows_is_an_error(w):
    plan = importer.prepare(w.controller, make_act(), csv_bytes([]))
    assert not plan.valid and plan.errors[0].row is None
    assert make_world  # the module's world fixture is its own


def test_the_audit_chain_holds_and_the_bodies_heads_hear_of_their_new_tasks(w):
    act = make_act()
    importer.import_plan(w.controller, act, xlsx_bytes(plan_rows(w)))
    assert audit.verify_chain().ok
    task = db.session.scalar(sa.select(Task).where(Task.act_id == act.id, Task.number == "1.1"))
    event = db.session.scalar(sa.select(Event).where(Event.action == "task.created", Event.object_id == task.id))
    assert event.actor_id == w.controller.id and event.after["number"] == "1.1" and event.after["act_id"] == act.id
    lead = task.assignments.filter_by(role="lead").one()
    keys = db.session.scalars(sa.select(Notification.idempotency_key).where(
        Notification.recipient_id == w.head_sa.id)).all()
    assert any(k.startswith(f"assignment:{lead.id}:new:") for k in keys)


def test_a_plan_imported_into_a_draft_act_is_heard_of_once_when_the_act_comes_into_force(w):
    draft = make_act(state="draft")
    importer.import_plan(w.controller, draft, xlsx_bytes(plan_rows(w)))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    acts.update_act(w.controller, draft, state="active")
    first = set(db.session.scalars(sa.select(Notification.idempotency_key)))
    assert any(k.startswith("assignment:") and ":new:" in k for k in first)
    acts.update_act(w.controller, draft, state="draft")
    acts.update_act(w.controller, draft, state="active")  # back in force: nobody hears of the same work again
    assert set(db.session.scalars(sa.select(Notification.idempotency_key))) == first


def _upload(browser, act, data, name):
    return browser.post(f"/acts/{act.id}/import", data={"file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def test_a_row_with_a_problem_is_not_also_read_without_problems(w, login):
    act = make_act()
    rows = [
        ["3", "Digital services", "", "", ""],                                 # row 2
        ["3.9", "A measure", "Ind", "2016", w.sa.short_name],                  # 3
        ["3.9.1", "Under a measure", "Ind", "2016", w.sa.short_name],          # 4: its parent is a measure
        ["3.10", "No body yet", "Ind", "2016", ""],                            # 5: fine, a note
        ["3.11", "Orphan's sibling", "Ind", "2016", w.sa.short_name],          # 6: fine
        ["5.1", "Orphan", "Ind", "2016", ""],                                  # 7: no parent, and no body
    ]
    plan = importer.prepare(w.controller, act, csv_bytes(rows))
    assert {p.row for p in plan.errors} == {4, 7}
    assert [i.number for i in plan.items] == ["3", "3.9", "3.10", "3.11"]
    assert [p.row for p in plan.warnings] == [5]  # no note about a row that has a problem

    html = text(_upload(login(w.controller), act, csv_bytes(rows), "plan.csv"))
    tree = html[html.index('id="plan-tree"'):]
    assert 'data-number="3.9.1"' not in tree and 'data-number="5.1"' not in tree
    assert 'data-number="3.11"' in tree and '<tr data-row="4">' in html


def test_a_file_named_xlsx_that_is_not_a_workbook_is_named_so_on_the_page(w, login):
    act = make_act()
    response = _upload(login(w.controller), act, "name;value\nа;б\n".encode(), "plan.xlsx")
    assert response.status_code == 422
    page = text(response)
    assert "The content of plan.xlsx is not XLSX, as its name says" in page and "this CSV file" not in page


def test_numbers_are_ascii_digits_one_per_number_and_sorted_whatever_their_length(w):
    act = make_task(w.act, "3").act  # an act with a section 3
    rows = [
        ["100000", "Last measure", "Ind", "2017", w.sa.short_name],    # row 2
        ["99999", "Measure before it", "Ind", "2017", w.sa.short_name],  # 3
        ["١٢", "Arabic-Indic twelve", "Ind", "2017", w.sa.short_name],   # 4 not a number
        ["1", "Section", "", "", ""],                                   # 5
        ["1.1", "Measure", "Ind", "2017", w.sa.short_name],            # 6
        ["1.01", "The same measure again", "Ind", "2017", w.sa.short_name],  # 7 duplicate of 1.1
        ["03", "The existing section", "", "", ""],                    # 8 is 3
        ["01.10", "Tenth measure", "Ind", "2017", w.sa.short_name],    # 9 is 1.10
    ]
    plan = importer.prepare(w.controller, act, csv_bytes(rows))
    messages = {p.row: p.message for p in plan.errors}
    assert set(messages) == {4, 7}
    assert messages[4] == "“١٢” is not a task number: write digits separated by dots, like 4 or 4.1.1."
    assert messages[7] == "Duplicate number 1.1: row 6 has it too."
    assert [(i.number, i.status) for i in plan.items] == [
        ("1", "new"), ("1.1", "new"), ("1.10", "new"), ("3", "exists"), ("99999", "new"), ("100000", "new")]
    del rows[5], rows[2]
    plan = importer.import_plan(w.controller, act, csv_bytes(rows))
    assert plan.valid and plan.created_tasks == 5
    assert [t[0] for t in tree(act)] == ["1", "1.1", "1.10", "3", "99999", "100000"]
