"""The dashboard: my open work, overdue first."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("dashboard/index.html")
