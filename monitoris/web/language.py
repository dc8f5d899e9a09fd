"""The language menu of every page: the person's choice on their account, a visitor's in the session."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user

from monitoris.extensions import db
from monitoris.models import LOCALES
from monitoris.services import users

bp = Blueprint("language", __name__)

# Each language named in itself, as the menu shows it whatever the page's language.
LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
SESSION_KEY = "locale"


def _back(target):
    """Only a path on this site: never an open redirect to somewhere else."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/") or target.startswith("//"):
        return url_for("dashboard.index") if current_user.is_authenticated else url_for("public.index")
    return target


@bp.post("/language")
def choose():
    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        abort(400)
    session[SESSION_KEY] = locale
    if current_user.is_authenticated:
        users.set_locale(current_user, locale)
        db.session.commit()
    return redirect(_back(request.form.get("next")))
