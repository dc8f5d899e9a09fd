"""Importing an action plan into an act: understand every row, report every problem, then write it all.

``prepare`` reads and checks the whole file without writing anything: the result is the plan (the
task tree and the assignments it would create) with every problem and its row number.  ``run``
writes a valid plan (``writer``: the services' permission rule, audit events and messages, in bulk)
in the caller's transaction, so the view commits all of it or nothing.

Choices a plan file leaves open, decided here:

* a row with a number and a title only (no indicator, period, bodies or due date) is a section;
* ``2016-2018`` sets the period to 1 Jan 2016 - 31 Dec 2018; ``Regular``/``Daimi``/``Постоянно``
  sets the recurrence to annual with no end (``2016-2018, regular`` sets both);
* the due date of a measure's assignments is the due-date column when the file has one, else the
  end of the fulfilment period, else (a regular measure without years) 31 December of the current
  year, the first annual reporting deadline; a measure with bodies and none of these is an error;
* the first executive body is the lead, the others co-executors;
* a number is its ASCII digit parts: leading zeros and a closing dot do not count, so ``1.01.`` is 1.1
  (and a duplicate of a row 1.1), while look-alike digits such as ``١٢`` are not a number;
* a number the act already has is reported as existing and left as it is (a re-import adds only
  what is new, never duplicates).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from monitoris import clock, permissions
from monitoris.errors import Conflict, Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import Assignment, Organization, Task
from monitoris.models.task import MAX_NUMBER, normalize_number, number_sort_key
from monitoris.plans import writer
from monitoris.plans.parse import read_plan

# ASCII digits only, as services.tasks: \d would also take look-alikes such as "١٢" (Arabic-Indic digits).
NUMBER_RE = re.compile(r"[0-9]+(\.[0-9]+)*\.?")
SECTION_CELL_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)*)\.?\s+(\S.*)$", re.S)
YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
MIN_YEAR, MAX_YEAR = 1990, 2100
REGULAR_PHRASES = (
    "regular", "regularly", "permanent", "permanently", "ongoing", "continuous", "continuously", "constantly",
    "annually", "every year", "on a regular basis", "daimi", "mütəmadi", "davamlı", "hər il", "il ərzində",
    "постоянно", "регулярно", "на постоянной основе", "ежегодно",
)
YEAR_WORDS = {"year", "years", "il", "illər", "ildə", "ci", "cı", "cu", "cü", "г", "гг", "год", "годы", "годов"}
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y")
BODY_SPLIT_RE = re.compile(r"[;\n]+")


@dataclass
class Problem:
    row: int | None  # None for the file as a whole
    column: str | None  # a field of parse.FIELDS
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Body:
    organization: Organization
    role: str  # lead or co_executor


@dataclass
class PlanItem:
    row: int
    number: str
    title: str
    indicator: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    recurrence: str = "none"
    due_on: date | None = None  # the task's own due date
    assignment_due_on: date | None = None
    bodies: list = field(default_factory=list)
    section: bool = False
    exists: bool = False
    task_id: int | None = None

    @property
    def sort_key(self):
        return number_sort_key(self.number)

    @property
    def depth(self):
        return self.number.count(".")

    @property
    def parent_number(self):
        return self.number.rsplit(".", 1)[0] if "." in self.number else None

    @property
    def kind(self):
        return "section" if self.section else "measure"

    @property
    def status(self):
        return "exists" if self.exists else "new"

    @property
    def period_label(self):
        # The same words the act page uses (Task.period_label), without a Task object.
        return Task(number="0", title="", period_start=self.period_start, period_end=self.period_end,
                    recurrence=self.recurrence).period_label


@dataclass
class Plan:
    act: object
    format: str | None = None
    items: list = field(default_factory=list)  # in tree order
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    imported: bool = False
    created_tasks: int = 0
    created_assignments: int = 0

    @property
    def valid(self):
        return not self.errors

    @property
    def new_items(self):
        return [i for i in self.items if not i.exists]

    @property
    def existing_items(self):
        return [i for i in self.items if i.exists]

    def counts(self):
        new = self.new_items
        return {
            "rows": len(self.items),
            "sections": sum(1 for i in new if i.section),
            "measures": sum(1 for i in new if not i.section),
            "assignments": sum(len(i.bodies) for i in new),
            "existing": len(self.existing_items),
            "errors": len(self.errors),
            "created_tasks": self.created_tasks,
            "created_assignments": self.created_assignments,
        }

    def error_messages(self):
        """{"row 12": [messages]} (and "file" for the file as a whole): the API's field errors."""
        grouped = {}
        for p in self.errors:
            grouped.setdefault("file" if p.row is None else f"row {p.row}", []).append(p.message)
        return grouped


# -- reading the cells -------------------------------------------------------------------

def _text(value):
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _number_text(value):
    if isinstance(value, datetime | date):
        return None, _("The number was turned into a date by the spreadsheet; format the No. column as text.")
    if isinstance(value, float):
        value = repr(value) if not value.is_integer() else str(int(value))
    return _text(value), None


def _squash_words(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[-–—,.;:/()]", " ", text).split())


def parse_period(value):
    """(period_start, period_end, recurrence) from "2016-2018", "2016", "Regular", "2016-2018, daimi"."""
    if value is None or value == "":
        return None, None, "none"
    if isinstance(value, datetime | date):
        raise ValueError(_("Write the fulfilment period as years (2016-2018) or Regular, not as a date."))
    if isinstance(value, int | float):
        value = _text(value)
    text = _squash_words(str(value))
    years = [int(y) for y in YEAR_RE.findall(text)]
    rest = f" {YEAR_RE.sub(' ', text)} "
    recurrence = "none"
    for phrase in sorted(REGULAR_PHRASES, key=len, reverse=True):
        if f" {phrase} " in rest:
            recurrence = "annual"
            rest = rest.replace(f" {phrase} ", " ")
    leftover = [w for w in rest.split() if w not in YEAR_WORDS]
    if leftover or len(years) > 2 or (not years and recurrence == "none"):
        raise ValueError(_("The fulfilment period “%(value)s” is not understood: write years like 2016-2018 or "
                           "2017, or Regular.", value=value))
    if not years:
        return None, None, recurrence
    first, last = years[0], years[-1]
    if not (MIN_YEAR <= first <= MAX_YEAR and MIN_YEAR <= last <= MAX_YEAR):
        raise ValueError(_("The fulfilment period “%(value)s” has a year outside %(min)s-%(max)s.", value=value,
                           min=MIN_YEAR, max=MAX_YEAR))
    if last < first:
        raise ValueError(_("The fulfilment period “%(value)s” ends before it starts.", value=value))
    return date(first, 1, 1), date(last, 12, 31), recurrence


def parse_date(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        text = _text(value)
        result = None
        if re.fullmatch(r"\d{4}", text):
            result = date(int(text), 12, 31)  # a year alone: by the end of it
        for fmt in DATE_FORMATS:
            if result is not None:
                break
            try:
                result = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        if result is None:
            raise ValueError(_("The due date “%(value)s” is not a date: write it like 31.12.2026 or 2026-12-31.",
                               value=text))
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(_("The due date %(date)s is outside %(min)s-%(max)s.", date=result.isoformat(), min=MIN_YEAR,
                           max=MAX_YEAR))
    return result


def _org_key(text):
    return " ".join(unicodedata.normalize("NFKC", text).casefold().strip(" .,;:-•*\t").split())


class Directory:
    """Executive bodies by short name and by full name, loaded once per import."""

    def __init__(self):
        self.by_key = {}
        for org in db.session.scalars(sa.select(Organization).order_by(Organization.id)):
            self.by_key.setdefault(_org_key(org.short_name), org)
            self.by_key.setdefault(_org_key(org.name), org)

    def find(self, text):
        return self.by_key.get(_org_key(text))

    def parse(self, cell):
        """([organizations in order], [names not found]) from "MT, SA; Ministry of Justice"."""
        found, unknown = [], []
        for part in BODY_SPLIT_RE.split(cell):
            if not _org_key(part):
                continue
            org = self.find(part)
            if org is not None:
                found.append(org)
                continue
            # A full name may contain a comma, so the whole part is tried first, then its pieces.
            for piece in part.split(","):
                if not _org_key(piece):
                    continue
                org = self.find(piece)
                if org is None:
                    unknown.append(piece.strip(" .;:-•*\t"))
                else:
                    found.append(org)
        unique = list(dict.fromkeys(found))
        return unique, unknown


# -- checking the plan ---------------------------------------------------------------------

def _merged_section(cells):
    """A DOCX/XLSX row whose one merged cell reads "1. Better public e-services": (number, title)."""
    values = [v for v in cells.values() if v is not None]
    texts = {str(v) for v in values}
    number = cells.get("number")
    if isinstance(number, str) and len(texts) == 1:
        match = SECTION_CELL_RE.match(number)
        if match and "\n" not in match.group(1):
            return match.group(1), match.group(2).strip()
    return None


def _item_from_row(raw, directory, today, problems, seen):
    cells = raw.cells
    row = raw.row
    start = len(problems)

    def problem(column, message):
        problems.append(Problem(row, column, message))

    merged = _merged_section(cells)
    if merged:
        number, title = merged
        cells = {"number": number, "title": title}
    else:
        number, error = _number_text(cells.get("number"))
        if error:
            problem("number", error)
        title = _text(cells.get("title"))
    if number is not None and not NUMBER_RE.fullmatch(number):
        problem("number", _("“%(number)s” is not a task number: write digits separated by dots, like 4 or 4.1.1.",
                             number=number))
    elif number is None and not problems[start:]:
        problem("number", _("The row has no number."))
    elif number is not None and len(normalize_number(number)) > MAX_NUMBER:
        problem("number", _("The number is longer than %(max)s characters.", max=MAX_NUMBER))
    if not title:
        problem("title", _("The event name is empty."))
    indicator = _text(cells.get("indicator"))
    try:
        period_start, period_end, recurrence = parse_period(cells.get("period"))
    except ValueError as exc:
        problem("period", str(exc))
        period_start = period_end = None
        recurrence = "none"
    try:
        due_on = parse_date(cells.get("due_on"))
    except ValueError as exc:
        problem("due_on", str(exc))
        due_on = None
    bodies = []
    bodies_cell = _text(cells.get("bodies"))
    if bodies_cell:
        found, unknown = directory.parse(bodies_cell)
        for name in unknown:
            problem("bodies", _("Unknown executive body “%(name)s”: use the short name or the full name of an "
                                "organization in the directory.", name=name))
        for org in found:
            if org.kind == "control":
                problem("bodies", _("%(name)s is a control body, not an executive body.", name=org.short_name))
            elif not org.active:
                problem("bodies", _("%(name)s is no longer active.", name=org.short_name))
        bodies = [Body(org, "lead" if i == 0 else "co_executor") for i, org in enumerate(found)]
    if number is not None and NUMBER_RE.fullmatch(number):
        number = normalize_number(number)
        seen.append(number)
    if problems[start:]:
        return None
    section = not (indicator or bodies_cell or cells.get("period") not in (None, "") or due_on)
    assignment_due = due_on or period_end
    if assignment_due is None and recurrence != "none":
        assignment_due = date(today.year, 12, 31)
    if bodies and assignment_due is None:
        problem("due_on", _("Measure %(number)s has neither a fulfilment period nor a due date, so its executive "
                            "bodies would have no deadline.", number=number))
        return None
    return PlanItem(row=row, number=number, title=title, indicator=indicator, period_start=period_start,
                    period_end=period_end, recurrence=recurrence, due_on=due_on or period_end,
                    assignment_due_on=assignment_due, bodies=bodies, section=section)


def _existing_tasks(act):
    """{number: (task id, has assignments)} of the act's tasks, in one query."""
    assigned = sa.exists().where(Assignment.task_id == Task.id)
    rows = db.session.execute(sa.select(Task.number, Task.id, assigned).where(Task.act_id == act.id))
    return {number: (task_id, bool(has)) for number, task_id, has in rows}


def check_rows(act, raw_rows, *, today=None):
    """The plan of ``raw_rows`` (parse.RawRow) against ``act``: items in tree order and every problem."""
    today = today or clock.today()
    plan = Plan(act)
    problems = []
    directory = Directory()
    items, first_row = [], {}
    for raw in raw_rows:
        numbers = []
        item = _item_from_row(raw, directory, today, problems, numbers)
        number = numbers[0] if numbers else None
        if number is not None and number in first_row:
            problems.append(Problem(raw.row, "number", _("Duplicate number %(number)s: row %(row)s has it too.",
                                                         number=number, row=first_row[number])))
            continue
        if number is not None:
            first_row[number] = raw.row
        if item is not None:
            items.append(item)
    existing = _existing_tasks(act)
    in_file = {i.number: i for i in items}
    for item in items:
        if item.number in existing:
            item.exists = True
            item.task_id = existing[item.number][0]
        parent = item.parent_number
        if parent is None:
            continue
        if parent in existing:
            if existing[parent][1] and not item.exists:
                problems.append(Problem(item.row, "number", _(
                    "Task %(parent)s is already assigned to executive bodies, so it cannot hold %(number)s.",
                    parent=parent, number=item.number)))
        elif parent not in in_file and parent not in first_row:
            problems.append(Problem(item.row, "number", _(
                "%(number)s has no parent: there is no %(parent)s in the file or in the act.",
                number=item.number, parent=parent)))
        elif parent in in_file and in_file[parent].bodies:
            problems.append(Problem(item.row, "number", _(
                "%(parent)s (row %(row)s) has executive bodies, so it is a measure and cannot hold %(number)s.",
                parent=parent, row=in_file[parent].row, number=item.number)))
    # A row with a problem is not read without problems: it is listed with its problems only.
    troubled = {p.row for p in problems}
    items = [i for i in items if i.row not in troubled]
    for item in items:
        if not item.exists and not item.section and not item.bodies:
            plan.warnings.append(Problem(item.row, "bodies", _(
                "%(number)s has no executive body; it will be created unassigned.", number=item.number)))
        if item.exists:
            plan.warnings.append(Problem(item.row, "number", _(
                "%(number)s already exists in this act; the row is skipped.", number=item.number)))
    plan.items = sorted(items, key=lambda i: i.sort_key)
    plan.errors = sorted(problems, key=lambda p: (p.row or 0))
    return plan


def _check_actor(actor, act):
    if not permissions.can_manage_acts(actor):
        raise Forbidden(_("Only a controller may import a plan."))
    if act.state == "closed":
        raise Forbidden(_("The act is closed: no tasks can be added to it."))


def prepare(actor, act, data, filename=None, *, today=None):
    """Read and check ``data``; nothing is written.  A file that is not a plan raises ValidationError."""
    _check_actor(actor, act)
    parsed = read_plan(data, filename)
    plan = check_rows(act, parsed.rows, today=today)
    plan.format = parsed.format
    if not parsed.rows:
        plan.errors.append(Problem(None, None, _("The table has a header row but no rows under it.")))
    return plan


def run(actor, act, plan):
    """Write a valid plan in the caller's transaction; the caller commits (or rolls back on an error)."""
    _check_actor(actor, act)
    if not plan.valid:
        raise ValidationError(_("The plan has errors; nothing was imported."), errors=plan.error_messages())
    try:
        tasks, assignments = writer.write(actor, act, plan.items)
    except IntegrityError:
        # Someone added the same numbers between the check and the write: the database refused.
        raise Conflict(_("The act changed while the plan was being imported; nothing was imported. "
                         "Check the file again.")) from None
    plan.created_tasks, plan.created_assignments = len(tasks), len(assignments)
    plan.imported = True
    return plan


def import_plan(actor, act, data, filename=None, *, dry_run=False, today=None):
    """Prepare, and unless ``dry_run`` or invalid, run.  Returns the Plan (``plan.valid`` says which)."""
    plan = prepare(actor, act, data, filename, today=today)
    if not dry_run and plan.valid:
        run(actor, act, plan)
    return plan


def describe(item):
    """One line of the plan for the command line."""
    bodies = ", ".join(f"{b.organization.short_name}{'' if b.role == 'lead' else ' (co)'}" for b in item.bodies)
    mark = "=" if item.exists else "+"
    return f"{mark} {'  ' * item.depth}{item.number} {item.title[:70]}" + (f" [{bodies}]" if bodies else "")

