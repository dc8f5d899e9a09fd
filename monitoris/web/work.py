""""My work" for executive bodies and the "Review queue" for the control body."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from monitoris import clock, permissions, work

bp = Blueprint("work", __name__)


@bp.get("/my-work")
@login_required
def mine():
    if not permissions.has_own_work(current_user):
        abort(404)
    today = clock.today()
    return render_template("work/mine.html", work=work.my_work(current_user, today), today=today)


@bp.get("/review")
@login_required
def review_queue():
    if not permissions.can_review(current_user):
        abort(404)
    return render_template("work/review.html", queue=work.review_queue(current_user), today=clock.today())
