"""Demonstration data: a national action plan, its executive bodies, and work in every state.

Everything goes through the services, so the audit trail, the timelines and the rules are
real.  Dates are relative to today, so the demo always has overdue work and work due soon.
The clock is moved back while the history is written, so timelines read like a real year.
"""

import io
import zipfile
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app

from monitoris import clock
from monitoris.clock import FrozenClock
from monitoris.extensions import db
from monitoris.models import Organization
from monitoris.services import (
    acts,
    assignments,
    documents,
    extensions,
    instructions,
    organizations,
    reports,
    tasks,
    users,
)

PASSWORD = "monitoris-demo"

ORGANIZATIONS = [
    # short, name, kind, parent
    ("CD", "Presidential Administration — Department for Control over Execution", "control", None),
    ("SA", "State Agency for Public Service and Social Innovations", "central", None),
    ("SA-ASAN1", "ASAN Service Centre No. 1", "other", "SA"),
    ("MT", "Ministry of Digital Development and Transport", "central", None),
    ("MT-EGOV", "E-Government Development Centre", "other", "MT"),
    ("MF", "Ministry of Finance", "central", None),
    ("MJ", "Ministry of Justice", "central", None),
    ("ME", "Ministry of Education", "central", None),
    ("MEC", "Ministry of Economy", "central", None),
    ("BCEA", "Baku City Executive Authority", "local", None),
    ("GCEA", "Ganja City Executive Authority", "local", None),
    ("SCEA", "Sumgait City Executive Authority", "local", None),
    ("SOFAZ", "State Oil Fund", "state_company", None),
]

ACCOUNTS = [
    # email, name, organization, roles
    ("admin@monitoris.example", "Aysel Mammadova", "CD", {"admin"}),
    ("controller@monitoris.example", "Rashad Aliyev", "CD", {"controller"}),
    ("controller2@monitoris.example", "Leyla Huseynova", "CD", {"controller"}),
    ("observer@monitoris.example", "Elvin Gasimov", "CD", {"observer"}),
    ("head.sa@monitoris.example", "Nigar Ismayilova", "SA", {"org_head"}),
    ("executor.sa@monitoris.example", "Farid Babayev", "SA", {"executor"}),
    ("executor.asan1@monitoris.example", "Gunel Rzayeva", "SA-ASAN1", {"executor"}),
    ("head.mt@monitoris.example", "Tural Hasanov", "MT", {"org_head"}),
    ("executor.mt@monitoris.example", "Sevinj Karimova", "MT", {"executor"}),
    ("executor.mf@monitoris.example", "Orkhan Valiyev", "MF", {"executor"}),
    ("executor.mj@monitoris.example", "Kamala Abbasova", "MJ", {"executor"}),
    ("executor.bcea@monitoris.example", "Ilgar Najafov", "BCEA", {"executor"}),
]

# The accounts printed by ``make run`` (the rest exist to make the data look like a country).
FEATURED = [
    ("admin@monitoris.example", "admin"),
    ("controller@monitoris.example", "controller"),
    ("observer@monitoris.example", "observer"),
    ("head.sa@monitoris.example", "org_head of SA (State Agency for Public Service and Social Innovations)"),
    ("executor.sa@monitoris.example", "executor of SA"),
    ("head.mt@monitoris.example", "org_head of MT (Ministry of Digital Development and Transport)"),
    ("executor.mt@monitoris.example", "executor of MT"),
]

Y = None  # the current year and date, set in load()
TODAY = None

# number, event name, assessment indicator, period (start year offset, end year offset) or "regular"
PLAN = [
    ("1", "Better public e-services", None, None),
    ("1.1", "Move the registration of residence and civil status certificates to the e-government portal",
     "Share of applications submitted online (%)", (0, 1)),
    ("1.2", "Open ASAN service points in the regions not yet covered",
     "Number of new service points and regions covered", (0, 2)),
    ("1.3", "Publish service standards with maximum waiting times for every public service",
     "Number of service standards published", (0, 0)),
    ("1.4", "Measure user satisfaction after every service and publish the results quarterly",
     "Quarterly satisfaction reports published", "regular"),
    ("2", "Transparency in public finance", None, None),
    ("2.1", "Publish the citizens' budget in plain language", "Citizens' budget published each year", "regular"),
    ("2.2", "Put all public procurement contracts above 50,000 AZN on the open procurement portal",
     "Share of contracts published (%)", (0, 1)),
    ("2.3", "Publish the annual report of the State Oil Fund with an independent audit opinion",
     "Audited report published", (0, 2)),
    ("3", "Preventing corruption in the public service", None, None),
    ("3.1", "Adopt rules on conflicts of interest for civil servants",
     "Rules adopted and published", (0, 0)),
    ("3.2", "Train civil servants on ethics and conflict-of-interest rules",
     "Number of civil servants trained", (0, 2)),
    ("3.3", "Launch an electronic asset declaration system for officials",
     "System in operation; share of declarations filed electronically", (0, 1)),
    ("4", "Legal education and public participation", None, None),
    ("4.1", "Awareness of citizens' rights", None, None),
    ("4.1.1", "Hold awareness events on citizens' rights in public services",
     "Number of awareness events held and people reached", "regular"),
    ("4.1.2", "Produce video guides to the most used e-services", "Number of video guides published", (0, 1)),
    ("4.2", "Hold public hearings on draft normative legal acts in every city executive authority",
     "Number of public hearings held", (0, 2)),
    ("4.3", "Create a single portal for public consultation on draft legislation",
     "Portal launched; number of drafts consulted", (0, 1)),
    ("4.4", "Report to the public on the implementation of this plan",
     "Annual implementation report published", "regular"),
]

# number -> [(organization, days from today to due date, final state, progress, responsible email)]
# Negative days: the due date has passed.
WORK = {
    "1.1": [("SA", -12, "in_progress", 60, "executor.sa"), ("MT", -12, "submitted", 90, "executor.mt")],
    "1.2": [("SA", 40, "delegated", 30, "executor.sa")],
    "1.3": [("SA", -30, "accepted_on_time", 100, "executor.sa")],
    "1.4": [("SA", 5, "in_progress", 50, "executor.sa")],
    "2.1": [("MF", 3, "in_progress", 70, "executor.mf")],
    "2.2": [("MF", -5, "assigned", 0, "executor.mf"), ("MT", -5, "in_progress", 40, "executor.mt")],
    "2.3": [("SOFAZ", 120, "assigned", 0, None)],
    "3.1": [("MJ", -45, "accepted_late", 100, "executor.mj")],
    "3.2": [("MJ", 60, "in_progress", 35, "executor.mj"), ("SA", 60, "in_progress", 20, "executor.sa")],
    "3.3": [("MT", 6, "submitted", 95, "executor.mt"), ("MJ", 6, "in_progress", 50, "executor.mj")],
    "4.1.1": [("BCEA", -2, "in_progress", 45, "executor.bcea"), ("GCEA", 20, "assigned", 0, None),
              ("SCEA", 20, "cancelled", 0, None)],
    "4.1.2": [("MT", 2, "returned", 70, "executor.mt"), ("SA", -25, "accepted_on_time", 100, "executor.sa")],
    "4.2": [("BCEA", 90, "in_progress", 25, "executor.bcea"), ("GCEA", 90, "assigned", 0, None)],
    "4.3": [("MT", -20, "in_progress", 55, "executor.mt"), ("MJ", -20, "accepted_on_time", 100, "executor.mj"),
            ("SA", -20, "accepted_on_time", 100, "executor.sa")],
    "4.4": [("SA", 30, "assigned", 0, None), ("MEC", 30, "assigned", 0, None)],
}


def _at(days_ago, hour=10):
    """A moment ``days_ago`` days before the real today, at ``hour`` o'clock local time."""
    day = TODAY - timedelta(days=days_ago)
    return datetime.combine(day, time(hour), tzinfo=clock.zone()).astimezone(UTC)


def _period(spec):
    if spec is None:
        return None, None, "none"
    if spec == "regular":
        # As the plans print it: "Regular", an ongoing duty with no years of its own.
        return None, None, "annual"
    start, end = spec
    return date(Y + start, 1, 1), date(Y + end, 12, 31), "none"


def load():
    """Write the demo into an empty database (the caller commits)."""
    global Y, TODAY
    real_clock = current_app.extensions["monitoris.clock"]
    today = TODAY = clock.today()
    Y = today.year
    history = FrozenClock(_at(90, 9))
    current_app.extensions["monitoris.clock"] = history
    try:
        _load(today, history)
    finally:
        current_app.extensions["monitoris.clock"] = real_clock


def _load(today, history):
    # Bootstrap: the first organization and admin exist before anyone can act.
    orgs = {}
    cd = Organization(name=ORGANIZATIONS[0][1], short_name="CD", kind="control", path="")
    db.session.add(cd)
    db.session.flush()
    cd.path = f"/{cd.id}/"
    orgs["CD"] = cd
    people = {}
    admin = users.create_user(None, email=ACCOUNTS[0][0], name=ACCOUNTS[0][1], organization_id=cd.id,
                              roles=ACCOUNTS[0][3], password=PASSWORD)
    people["admin"] = admin
    for short, name, kind, parent in ORGANIZATIONS[1:]:
        orgs[short] = organizations.create_organization(
            admin, name=name, short_name=short, kind=kind, parent_id=orgs[parent].id if parent else None,
            email=f"office@{short.lower()}.gov.example", phone="+994 12 000 00 00")
    for email, name, org, roles in ACCOUNTS[1:]:
        people[email.split("@")[0]] = users.create_user(
            admin, email=email, name=name, organization_id=orgs[org].id, roles=roles, password=PASSWORD,
            phone="+994 50 000 00 00")
    controller = people["controller"]
    controller2 = people["controller2"]

    history.advance(days=2)
    plan = acts.create_act(
        controller, kind="action_plan", number="1450", signed_on=today - timedelta(days=120),
        title=f"National Action Plan on Promoting Open Government for {Y}-{Y + 2}",
        issuer="President of the Republic",
        summary="Measures to make public services digital and accountable, public finance transparent, "
                "the public service free of conflicts of interest, and citizens informed and heard.")
    by_number = {}
    for i, (number, title, indicator, period) in enumerate(PLAN):
        start, end, recurrence = _period(period)
        by_number[number] = tasks.create_task(
            controller, plan, number=number, title=title, indicator=indicator, period_start=start,
            period_end=end, recurrence=recurrence, controller_id=(controller if i % 3 else controller2).id,
            published=True, priority="high" if number in ("1.1", "3.3") else "normal")
    tasks.add_stage(controller, by_number["1.1"], title="Legal amendments adopted", due_on=today - timedelta(60))
    tasks.add_stage(controller, by_number["1.1"], title="Portal service launched in test", due_on=today - timedelta(25))
    tasks.add_stage(controller, by_number["1.1"], title="All regions connected", due_on=today + timedelta(30))
    by_number["1.1"].stages[0].done_on = today - timedelta(58)
    tasks.add_requirement(controller, by_number["1.1"], text="Copy of the adopted amendments", document_kinds="pdf")
    tasks.add_requirement(controller, by_number["1.1"], text="Statistics of online applications by month",
                          document_kinds="xlsx")
    tasks.add_requirement(controller, by_number["3.1"], text="The adopted rules as published", document_kinds="pdf")
    acts.update_act(controller, plan, state="active")

    second = acts.create_act(
        controller, kind="decree", number="318", signed_on=today - timedelta(days=100),
        title="Decree on the digital archive of state bodies", issuer="President of the Republic",
        summary="Draft plan under preparation.")
    tasks.create_task(controller, second, number="1", title="Prepare the regulation on electronic archives",
                      indicator="Regulation approved", period_start=date(Y, 1, 1), period_end=date(Y, 12, 31))

    history.advance(days=3)
    work = []
    for number, rows in WORK.items():
        for short, due_in, final, progress, responsible in rows:
            task = by_number[number]
            role = "lead" if rows[0][0] == short else "co_executor"
            a = assignments.assign(controller, task, orgs[short], due_on=today + timedelta(days=due_in), role=role,
                                   responsible=people.get(responsible) if responsible else None)
            work.append((a, final, progress))

    history.at = _at(60)
    for a, final, _ in work:
        if final in ("assigned", "cancelled"):
            continue
        worker = _worker(people, a)
        assignments.transition(worker, a, "start")
        history.advance(hours=1)
    history.at = _at(30)
    for a, final, progress in work:
        if final == "cancelled":
            assignments.transition(controller, a, "cancel",
                                   "The city's hearings are covered by the regional programme instead.")
        elif final == "in_progress":
            assignments.update(_worker(people, a), a, progress=progress)
        history.advance(minutes=30)

    for a, final, progress in work:
        worker = _worker(people, a) if final not in ("assigned", "cancelled", "in_progress") else None
        if final == "accepted_on_time":
            history.at = _at((today - a.due_on).days + 3)
            report = _report(worker, a, "The measure is complete; the publication is attached.", 100)
            history.advance(days=2)
            reports.review(controller, report, "accept", checked=_all_requirements(a))
        elif final == "accepted_late":
            history.at = _at((today - a.due_on).days + 5)
            report = _report(worker, a, "The rules on conflicts of interest were adopted by the Cabinet.", 100)
            history.advance(days=1)
            reports.review(controller, report, "return",
                           "The rules are not yet published in the official gazette. Attach the publication.")
            history.advance(days=9)
            revision = reports.create(worker, a)
            reports.update(worker, revision, text=revision.text + " Published in the official gazette, issue 12.")
            _attach(worker, revision, "gazette-publication.pdf", _pdf("Official gazette, issue 12"))
            reports.submit(worker, revision)
            history.advance(days=2)
            reports.review(controller, revision, "accept", checked=_all_requirements(a))
        elif final == "submitted":
            history.at = _at(2)
            _report(worker, a, "Online applications reached 68% of all applications in the last quarter; "
                               "the remaining regions connect next month.", progress)
        elif final == "returned":
            history.at = _at(6)
            report = _report(worker, a, "Two video guides are published on the e-government portal.", progress)
            history.advance(days=1)
            reports.review(controller, report, "return",
                           "Only two of the five planned guides are published. Report again when "
                           "the remaining three are online, with their links.")
        elif final == "delegated":
            head = people["head.sa"]
            history.at = _at(20)
            assignments.delegate(head, a, organization=a.organization.children[0] if a.organization.children
                                 else a.organization, responsible=people["executor.asan1"],
                                 due_on=a.due_on - timedelta(days=10),
                                 note="Open the points in Shaki and Lankaran; report weekly.")
            sub = a.sub_assignments[0]
            assignments.transition(people["executor.asan1"], sub, "start")
            assignments.update(people["executor.asan1"], sub, progress=progress)
    _instructions_and_extensions(people, {(a.task.number, a.organization.short_name): a for a, _, _ in work})
    db.session.flush()


def _pdf(title):
    """A small, valid one-page PDF saying ``title``."""
    text = title.replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _xlsx(rows):
    """A minimal XLSX workbook with one sheet of ``rows`` (inline strings and numbers)."""
    def cell(value):
        if isinstance(value, int | float):
            return f"<c><v>{value}</v></c>"
        return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
    sheet = "".join(f"<row>{''.join(cell(v) for v in row)}</row>" for row in rows)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
                   'formats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                   f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                   f'<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>'
                   f'{sheet}</sheetData></worksheet>')
    return buffer.getvalue()


def _attach(actor, owner, filename, content):
    return documents.attach(actor, owner, io.BytesIO(content), filename)


def _report(worker, assignment, text, progress):
    """A report with its evidence, submitted."""
    report = reports.create(worker, assignment, text=text, progress=progress)
    number = assignment.task.number
    _attach(worker, report, f"report-{number}.pdf", _pdf(f"Report on measure {number}"))
    _attach(worker, report, f"indicators-{number}.xlsx",
            _xlsx([["Month", "Value"], ["January", 41], ["February", 52], ["March", 68]]))
    reports.submit(worker, report)
    return report


def _all_requirements(assignment):
    return [r.id for r in assignment.task.evidence_requirements]


def _instructions_and_extensions(people, by_key):
    """Instructions in every state and extension requests (one approved, one pending)."""
    controller = people["controller"]
    history = current_app.extensions["monitoris.clock"]
    history.at = _at(15)
    instructions.issue(controller, by_key[("1.1", "SA")], kind="request",
                       text="Send the monthly statistics of online applications by region.",
                       response_due_on=TODAY + timedelta(days=5))
    acknowledged = instructions.issue(controller, by_key[("2.2", "MT")], kind="instruction",
                                      text="Publish the contracts of the first quarter before the end of the month.",
                                      response_due_on=TODAY - timedelta(days=3))
    answered = instructions.issue(controller, by_key[("3.2", "SA")], kind="recommendation",
                                  text="Include the new conflict-of-interest rules in the training programme.")
    closed = instructions.issue(controller, by_key[("4.3", "MT")], kind="request",
                                text="Explain the delay of the consultation portal.",
                                response_due_on=TODAY - timedelta(days=10))
    history.advance(days=1)
    instructions.acknowledge(people["executor.mt"], acknowledged)
    instructions.acknowledge(people["executor.sa"], answered)
    history.advance(days=2)
    note = b"Training programme for the second half-year, module 4: conflicts of interest.\n"
    _attach(people["executor.sa"], answered, "training-programme.txt", note)
    instructions.respond(people["executor.sa"], answered, "The module is added; the programme is attached.")
    instructions.respond(people["executor.mt"], closed, "The hosting contract was signed late; launch in 30 days.")
    history.advance(days=1)
    instructions.close(controller, closed, "Explanation accepted; keep to the new date.")

    history.at = _at(10)
    approved_on = by_key[("1.4", "SA")]
    request = extensions.request(people["executor.sa"], approved_on, proposed_due_on=approved_on.due_on
                                 + timedelta(days=14), reason="The survey contractor delivered the data late.")
    history.advance(days=1)
    extensions.decide(controller, request, "approved", "Granted once; no further extension.")
    pending_on = by_key[("2.2", "MF")]
    extensions.request(people["executor.mf"], pending_on, proposed_due_on=pending_on.due_on + timedelta(days=30),
                       reason="The procurement portal migration blocks publication until next month.")


def _worker(people, assignment):
    if assignment.responsible is not None:
        return assignment.responsible
    return next(p for p in people.values()
                if p.organization_id == assignment.organization_id and p.has_role("executor", "org_head"))


def accounts_text(base_url):
    lines = [f"Monitoris demo at {base_url} — every account's password is: {PASSWORD}"]
    lines += [f"  {email:<34} {what}" for email, what in FEATURED]
    return "\n".join(lines)
