"""Annual review (年考核) and star rating (评星定级).

The rating is a level from 1 to 5 (the composite's band); a rating scale names the
levels: the default five bands 五星级 … 一星级, or the Beijing district's 三星级, 二星级,
一星级, 达标 and 未达标 (below the standard). A review keeps the scale it was rated on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .errors import N_, DomainError, Text
from .numbers import typed_number
from .settings import Settings

LEVELS = (5, 4, 3, 2, 1)
# Level → the English label (the msgid shown), per rating scale.
RATING_LABELS: dict[str, dict[int, str]] = {
    "five-star": {5: N_("5 stars"), 4: N_("4 stars"), 3: N_("3 stars"), 2: N_("2 stars"),
                  1: N_("1 star")},
    "beijing": {5: N_("3 stars"), 4: N_("2 stars"), 3: N_("1 star"),
                2: N_("meets the standard"), 1: N_("below the standard")},
}


@dataclass(frozen=True)
class ReviewResult:
    composite: float
    stars: int
    reasons: tuple[Text, ...]
    scale: str = "five-star"


def rating_label(level: int, scale: str = "five-star") -> str:
    """The msgid naming `level` on `scale` (an unknown scale reads as the default one)."""
    return RATING_LABELS.get(scale, RATING_LABELS["five-star"])[level]


def rating_text(level: int, scale: str = "five-star") -> Text:
    return Text(rating_label(level, scale))


EVALUATIONS = (("self", N_("self-evaluation")), ("peer", N_("peer evaluation")),
               ("public", N_("public evaluation")))  # (key, msgid of its name)
FIRST_REVIEW_YEAR = 2000


def parse_year(value: object, today: date) -> int:
    """A review year, from 2000 to this year (typed text or a number)."""
    try:
        year = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_REVIEW_YEAR <= year <= today.year:
        raise DomainError("Year {year} is out of range", year=str(value)[:20])
    return year


def check_evaluation(value: object, name: str, typed: str | None = None) -> float:
    """One evaluation: a number from 0 to 100; `name` is its msgid (`typed`: the text it
    was read from, named in the refusal)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or \
            not math.isfinite(value) or not 0 <= value <= 100:
        raise DomainError("The {name} is {value}, out of range 0–100",
                          name=Text(name), value=(typed or str(value))[:20])
    return float(value)


def parse_evaluation(text: str, name: str) -> float:
    """An evaluation typed in the review form, checked as a stored one is."""
    return check_evaluation(typed_number(text), name, text)


def _round_half_up(value: float) -> float:
    """One decimal, halves up, forgiving binary float noise (89.95 → 90.0)."""
    return math.floor(value * 10 + 0.5 + 1e-6) / 10


def _party_reason(party_ok: bool, has_party_org: bool) -> Text:
    """The reports' first criterion, stated first."""
    verdict = Text(N_("Party building first: the party-building requirements are met")
                   if party_ok else
                   N_("Party building first: the party-building requirements are not met"))
    if has_party_org:
        return verdict
    return Text("{verdict} (the organization has no party organization of its own)",
                {"verdict": verdict})


def compute_review(monthly_scores10: Sequence[float], self_score: float, peer_score: float,
                   public_score: float, party_ok: bool, settings: Settings,
                   has_party_org: bool = True) -> ReviewResult:
    """Composite of the monthly average and the three evaluations, then the level.

    The composite is rounded to one decimal before it meets the thresholds, so the
    number shown is the number judged (89.95 shows as 90.0 and earns 5 stars). The
    weights are divided by their sum, which is 100 unless replicas merged two edits.
    """
    for score in monthly_scores10:
        if not isinstance(score, (int, float)) or not math.isfinite(score) or \
                not 0 <= score <= 10:
            raise DomainError("Score {value} for {item} is out of range 0–{maximum}",
                              value=score, item=Text(N_("Monthly scoring")), maximum=10)
    if not isinstance(party_ok, bool):
        raise DomainError("Party-building compliance is asked for every review: "
                          "answer yes or no (party building comes first)")
    names = dict(EVALUATIONS)
    self_score = check_evaluation(self_score, names["self"])
    peer_score = check_evaluation(peer_score, names["peer"])
    public_score = check_evaluation(public_score, names["public"])
    monthly = 10 * sum(monthly_scores10) / len(monthly_scores10) if monthly_scores10 else 0.0
    weights = (settings.review_weight_monthly, settings.review_weight_self,
               settings.review_weight_peer, settings.review_weight_public)
    parts = (monthly, self_score, peer_score, public_score)
    composite = _round_half_up(sum(w * p for w, p in zip(weights, parts)) / (sum(weights) or 100))
    scale = settings.rating_scale
    reasons = [_party_reason(party_ok, has_party_org), Text(
        "Composite {composite} = monthly {monthly} × {w_monthly}% + self {self} × {w_self}% "
        "+ peer {peer} × {w_peer}% + public {public} × {w_public}%",
        {"composite": composite, "monthly": round(monthly, 1),
         "w_monthly": settings.review_weight_monthly, "self": self_score,
         "w_self": settings.review_weight_self, "peer": peer_score,
         "w_peer": settings.review_weight_peer, "public": public_score,
         "w_public": settings.review_weight_public})]
    if not monthly_scores10:
        reasons.append(Text("No monthly scores this year: the monthly part counts as 0"))
    thresholds = ((5, settings.stars_5), (4, settings.stars_4), (3, settings.stars_3),
                  (2, settings.stars_2))
    stars = next((count for count, line in thresholds if composite >= line), 1)
    reasons.append(Text("{stars}: composite {composite}",
                        {"stars": rating_text(stars, scale), "composite": composite}))
    if not party_ok and stars > settings.party_cap_stars:
        stars = settings.party_cap_stars
        reasons.append(Text("Capped at {cap}: no party-building compliance",
                            {"cap": rating_text(stars, scale)}))
    if needs_interview(stars, settings):
        reasons.append(Text("At or below {line}: a warning interview with a rectification "
                            "deadline follows", {"line": rating_text(
                                settings.low_star_interview_max, scale)}))
    return ReviewResult(composite, stars, tuple(reasons), scale)


def needs_interview(stars: int, settings: Settings) -> bool:
    """三星级以下的约谈限期整改: at or below the line (以下 includes the number)."""
    return stars <= settings.low_star_interview_max


def has_priority(stars: int) -> bool:
    """Level 5 (5 stars) gets priority in project matching."""
    return stars >= 5


def check_review_year(year: int, today: date, entered: date | None, left: date | None,
                      settings: Settings) -> None:
    """Refuse a review of a year the organization was not resident in, or one not yet open.

    The current year may be reviewed from its opening day (default 1 December) on."""
    if entered is not None and year < entered.year:
        raise DomainError("A review for {year} is before the organization entered ({entered})",
                          year=year, entered=entered.isoformat())
    if left is not None and year > left.year:
        raise DomainError("A review for {year} is after the organization left ({left})",
                          year=year, left=left.isoformat())
    month, day = settings.opening_month_day
    opens = date(year, month, day)
    if today < opens:
        raise DomainError("The review for {year} opens on {opens}", year=year,
                          opens=opens.isoformat())
