"""Stages and evidence requirements of a task: a stage is not done in the future, document kinds are known ones."""

from datetime import date

import pytest

from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import EvidenceRequirement, Stage
from monitoris.services import tasks
from tests.factories import make_assignment, make_report, make_task, make_world
from tests.web.conftest import text

TODAY = date(2026, 6, 15)  # the suite's frozen clock, in Baku


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def task(w):
    return make_task(w.act, "1.1", controller=w.controller)


def test_a_stage_cannot_be_marked_done_after_today(w, task):
    stage = tasks.add_stage(w.controller, task, title="Legal amendments adopted", due_on=date(2026, 6, 1))
    for future in (date(2099, 1, 1), date(2026, 6, 16)):
        with pytest.raises(ValidationError) as refused:
            tasks.update_stage(w.controller, stage, done_on=future)
        assert refused.value.errors == {"done_on": ["A stage cannot be marked done on a date later than today."]}
        assert stage.done_on is None
    assert tasks.update_stage(w.controller, stage, done_on=TODAY).done_on == TODAY


def test_the_stage_page_says_why_a_future_date_is_refused(w, task, login):
    stage = tasks.add_stage(w.controller, task, title="Legal amendments adopted")
    w.controller.locale = "az"
    db.session.flush()
    response = login(w.controller).post(f"/stages/{stage.id}/edit", data={
        "title": "Legal amendments adopted", "done_on": "2099-01-01"})
    assert response.status_code == 422
    assert "Mərhələ bu gündən sonrakı tarixdə yerinə yetirilmiş kimi qeyd edilə bilməz." in text(response)
    assert db.session.get(Stage, stage.id).done_on is None


def test_document_kinds_are_the_kinds_uploads_accept(w, task):
    with pytest.raises(ValidationError) as refused:
        tasks.add_requirement(w.controller, task, text="The signed protocol", document_kinds="exe, <script>")
    [message] = refused.value.errors["document_kinds"]
    assert message.startswith("Unknown document kinds: exe, <script>. Choose from: pdf, png, jpeg,")
    assert db.session.query(EvidenceRequirement).count() == 0
    requirement = tasks.add_requirement(w.controller, task, text="The signed protocol", document_kinds=" PDF; .xlsx ")
    assert requirement.document_kinds == "pdf, xlsx"
    assert tasks.add_requirement(w.controller, task, text="Anything", document_kinds="  ").document_kinds is None


def test_a_kind_switched_off_for_uploads_cannot_be_asked_for(w, task, app, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_TYPES", "pdf,docx")
    with pytest.raises(ValidationError) as refused:
        tasks.add_requirement(w.controller, task, text="A spreadsheet", document_kinds="xlsx")
    assert refused.value.errors["document_kinds"] == ["Unknown document kinds: xlsx. Choose from: pdf, docx."]


def test_a_number_is_ascii_digits_without_leading_zeros_and_fits_its_column(w, task):
    with pytest.raises(ValidationError) as refused:
        tasks.create_task(w.controller, w.act, number="1.٢", title="Look-alike")
    assert refused.value.errors == {"number": ["Write the number as digits separated by dots, like 4 or 4.1.1."]}
    with pytest.raises(ValidationError) as refused:
        tasks.create_task(w.controller, w.act, number="1." * 20 + "1", title="Too deep")
    assert refused.value.errors == {"number": ["The number is longer than 40 characters."]}
    # Renumbering to a look-alike of an existing number is a clash, not a second 1.1.
    tasks.create_task(w.controller, w.act, number="1", title="Section")
    other = tasks.create_task(w.controller, w.act, number="1.02.", title="Second measure")
    assert other.number == "1.2"
    with pytest.raises(ValidationError) as refused:
        tasks.update_task(w.controller, other, number="01.001")
    assert refused.value.errors == {"number": ["This act already has a task 1.1."]}
    assert other.number == "1.2"


def test_the_reporting_periods_cannot_change_once_reports_were_filed_under_them():
    w = make_world()
    task = make_task(w.act, "7.1", recurrence="quarterly", period_start=date(2026, 1, 1))
    assignment = make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 12, 31))
    tasks.update_task(w.controller, task, recurrence="annual", period_start=date(2026, 4, 1))  # no report yet
    tasks.update_task(w.controller, task, recurrence="quarterly", period_start=date(2026, 1, 1))
    make_report(assignment, period="2026-Q1", period_due_on=date(2026, 3, 31), final=False)
    for change in ({"recurrence": "annual"}, {"period_start": date(2026, 4, 1)}):
        with pytest.raises(ValidationError) as refused:
            tasks.update_task(w.controller, task, title="Hold awareness events", **change)
        assert list(refused.value.errors) == list(change)
        assert "can no longer change" in refused.value.errors[next(iter(change))][0]
    assert (task.recurrence, task.period_start, task.title) == ("quarterly", date(2026, 1, 1),
                                                               "Hold awareness events")
    tasks.update_task(w.controller, task, title="Hold more events", recurrence="quarterly",
                      period_start=date(2026, 1, 1))  # the form sends them back unchanged: that is fine
    assert task.title == "Hold more events"


def test_a_one_off_tasks_period_can_still_be_corrected_with_reports_filed():
    w = make_world()
    task = make_task(w.act, "7.2", recurrence="none", period_start=date(2016, 1, 1))
    make_report(make_assignment(task, w.sa, state="in_progress", due_on=date(2026, 12, 31)))
    tasks.update_task(w.controller, task, period_start=date(2017, 1, 1))
    assert task.period_start == date(2017, 1, 1)
    with pytest.raises(ValidationError):
        tasks.update_task(w.controller, task, recurrence="annual")  # its "final" report would lose its period
