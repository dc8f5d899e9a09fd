"""The dashboard: my open work, overdue first, then what falls due this week, and counts by state."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from monitoris import clock, queries

bp = Blueprint("dashboard", __name__)

DAYS_AHEAD = 7
# Rows of each list on the dashboard; the rest are one "See all" away.  The live feed renders the whole
# page again on each event, so the page must stay small whatever the size of the plan.
LIST_LIMIT = 20
PER_PAGE = 25


@bp.get("/")
@login_required
def index():
    today = clock.today()
    work = queries.open_work_heads(current_user, today=today, days_ahead=DAYS_AHEAD, limit=LIST_LIMIT)
    counts = queries.state_counts(current_user, today=today)
    return render_template("dashboard/index.html", overdue=work.overdue, soon=work.due_soon, counts=counts,
                           days_ahead=DAYS_AHEAD, whole_country=current_user.reads_everything)


@bp.get("/due-soon")
@login_required
def due_soon():
    # The work list (/assignments) has no due-date window, so the dashboard's second list has a page of its own.
    today = clock.today()
    page = queries.due_soon_page(current_user, today=today, days_ahead=DAYS_AHEAD,
                                 page=request.args.get("page", 1, type=int), per_page=PER_PAGE)
    return render_template("dashboard/due_soon.html", page=page, days_ahead=DAYS_AHEAD)
