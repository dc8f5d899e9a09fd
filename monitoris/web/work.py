""""My work" for executive bodies and the "Review queue" for the control body."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from monitoris import clock, permissions, work
from monitoris.queries import Page

bp = Blueprint("work", __name__)

# The sections of "My work", by the name the query and the page's ``section`` argument give them.
MY_WORK_SECTIONS = ("to_report", "returned", "drafts", "instructions", "extension_requests")
SECTION_LIMIT = 20   # items of each section on "My work"; the rest are one "See all" away
SECTION_PAGE = 50    # items of a page of one whole section


def _head_or_page(items, page, per_page):
    """One page of a list the query already read (``work.my_work`` gives whole lists)."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return Page(items[(page - 1) * per_page:page * per_page], len(items), page, per_page)


@bp.get("/my-work")
@login_required
def mine():
    if not permissions.has_own_work(current_user):
        abort(404)
    today = clock.today()
    everything = work.my_work(current_user, today)
    section = request.args.get("section")
    if section not in MY_WORK_SECTIONS:
        section = None
    page = request.args.get("page", 1, type=int)
    sections = {name: _head_or_page(getattr(everything, name), page if name == section else 1,
                                    SECTION_PAGE if name == section else SECTION_LIMIT)
                for name in MY_WORK_SECTIONS if section in (None, name)}
    return render_template("work/mine.html", sections=sections, section=section, today=today)


@bp.get("/review")
@login_required
def review_queue():
    if not permissions.can_review(current_user):
        abort(404)
    return render_template("work/review.html", queue=work.review_queue(current_user), today=clock.today())
