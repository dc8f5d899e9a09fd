""""My work" for executive bodies and the "Review queue" for the control body."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from monitoris import clock, permissions, queries, work
from monitoris.services import reports as reports_service

bp = Blueprint("work", __name__)

# The sections of each page, by the name the query and the page's ``section`` argument give them.
MY_WORK_SECTIONS = ("to_report", "returned", "drafts", "instructions", "extension_requests")
REVIEW_SECTIONS = ("reports", "assignments", "instructions", "extension_requests")
SECTION_LIMIT = 20   # items of each section on the page; the rest are one "See all" away
SECTION_PAGE = 50    # items of a page of one whole section


def _sections(statements, names):
    """Each section's first items, or the asked-for page of the one section ``?section=`` names: read page by
    page in SQL, so that a body or a control body with thousands of items waiting gets its page as fast."""
    section = request.args.get("section")
    if section not in names:
        section = None
    page = request.args.get("page", 1, type=int)
    return section, {name: queries.paginate(statements[name], page if name == section else 1,
                                            SECTION_PAGE if name == section else SECTION_LIMIT, clamp=True)
                     for name in names if section in (None, name)}


@bp.get("/my-work")
@login_required
def mine():
    if not permissions.has_own_work(current_user):
        abort(404)
    section, sections = _sections(work.my_work(current_user), MY_WORK_SECTIONS)
    # A recurring task's work is reported on period by period: the list says which period is due now.
    to_report = sections.get("to_report")
    today = clock.today()
    current = reports_service.open_periods(to_report.items, today) if to_report else {}
    return render_template("work/mine.html", sections=sections, section=section, today=today,
                           current_periods=current)


@bp.get("/review")
@login_required
def review_queue():
    if not permissions.can_review(current_user):
        abort(404)
    section, sections = _sections(work.review_queue(current_user), REVIEW_SECTIONS)
    return render_template("work/review.html", sections=sections, section=section, today=clock.today())
