"""Every figure of a hand-built year, per organization, act, controller, month and overall."""

from datetime import date

import pytest

from monitoris.analysis import figures, sql, tables
from monitoris.analysis.items import Filters
from monitoris.extensions import db
from tests.analysis.dataset import MT_FIGURES, SA_FIGURES


def _filters(dialect, **overrides):
    return Filters(**{"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31), "today": date(2026, 6, 15),
                      "timezone": "Asia/Baku", "dialect": dialect, **overrides})


def _by_key(rows):
    return {r["key"]: r for r in rows}


def _subset(row, expected):
    return {k: row[k] for k in expected}


def test_every_figure_per_organization(year, dialect):
    rows = _by_key(figures.compute(db.session, _filters(dialect), "organization"))
    assert _subset(rows[year.sa.id], SA_FIGURES) == SA_FIGURES
    assert _subset(rows[year.mt.id], MT_FIGURES) == MT_FIGURES
    # The delegated sub-assignment's unit has no row of its own: it counts at SA's assignment.
    assert year.w.sa1.id not in rows


def test_overall_is_the_sum_and_per_act_and_controller_agree(year, dialect):
    f = _filters(dialect, act_id=year.w.act.id)
    overall = figures.compute(db.session, f, "overall")[0]
    assert overall["assigned"] == 11 and overall["on_time"] == 4 and overall["overdue"] == 2
    assert overall["median_delay"] == 3.0
    by_act = _by_key(figures.compute(db.session, f, "act"))
    assert by_act[year.w.act.id]["assigned"] == 11
    by_controller = _by_key(figures.compute(db.session, f, "controller"))
    assert by_controller[year.w.controller.id]["assigned"] == 11
    assert by_controller[year.w.controller.id]["instructions_received"] == 3


def test_the_monthly_trend_counts_each_item_in_the_month_of_its_due_date(year, dialect):
    months = _by_key(figures.compute(db.session, _filters(dialect), "month"))
    # March: a1, a2 (SA), m1 (MT) and the recurring task's 2026-Q1 period.
    assert months["2026-03"]["assigned"] == 4 and months["2026-03"]["on_time"] == 3
    assert months["2026-06"]["overdue"] == 2 and months["2026-06"]["open_not_due"] == 1
    assert sum(m["assigned"] for m in months.values()) == 11


def test_a_range_and_filters_narrow_the_items(year, dialect):
    rows = _by_key(figures.compute(db.session, _filters(dialect, date_from=date(2025, 1, 1),
                                                        date_to=date(2025, 12, 31)), "organization"))
    # a9 (overdue since 2025-12-31, 166 days) and the 2025-Q4 period (accepted 30 days late).
    assert rows[year.sa.id]["assigned"] == 2 and rows[year.sa.id]["overdue"] == 1 and rows[year.sa.id]["late"] == 1
    assert rows[year.sa.id]["median_delay"] == 98.0
    rows = _by_key(figures.compute(db.session, _filters(dialect, kind="state_company"), "organization"))
    assert rows == {}


def test_the_day_boundary_is_the_configured_time_zone(year, dialect):
    # In UTC both a1 and a2 were submitted on 31 March; in Baku a2 came on 1 April.
    rows = _by_key(figures.compute(db.session, _filters(dialect, timezone="UTC"), "organization"))
    assert rows[year.sa.id]["on_time"] == 3 and rows[year.sa.id]["late"] == 1


@pytest.mark.parametrize("values, expected", [([5], 5), ([1, 10], 5.5), ([10, 1, 5], 5), ([4, 1, 3, 2], 2.5),
                                             ([3, 3, 1, 7], 3), ([2, 2, 9, 9], 5.5), ([1, 1, 1, 5, 6, 8], 3),
                                             ([0.5, 0.25], 0.375)])
def test_the_median_from_a_histogram_on_this_database(values, expected):
    import statistics

    import sqlalchemy as sa
    assert statistics.median(values) == expected
    rows = sa.union_all(*[sa.select(sa.literal("g").label("g"), sa.literal(v).label("v")) for v in values]
                        + [sa.select(sa.literal("g"), sa.null())]).subquery()  # a null is not counted
    histogram = sa.select(rows.c.g, rows.c.v, sa.func.count().label("n")).group_by(rows.c.g, rows.c.v).subquery()
    assert [(k, float(m)) for k, m in db.session.execute(sql.median(histogram, "g", "v", "n"))] == [("g", expected)]


def test_months_of_a_range():
    assert tables.months(date(2025, 11, 3), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_a_range_to_the_ends_of_the_calendar_counts_everything(year, dialect):
    # Midnight of 1 January of year 1 in Baku is before year 1 in UTC, and 31 December 9999 has no day after.
    whole = _by_key(figures.compute(db.session, _filters(dialect, date_from=date(1, 1, 1),
                                                         date_to=date(9999, 12, 31)), "organization"))
    # Every year's: 9 items and 3 instructions of 2026, 2 items and 1 instruction of 2025.
    assert whole[year.sa.id]["assigned"] == 11 and whole[year.sa.id]["instructions_received"] == 4
