"""Performance analysis: the filters, the figures per body with the index, the monthly trend."""

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from monitoris.analysis import tables
from monitoris.analysis.sql import FIRST_DAY, LAST_DAY
from monitoris.models import ORGANIZATION_KINDS
from monitoris.schemas.common import MAX_ID, OneOf, QueryArgs, QueryId

FORMATS = ("json", "csv", "xlsx")
EXECUTIVE_KINDS = tuple(k for k in ORGANIZATION_KINDS if k != "control")


def _within_the_calendar(day):
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(_("Give a date from %(first)s to %(last)s.", first=FIRST_DAY.isoformat(),
                                last=LAST_DAY.isoformat()))


class AnalysisArgs(QueryArgs):
    date_from = fields.Date(validate=_within_the_calendar, metadata={
        "description": "Items due on or after this date; 1 January of this year when not given"})
    date_to = fields.Date(validate=_within_the_calendar, metadata={
        "description": "Items due on or before this date; 31 December of this year when not given"})
    act_id = QueryId(metadata={"description": "Only the tasks of this act"})
    controller_id = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), metadata={
        "description": "Only the tasks this controller controls (0: the tasks nobody controls)"})
    kind = OneOf(EXECUTIVE_KINDS, metadata={"description": "Only bodies of this kind"})
    format = OneOf(FORMATS, load_default="json", metadata={"description": "json, or a csv / xlsx file"})

    @validates_schema
    def _range(self, data, **kwargs):
        problem = tables.range_problem(data.get("date_from"), data.get("date_to"))
        if problem:
            raise ValidationError(problem, field_name="date_to" if data.get("date_to") else "date_from")


class TrendArgs(AnalysisArgs):
    organization_id = QueryId(metadata={"description": "One body's trend; by default the overall trend of what you "
                                                  "may see"})


def _number(description, integer=False):
    field = fields.Integer if integer else fields.Float
    return field(allow_none=True, metadata={"description": description})


class IndexLineSchema(Schema):
    component = fields.String(metadata={"description": "timeliness, overdue, returns, extensions, instructions"})
    label = fields.String()
    formula = fields.String()
    score = fields.Float(allow_none=True, metadata={"description": "0-100; null when there is nothing to measure"})
    weight = fields.Float(metadata={"description": "As configured"})
    effective_weight = fields.Float(metadata={"description": "After leaving out what cannot be measured"})
    contribution = fields.Float()


class FiguresMixin(Schema):
    assigned = _number("Items due in the range (assignments, and periods of recurring tasks)", True)
    accepted = _number("Accepted items", True)
    on_time = _number("Accepted, the report submitted on or before the effective due date", True)
    late = _number("Accepted after the effective due date", True)
    overdue = _number("Not accepted and past the due date today", True)
    open_not_due = _number("Not accepted, not yet due", True)
    timeliness = _number("on_time / (accepted + overdue) x 100")
    average_delay = _number("Days late at submission, or overdue until today; average over late and overdue items")
    median_delay = _number("The median of the same delays")


class OrganizationFiguresSchema(FiguresMixin):
    organization_id = fields.Integer(attribute="key")
    short_name = fields.String(attribute="name")
    name = fields.String(attribute="full_name")
    kind = fields.String()
    rank = fields.Integer(allow_none=True, metadata={"description": "1 is the best index; equal indexes share"})
    index = fields.Float(allow_none=True, metadata={"description": "Execution discipline index, 0-100"})
    grade = fields.String(allow_none=True, metadata={"description": "unsatisfactory, satisfactory or good"})
    restricted = fields.Boolean(metadata={"description": "True: another body's row, only its ranking shown"})
    reviews = _number("Report versions reviewed (accepted or returned)", True)
    returns = _number("Report versions returned for revision", True)
    return_rate = _number("returns / reviews x 100")
    extension_requests = _number("Extension requests made", True)
    extensions_granted = _number("Extension requests approved", True)
    days_added = _number("Days the approved extensions added", True)
    instructions_received = _number("Instructions issued in the range", True)
    instructions_answered = _number("Of those, answered", True)
    median_response_days = _number("Median days from issue to answer")
    working = fields.List(fields.Nested(IndexLineSchema), metadata={"description": "How the index was made"})


class OrganizationAnalysisSchema(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    today = fields.Date(required=True, metadata={"description": "Overdue is as of this date"})
    items = fields.List(fields.Nested(OrganizationFiguresSchema), required=True)


class MonthSchema(FiguresMixin):
    month = fields.String(metadata={"description": "YYYY-MM of the due date"})


class TrendSchema(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    today = fields.Date(required=True)
    organization_id = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(MonthSchema), required=True)
