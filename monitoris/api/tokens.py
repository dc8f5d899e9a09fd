"""/auth/tokens: personal access tokens, created with a password, listed and revoked by their owner."""

from flask import current_app, request, url_for
from flask_babel import gettext as _

from monitoris.api.core import actor, bp, public
from monitoris.errors import Forbidden
from monitoris.extensions import db, limiter
from monitoris.schemas.common import MAX_ID
from monitoris.schemas.tokens import NewTokenSchema, TokenListSchema, TokenRequestSchema
from monitoris.services import auth, tokens, two_factor

TAG = ["Tokens"]


def _token_rate_limit():
    return current_app.config["RATELIMIT_TOKENS"]


@bp.route("/auth/tokens", methods=["POST"], tags=TAG)
@public
@limiter.limit(_token_rate_limit)
@bp.arguments(TokenRequestSchema)
@bp.response(201, NewTokenSchema)
@bp.doc(security=[])
def create_token(args):
    """Create a token with email and password (and `totp` for an account with two-factor login).

    The token is in the answer once and never again; send it as `Authorization: Bearer <token>`.
    `totp` is the current code of the authenticator app (a code is accepted once) or a recovery code.
    Failed attempts count towards the account lockout and the per-address throttle, and the endpoint
    is rate limited (429).
    """
    ip = request.remote_addr
    try:
        user = auth.authenticate(args["email"], args["password"], ip=ip)
        if user.totp_secret:
            if not args.get("totp"):
                raise auth.LoginFailed(_("This account uses two-factor login: send the current code as totp."))
            two_factor.verify_login(user, args["totp"], ip=ip)
    except auth.LoginFailed:
        db.session.commit()  # keep the failed attempt counted and audited
        raise
    if two_factor.needs_enrolment(user):
        raise Forbidden(_("Your role requires two-factor login: set it up in Monitoris first (%(url)s).",
                          url=url_for("two_factor.setup")))
    user.ip = request.remote_addr
    token = tokens.create_token(user, name=args["name"], expires_in_days=args.get("expires_in_days"))
    db.session.commit()
    return token


@bp.route("/auth/tokens", methods=["GET"], tags=TAG)
@bp.response(200, TokenListSchema)
def list_tokens():
    """Your tokens that have not been revoked (never their values)."""
    return {"items": tokens.tokens_of(actor())}


@bp.route(f"/auth/tokens/<int(min=1, max={MAX_ID}):token_id>", methods=["DELETE"], tags=TAG)
@bp.response(204)
def revoke_token(token_id):
    """Revoke one of your tokens; it stops working at once."""
    tokens.revoke_token(actor(), token_id)
    db.session.commit()
