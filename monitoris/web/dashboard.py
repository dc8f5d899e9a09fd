"""The dashboard: my open work, overdue first, then what falls due this week, and counts by state."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from monitoris import clock, queries

bp = Blueprint("dashboard", __name__)

DAYS_AHEAD = 7


@bp.get("/")
@login_required
def index():
    today = clock.today()
    overdue, soon = queries.open_work(current_user, today=today, days_ahead=DAYS_AHEAD)
    counts = queries.state_counts(current_user, today=today)
    return render_template("dashboard/index.html", overdue=overdue, soon=soon, counts=counts,
                           days_ahead=DAYS_AHEAD, whole_country=current_user.reads_everything)
