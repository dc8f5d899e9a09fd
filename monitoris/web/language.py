"""The language menu of every page: the person's choice on their account, a visitor's in the session."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from monitoris.extensions import db
from monitoris.models import LOCALES
from monitoris.services import users

bp = Blueprint("language", __name__)

# Each language named in itself, as the menu shows it whatever the page's language.
LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
SESSION_KEY = "locale"


def _local(target):
    """``target`` if it is a path on this site (with its query), else None: never an open redirect."""
    target = target or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _answers_get(target):
    """Whether a GET of this path is answered: a page shown after a POST (a form with its errors) has the POST's
    URL, and going back there with a GET would be a 405.  An unknown path still answers (with its 404 page)."""
    try:
        current_app.create_url_adapter(request).match(urlsplit(target).path, method="GET")
    except MethodNotAllowed:
        return False
    except HTTPException:  # NotFound, or RequestRedirect (/public → /public/), which the browser follows with a GET
        pass
    return True


def _same_site_path(url):
    """The path (and query) of a URL of this site, such as the Referer; None for any other site."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    return _local(parts.path + (f"?{parts.query}" if parts.query else ""))


def _back(target):
    """``target`` when it is a page of this site that a GET shows again; else the page the request came from (its
    Referer), on the same conditions; else the home page."""
    for candidate in (_local(target), _same_site_path(request.referrer)):
        if candidate and _answers_get(candidate):
            return candidate
    return url_for("dashboard.index") if current_user.is_authenticated else url_for("public.index")


@bp.app_template_global("language_return_path")
def return_path():
    """The ``next`` of the menu's forms: this page, or where to go instead when only a POST reaches its URL (the
    page of a form sent with errors): then the page the form was sent from."""
    here = request.full_path if request.query_string else request.path
    return here if request.method in ("GET", "HEAD") else _back(here)


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
