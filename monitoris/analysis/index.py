"""The execution discipline index (0-100): a weighted average of scores, each 0-100, shown with its working.

The weights (``MONITORIS_ANALYSIS_WEIGHTS``) and the grade bands (``MONITORIS_ANALYSIS_BANDS``)
are configuration.  A score whose figure has nothing to measure (no reviews, say) is left out
and the other weights are scaled up to sum to 1, so a body is never rewarded or punished for
work it was not given.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DEFAULT_WEIGHTS = {"timeliness": 0.5, "overdue": 0.2, "returns": 0.15, "extensions": 0.15, "instructions": 0.0}
DEFAULT_BANDS = (70.0, 85.0)
GRADES = ("unsatisfactory", "satisfactory", "good")

COMPONENTS = {
    # name: (label, how the score is made)
    "timeliness": ("Timeliness", "on time ÷ (accepted + overdue now) × 100"),
    "overdue": ("Nothing overdue", "(1 − overdue now ÷ assigned) × 100"),
    "returns": ("Accepted without return", "(1 − returns ÷ reviews) × 100"),
    "extensions": ("Kept the dates", "(1 − extensions asked ÷ assigned) × 100, not below 0"),
    "instructions": ("Instructions answered", "answered ÷ received × 100"),
}

# What a person reads: the grades and the scores in the page's (or the export's) language.  The API
# keeps the values above (grade "good", the English label and formula of each line of the working).
GRADE_LABELS = {"unsatisfactory": _l("Unsatisfactory"), "satisfactory": _l("Satisfactory"), "good": _l("Good")}
COMPONENT_LABELS = {
    "timeliness": (_l("Timeliness"), _l("on time ÷ (accepted + overdue now) × 100")),
    "overdue": (_l("Nothing overdue"), _l("(1 − overdue now ÷ assigned) × 100")),
    "returns": (_l("Accepted without return"), _l("(1 − returns ÷ reviews) × 100")),
    "extensions": (_l("Kept the dates"), _l("(1 − extensions asked ÷ assigned) × 100, not below 0")),
    "instructions": (_l("Instructions answered"), _l("answered ÷ received × 100")),
}


class WeightsError(ValueError):
    pass


def parse_weights(text):
    """"timeliness=0.5,overdue=0.2,…" -> {name: weight}; names not given weigh 0."""
    if not text:
        return dict(DEFAULT_WEIGHTS)
    weights = dict.fromkeys(COMPONENTS, 0.0)
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in COMPONENTS:
            raise WeightsError(f"unknown analysis weight {name!r} (use {', '.join(COMPONENTS)})")
        try:
            weights[name] = float(value)
        except ValueError as exc:
            raise WeightsError(f"analysis weight {name} must be a number, not {value!r}") from exc
        if weights[name] < 0:
            raise WeightsError(f"analysis weight {name} must not be negative")
    if not sum(weights.values()):
        raise WeightsError("at least one analysis weight must be above 0")
    return weights


def parse_bands(text):
    """"70,85" -> (70.0, 85.0): below the first unsatisfactory, below the second satisfactory, else good."""
    if not text:
        return DEFAULT_BANDS
    try:
        low, high = (float(p) for p in text.split(","))
    except ValueError as exc:
        raise WeightsError(f"analysis bands must be two numbers like 70,85, not {text!r}") from exc
    if not 0 <= low <= high <= 100:
        raise WeightsError("analysis bands must satisfy 0 <= low <= high <= 100")
    return (low, high)


def scores(figures):
    """{component: score 0-100, or None when there is nothing to measure} for one row of figures."""
    assigned, reviews = figures["assigned"], figures["reviews"]
    judged = figures["accepted"] + figures["overdue"]
    received = figures.get("instructions_received") or 0
    return {
        "timeliness": 100.0 * figures["on_time"] / judged if judged else None,
        "overdue": 100.0 * (1 - figures["overdue"] / assigned) if assigned else None,
        "returns": 100.0 * (1 - figures["returns"] / reviews) if reviews else None,
        "extensions": max(0.0, 100.0 * (1 - figures["extension_requests"] / assigned)) if assigned else None,
        "instructions": 100.0 * figures.get("instructions_answered", 0) / received if received else None,
    }


@dataclass
class Line:
    component: str
    label: str
    formula: str
    score: float | None
    weight: float  # as configured
    effective_weight: float  # after leaving out what cannot be measured
    contribution: float


@dataclass
class Index:
    value: float | None
    grade: str | None
    lines: list


def grade(value, bands):
    if value is None:
        return None
    low, high = bands
    return GRADES[0] if value < low else GRADES[1] if value < high else GRADES[2]


def compute(figures, weights, bands):
    s = scores(figures)
    measured = sum(w for name, w in weights.items() if w and s[name] is not None)
    lines, total = [], 0.0
    for name, weight in weights.items():
        if not weight:
            continue
        effective = weight / measured if measured and s[name] is not None else 0.0
        contribution = (s[name] or 0.0) * effective
        total += contribution
        label, formula = COMPONENTS[name]
        lines.append(Line(name, label, formula, None if s[name] is None else round(s[name], 1), weight,
                          round(effective, 4), round(contribution, 2)))
    # Without anything judged for timeliness (nothing accepted, nothing overdue) a body is not graded:
    # an index of 100 for work that has not fallen due yet would flatter it.
    value = round(total, 1) if measured and s["timeliness"] is not None else None
    return Index(value, grade(value, bands), lines)


def rank(rows):
    """Rank rows (dicts with "index") by index, best first; equal indexes share a rank; no index: no rank."""
    ordered = sorted((r for r in rows if r["index"] is not None), key=lambda r: -r["index"])
    previous, position = None, 0
    for i, r in enumerate(ordered, 1):
        if r["index"] != previous:
            position, previous = i, r["index"]
        r["rank"] = position
    for r in rows:
        r.setdefault("rank", None)
    return ordered + [r for r in rows if r["index"] is None]
