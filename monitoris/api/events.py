"""/events and /events/stream: the audit trail a user may see, as a list and as Server-Sent Events.

The stream reads the events table, never process memory, so any number of web processes on any
number of hosts can serve it.  Each poll uses its own short-lived session, so a connected client
never holds a transaction (or a pooled connection) open between polls.
"""

import json
import time

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.orm import Session

from monitoris import permissions
from monitoris.api.core import actor, bp
from monitoris.extensions import db
from monitoris.models import ApiToken, Event, LoginSession, User
from monitoris.schemas.assignments import EventArgs, EventListSchema, EventSchema, StreamArgs

TAG = ["Events"]
BATCH = 200
_event_schema = EventSchema()


def _scoped(user, stmt):
    return permissions.scope_events(user, stmt)


@bp.route("/events", methods=["GET"], tags=TAG)
@bp.arguments(EventArgs, location="query")
@bp.response(200, EventListSchema)
def list_events(args):
    """The audit events you may see, oldest first, after ``after_id``.  Poll with the ``last_id`` you got."""
    stmt = sa.select(Event).where(Event.id > args["after_id"])
    if args.get("object_type"):
        stmt = stmt.where(Event.object_type == args["object_type"])
    if args.get("object_id"):
        stmt = stmt.where(Event.object_id == args["object_id"])
    items = db.session.scalars(_scoped(actor(), stmt).order_by(Event.id).limit(args["limit"])).all()
    return {"items": items, "last_id": items[-1].id if items else args["after_id"]}


def _start_after(args):
    header = request.headers.get("Last-Event-ID", "").strip()
    if header.isdigit() and len(header) < 19:
        return int(header)
    if args.get("after_id") is not None:
        return args["after_id"]
    # A fresh connection follows what happens from now on.
    return db.session.scalar(sa.select(sa.func.max(Event.id))) or 0


class _Credential:
    """What the stream re-checks now and then: is the token (or login session) still good, and who is it?"""

    def __init__(self, user_id, token_id=None, login_session_id=None):
        self.user_id = user_id
        self.token_id = token_id
        self.login_session_id = login_session_id

    def current_scope(self, session, now):
        """The scoped base query for the user as the database says now, or None when access has ended."""
        user = session.get(User, self.user_id)
        if user is None or not user.active:
            return None
        if self.token_id is not None:
            token = session.get(ApiToken, self.token_id)
            if token is None or not token.is_live(now):
                return None
        elif self.login_session_id is not None:
            login = session.get(LoginSession, self.login_session_id)
            if login is None or login.revoked_at is not None:
                return None
        return _scoped(user, sa.select(Event))


def _frame(event):
    data = json.dumps(_event_schema.dump(event), separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.id}\ndata: {data}\n\n"


def _stream(engine, clock, credential, scope, last_id, settings):
    """Yield SSE frames: events after ``last_id`` as they appear, a heartbeat comment when idle."""
    poll, heartbeat, recheck, lifetime = settings
    started = last_sent = last_check = time.monotonic()
    yield f"retry: 3000\n: connected, after event {last_id}\n\n"
    while True:
        with Session(engine) as session:
            now = time.monotonic()
            if now - last_check >= recheck:
                scope = credential.current_scope(session, clock.now())
                last_check = now
                if scope is None:
                    yield "event: end\ndata: {\"reason\": \"access ended\"}\n\n"
                    return
            events = session.scalars(scope.where(Event.id > last_id).order_by(Event.id).limit(BATCH)).all()
            frames = [_frame(e) for e in events]
        if frames:
            last_id = events[-1].id
            last_sent = time.monotonic()
            yield "".join(frames)
            if len(events) == BATCH:
                continue  # more are waiting: no pause
        elif time.monotonic() - last_sent >= heartbeat:
            last_sent = time.monotonic()
            yield ": heartbeat\n\n"
        if time.monotonic() - started >= lifetime:
            return  # the browser reconnects with Last-Event-ID; long streams would pin a worker thread forever
        time.sleep(poll)


@bp.route("/events/stream", methods=["GET"], tags=TAG)
@bp.arguments(StreamArgs, location="query")
@bp.doc(responses={200: {"description": "A Server-Sent Events stream: `id` is the event id, `data` one event "
                                        "as JSON; a comment line every ~15 s keeps the connection alive",
                         "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
def stream_events(args):
    """The events you may see, live, as Server-Sent Events.

    Resume with the `Last-Event-ID` header (browsers send it when they reconnect) or `after_id`;
    without either, the stream starts with the next new event.  The stream ends when your token or
    login session is revoked, and after a while in any case; clients reconnect.
    """
    config = current_app.config
    user = actor()
    credential = _Credential(user.id, g.get("api_token_id"), g.get("api_login_session_id"))
    settings = (config["SSE_POLL_SECONDS"], config["SSE_HEARTBEAT_SECONDS"], config["SSE_RECHECK_SECONDS"],
                config["SSE_MAX_SECONDS"])
    body = _stream(db.engine, current_app.extensions["monitoris.clock"], credential, _scoped(user, sa.select(Event)),
                   _start_after(args), settings)
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each frame through at once
    return response
