"""Venture-philanthropy rounds (公益创投) and the four-step ordering (点单式).

Residents order (居民点单: needs) → the community drafts the list (社区制单: library
projects, each answering one or more needs) → an organization takes the order
(社会组织承单: an application to a round) → the government pays (政府买单: funding within
the round's budget, tranches, recovery of misused funds). A funded project is evaluated
by a third party in three phases. Pure rules: the store gathers the facts, these judge.

*Review*: each reviewer scores every criterion 0–100; a reviewer's score is the
criteria's weighted mean (`round_criteria`); an application's total is the mean per
reviewer kind, weighted by kind (`round_reviewer_weights`; a kind without reviewers
drops out and the others keep their proportions). *Priority*: a 5-star organization
(its latest rating, level 5 on either scale) gets `round_priority_bonus` points and
goes first among equal scores; both are stated in the ranking's reasons. *Funding*:
in rank order, each application at or above `round_pass_score` whose amount fits what is
left of the budget, one application per library project, at most `--top N`.
*Figures*: beneficiaries and person-times reported at a phase are cumulative, as
evaluators report them; a project's figures are those of its latest phase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .errors import N_, DomainError, Text
from .models import EvaluationPhase, EvaluationResult, ReviewerKind, english_label, parse_enum
from .months import parse_date
from .names import name_key
from .numbers import typed_number

if TYPE_CHECKING:
    from .settings import Settings

MAX_YUAN = 100_000_000.0  # a round's budget (1亿), and any amount in it
MAX_SCORE = 100.0
MAX_CRITERIA = 12
PRIORITY_STARS = 5  # "五星级社会组织在项目对接中优先"
MAX_BANK_HOURS = 744.0  # every hour of a 31-day month, in one time-bank entry

# key → (Chinese label, English label): criteria venture-philanthropy reviews use
KNOWN_CRITERIA: dict[str, tuple[str, str]] = {
    "need": ("需求契合度", "Fit with the needs"),
    "design": ("项目设计", "Project design"),
    "capacity": ("执行能力", "Capacity to deliver"),
    "budget": ("预算合理性", "Budget"),
    "sustainability": ("可持续性", "Sustainability"),
}
DEFAULT_CRITERIA_TEXT = "need=30,design=25,capacity=20,budget=15,sustainability=10"
DEFAULT_REVIEWER_WEIGHTS_TEXT = "expert=50,resident=25,official=25"
_KEY = re.compile(r"[a-z][a-z0-9-]{0,31}")
_SEPARATORS = r"[,，]"


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: float
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def parse_criteria(text: object) -> tuple[Criterion, ...]:
    """The weighted criteria from the setting: `key=weight` or `key=weight:label`, separated
    by commas; weights above 0 that add up to 100; a known key may omit its label."""
    if not isinstance(text, str) or not text.strip():
        raise DomainError("The review criteria setting is empty")
    found: list[Criterion] = []
    for part in re.split(_SEPARATORS, text):
        if not part.strip():
            continue
        key, sep, rest = (piece.strip() for piece in part.partition("="))
        weight_text, colon, label = (piece.strip() for piece in rest.partition(":"))
        weight = typed_number(weight_text) if sep else None
        if not _KEY.fullmatch(key):
            raise DomainError("Criterion key {key} must be lower-case letters, digits or -, "
                              "starting with a letter", key=key[:40])
        if weight is None or not 0 < weight <= 100:
            raise DomainError("Criterion {key} needs a weight above 0 and at most 100: write "
                              "{key}=30", key=key)
        known = KNOWN_CRITERIA.get(key)
        if not colon and known is None:
            raise DomainError("Criterion {key} needs a label: write {key}=30:label", key=key)
        if colon and not 1 <= len(label) <= 20:
            raise DomainError("The label of criterion {key} must have 1 to 20 characters",
                              key=key)
        zh = label if colon else known[0]
        en = known[1] if known and zh == known[0] else zh
        if any(key == c.key or name_key(zh) == name_key(c.zh) for c in found):
            raise DomainError("Criterion {key} ({label}) is listed twice", key=key, label=zh)
        found.append(Criterion(key, weight, zh, en))
    if not found or len(found) > MAX_CRITERIA:
        raise DomainError("Between 1 and {maximum} review criteria", maximum=MAX_CRITERIA)
    if abs(sum(c.weight for c in found) - 100) > 1e-9:
        raise DomainError("The weights of the review criteria must add up to 100")
    return tuple(found)


def parse_reviewer_weights(text: object) -> dict[ReviewerKind, float]:
    """`kind=weight` pairs (expert, resident, official) adding up to 100; a kind not
    listed weighs 0."""
    if not isinstance(text, str) or not text.strip():
        raise DomainError("The reviewer weights setting is empty")
    weights: dict[ReviewerKind, float] = {}
    for part in re.split(_SEPARATORS, text):
        if not part.strip():
            continue
        name, _sep, weight_text = (piece.strip() for piece in part.partition("="))
        kind = parse_enum(ReviewerKind, name)
        weight = typed_number(weight_text)
        if weight is None or not 0 <= weight <= 100 or kind in weights:
            raise DomainError("Reviewer weights are kind=weight pairs, each kind once, "
                              "adding up to 100 (not {value})", value=part.strip()[:40])
        weights[kind] = weight
    if abs(sum(weights.values()) - 100) > 1e-9:
        raise DomainError("Reviewer weights are kind=weight pairs, each kind once, "
                          "adding up to 100 (not {value})", value=text.strip()[:40])
    return weights


@dataclass(frozen=True)
class RoundRules:
    """The settings a round is judged by (those in force in the month its call closes)."""

    criteria: tuple[Criterion, ...]
    reviewer_weights: Mapping[ReviewerKind, float]
    priority_bonus: float
    pass_score: float

    @classmethod
    def of(cls, settings: Settings) -> RoundRules:
        return cls(parse_criteria(settings.round_criteria),
                   parse_reviewer_weights(settings.round_reviewer_weights),
                   settings.round_priority_bonus, settings.round_pass_score)


def resolve_criterion(criteria: Sequence[Criterion], text: object) -> Criterion:
    """A criterion from its key or its Chinese or English label (any case)."""
    wanted = text.strip() if isinstance(text, str) else ""
    for criterion in criteria:
        if wanted == criterion.zh or wanted.lower() in (criterion.key, criterion.en.lower()):
            return criterion
    raise DomainError("Unknown criterion: {value}; the criteria are {choices}",
                      value=str(text)[:40], choices=", ".join(c.key for c in criteria))


def clean_scores(criteria: Sequence[Criterion], specs: Iterable[str]) -> dict[str, float]:
    """`KEY=VALUE` per criterion as typed: every criterion once, each 0–100."""
    scores: dict[str, float] = {}
    for spec in specs:
        name, sep, value_text = spec.partition("=")
        if not sep:
            raise DomainError("Expected KEY=VALUE, got {value}", value=spec[:40])
        criterion = resolve_criterion(criteria, name)
        value = typed_number(value_text.strip())
        if value is None or not 0 <= value <= MAX_SCORE:
            raise DomainError("The score of {criterion} must be a number from 0 to 100, "
                              "not {value}", criterion=criterion.key, value=value_text[:20])
        if criterion.key in scores:
            raise DomainError("Criterion {key} is scored twice", key=criterion.key)
        scores[criterion.key] = value
    missing = [c.key for c in criteria if c.key not in scores]
    if missing:
        raise DomainError("Score every criterion: {missing} missing", missing=", ".join(missing))
    return scores


def weighted_score(criteria: Sequence[Criterion], scores: Mapping[str, float]) -> float:
    """One reviewer's score, 0–100: the weighted mean over the criteria it scored."""
    scored = [c for c in criteria if c.key in scores]
    weight = sum(c.weight for c in scored)
    return sum(c.weight * float(scores[c.key]) for c in scored) / weight if weight else 0.0


@dataclass(frozen=True)
class Review:
    reviewer: str
    kind: ReviewerKind
    score: float  # the reviewer's weighted score


def kind_means(reviews: Iterable[Review]) -> dict[ReviewerKind, tuple[float, int]]:
    """Per reviewer kind: the mean score and the number of reviewers."""
    by_kind: dict[ReviewerKind, list[float]] = {}
    for review in reviews:
        by_kind.setdefault(review.kind, []).append(review.score)
    return {kind: (sum(s) / len(s), len(s)) for kind, s in by_kind.items()}


def application_total(reviews: Sequence[Review],
                      weights: Mapping[ReviewerKind, float]) -> float | None:
    """The weighted mean of the kinds' means (kinds without reviewers drop out; when every
    kind present weighs 0, the plain mean); None without reviews."""
    if not reviews:
        return None
    means = kind_means(reviews)
    weight = sum(weights.get(kind, 0) for kind in means)
    if not weight:
        return sum(r.score for r in reviews) / len(reviews)
    return sum(weights.get(kind, 0) * mean for kind, (mean, _n) in means.items()) / weight


@dataclass(frozen=True)
class Candidate:
    """An application as the ranking sees it."""

    id: str
    project: str
    amount: float
    applied_on: str
    reviews: tuple[Review, ...] = ()
    stars: int | None = None
    stars_year: int | None = None
    barred: Text | None = None  # why the organization may not be funded now


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    total: float | None  # the reviewers' total
    score: float | None  # the total with the priority bonus: what ranks
    priority: bool
    position: int | None  # None: not ranked (barred, or not reviewed)
    reasons: tuple[Text, ...]


def rank(candidates: Iterable[Candidate], rules: RoundRules) -> list[Ranked]:
    """Every application with its total, score, position and reasons: eligible reviewed
    ones by score (the 5-star priority first among equal scores, then the total without
    bonus, the smaller amount, the earlier application), then the others."""
    ranked, unranked = [], []
    for candidate in candidates:
        total = application_total(candidate.reviews, rules.reviewer_weights)
        priority = candidate.stars == PRIORITY_STARS
        reasons = []
        if total is not None:
            reasons.append(Text(N_("{count} reviews, total {total}"),
                                {"count": len(candidate.reviews), "total": f"{total:.1f}"}))
        if priority:
            if rules.priority_bonus:
                reasons.append(Text(N_("5-star organization (rated {year}): {bonus} priority "
                                       "points, and first among equal scores"),
                                    {"year": candidate.stars_year,
                                     "bonus": f"{rules.priority_bonus:g}"}))
            else:
                reasons.append(Text(N_("5-star organization (rated {year}): first among equal "
                                       "scores"), {"year": candidate.stars_year}))
        score = None if total is None else total + (rules.priority_bonus if priority else 0)
        if candidate.barred is not None:
            reasons.append(Text(N_("not eligible: {reason}"), {"reason": candidate.barred}))
            unranked.append(Ranked(candidate, total, score, priority, None, tuple(reasons)))
        elif total is None:
            reasons.append(Text(N_("not reviewed yet")))
            unranked.append(Ranked(candidate, total, score, priority, None, tuple(reasons)))
        else:
            ranked.append(Ranked(candidate, total, score, priority, None, tuple(reasons)))
    ranked.sort(key=lambda r: (-round(r.score, 9), not r.priority, -round(r.total, 9),
                               r.candidate.amount, r.candidate.applied_on, r.candidate.id))
    unranked.sort(key=lambda r: (r.candidate.applied_on, r.candidate.id))
    return [Ranked(r.candidate, r.total, r.score, r.priority, number, r.reasons)
            for number, r in enumerate(ranked, 1)] + unranked


@dataclass(frozen=True)
class Decision:
    application: str
    funded: bool
    amount: float
    rank: int | None
    reason: Text


def fund(ranked: Sequence[Ranked], budget: float, rules: RoundRules,
         top: int | None = None) -> list[Decision]:
    """Funding decisions in rank order within `budget` (see the module's docstring)."""
    remaining, funded_projects, decisions = budget, set(), []
    for entry in ranked:
        candidate = entry.candidate
        reason = None
        if entry.position is None:
            reason = entry.reasons[-1]
        elif entry.score < rules.pass_score:
            reason = Text(N_("below the pass line of {line}"), {"line": f"{rules.pass_score:g}"})
        elif candidate.project in funded_projects:
            reason = Text(N_("its project is funded to a higher-ranked application"))
        elif top is not None and len(funded_projects) >= top:
            reason = Text(N_("beyond the top {top}"), {"top": top})
        elif candidate.amount > remaining + 1e-9:
            reason = Text(N_("does not fit what is left of the budget ({left} yuan)"),
                          {"left": yuan_text(remaining)})
        if reason is not None:
            decisions.append(Decision(candidate.id, False, 0.0, entry.position, reason))
            continue
        remaining = round(remaining - candidate.amount, 2)
        funded_projects.add(candidate.project)
        decisions.append(Decision(candidate.id, True, candidate.amount, entry.position, Text(
            N_("funded: {amount} yuan, {left} yuan of the budget left"),
            {"amount": yuan_text(candidate.amount), "left": yuan_text(remaining)})))
    return decisions


def yuan_text(amount: float) -> str:
    """An amount of yuan as shown: thousands separated, fen only when there are any."""
    return f"{amount:,.2f}".removesuffix(".00")


def clean_yuan(value: object, what: str, *, allow_zero: bool = False,
               maximum: float = MAX_YUAN) -> float:
    """An amount in yuan (to the fen): above 0 (or 0 when allowed), at most `maximum`."""
    amount = typed_number(str(value).strip()) if isinstance(value, (str, int, float)) \
        and not isinstance(value, bool) else None
    if amount is None or amount < 0 or (amount == 0 and not allow_zero) \
            or amount > maximum or abs(round(amount, 2) - amount) > 1e-9:
        raise DomainError("{what} must be an amount of yuan above 0 and at most {maximum} "
                          "(to the fen), not {value}", what=Text(what),
                          maximum=yuan_text(maximum), value=str(value)[:20])
    return round(amount, 2)


def check_round(opens: date, closes: date) -> None:
    if closes < opens:
        raise DomainError("The call closes ({closes}) before it opens ({opens})",
                          closes=closes.isoformat(), opens=opens.isoformat())


def check_application_day(day: date, opens: str, closes: str, today: date) -> None:
    """An application is dated within the call and not in the future."""
    if day > today:
        raise DomainError("Date {date} is in the future", date=day.isoformat())
    if not opens <= day.isoformat() <= closes:
        raise DomainError("The call of this round runs from {opens} to {closes}: an "
                          "application on {date} is outside it", opens=opens, closes=closes,
                          date=day.isoformat())


def check_amount_fits(amount: float, ceiling: float | None, budget: float) -> None:
    """A requested amount within the project's budget ceiling and the round's budget."""
    if ceiling is not None and amount > ceiling:
        raise DomainError("The amount ({amount} yuan) is above the project's budget ceiling "
                          "({ceiling} yuan)", amount=yuan_text(amount), ceiling=yuan_text(ceiling))
    if amount > budget:
        raise DomainError("The amount ({amount} yuan) is above the round's budget "
                          "({budget} yuan)", amount=yuan_text(amount), budget=yuan_text(budget))


@dataclass(frozen=True)
class Evaluation:
    id: str
    phase: EvaluationPhase
    on: str
    result: EvaluationResult
    beneficiaries: int = 0
    person_times: int = 0
    deadline: str | None = None


PHASES = tuple(EvaluationPhase)


def latest_by_phase(evaluations: Iterable[Evaluation]) -> dict[EvaluationPhase, Evaluation]:
    """Each phase's latest evaluation (a re-evaluation after a rectification replaces
    the phase's result)."""
    latest: dict[EvaluationPhase, Evaluation] = {}
    for evaluation in sorted(evaluations, key=lambda e: (e.on, e.id)):
        latest[evaluation.phase] = evaluation
    return latest


def check_evaluation(phase: EvaluationPhase, result: EvaluationResult, day: date,
                     deadline: str | None, earlier: Iterable[Evaluation], today: date) -> None:
    """A phase follows the one before it (on or after its date); a rectification order
    has a deadline after the evaluation, and only a rectification has one."""
    if day > today:
        raise DomainError("Date {date} is in the future", date=day.isoformat())
    latest = latest_by_phase(earlier)
    index = PHASES.index(phase)
    if index:
        previous = latest.get(PHASES[index - 1])
        if previous is None:
            raise DomainError("The {phase} needs the {previous} first",
                              phase=Text(english_label(phase)),
                              previous=Text(english_label(PHASES[index - 1])))
        if day.isoformat() < previous.on:
            raise DomainError("The {phase} on {date} is before the {previous} ({on})",
                              phase=Text(english_label(phase)), date=day.isoformat(),
                              previous=Text(english_label(PHASES[index - 1])), on=previous.on)
    if result is EvaluationResult.RECTIFY:
        if not deadline:
            raise DomainError("A rectification order needs a deadline (--deadline)")
        if parse_date(deadline) <= day:
            raise DomainError("The rectification deadline {deadline} must be after the "
                              "evaluation ({date})", deadline=deadline, date=day.isoformat())
    elif deadline:
        raise DomainError("Only a rectification order has a deadline")


def project_figures(evaluations: Iterable[Evaluation]) -> tuple[int, int]:
    """(beneficiaries, person-times) of a project: those of its latest phase's latest
    evaluation (figures are cumulative)."""
    latest = latest_by_phase(evaluations)
    for phase in reversed(PHASES):
        if phase in latest:
            return latest[phase].beneficiaries, latest[phase].person_times
    return 0, 0


def check_payment(amount: float, agreed: float, paid: float) -> None:
    """A tranche: the payments together stay within the agreed amount."""
    if paid + amount > agreed + 1e-9:
        raise DomainError("A payment of {amount} yuan would bring the payments to {total} "
                          "yuan, above the agreed {agreed} yuan", amount=yuan_text(amount),
                          total=yuan_text(paid + amount), agreed=yuan_text(agreed))


def check_recovery(amount: float, paid: float, recovered: float) -> None:
    """Funds recovered never exceed what was paid."""
    if recovered + amount > paid + 1e-9:
        raise DomainError("Recovering {amount} yuan would recover more than was paid "
                          "({paid} yuan, {recovered} yuan recovered already)",
                          amount=yuan_text(amount), paid=yuan_text(paid),
                          recovered=yuan_text(recovered))


def clean_bank_hours(value: object) -> float:
    """Hours of one time-bank entry: above 0, at most a month's hours, to the quarter hour
    or finer as typed (two decimals)."""
    hours = typed_number(str(value).strip()) if isinstance(value, (str, int, float)) \
        and not isinstance(value, bool) else None
    if hours is None or not 0 < hours <= MAX_BANK_HOURS or abs(round(hours, 2) - hours) > 1e-9:
        raise DomainError("Hours must be a number above 0 and at most {maximum}, not {value}",
                          maximum=int(MAX_BANK_HOURS), value=str(value)[:20])
    return round(hours, 2)


def check_draw(hours: float, on: str, entries: Iterable[tuple[str, str, float]]) -> None:
    """A draw never takes the balance below 0, on its date or after it: `entries` are the
    account's (date, deposit|draw, hours); on one day deposits count before draws."""
    ledger = sorted([*entries, (on, "draw", hours)], key=lambda e: (e[0], e[1] != "deposit"))
    balance, lowest, before = 0.0, 0.0, 0.0
    for day, kind, amount in ledger:
        balance += amount if kind == "deposit" else -amount
        lowest = min(lowest, balance)
        if day <= on:
            before = balance
    if lowest < -1e-9:
        raise DomainError("A draw of {hours} hours on {date} is more than the balance of "
                          "{balance} hours", hours=f"{hours:g}", date=on,
                          balance=f"{max(0.0, before + hours):g}")


def check_award_year(year: int, today: date, since: str | None) -> None:
    """An award of a year that has begun, not before the organization existed."""
    if year > today.year:
        raise DomainError("Year {year} has not begun", year=year)
    if since and year < int(since[:4]):
        raise DomainError("An award of {year} is before the organization existed ({since})",
                          year=year, since=since)
