"""Annual review (年考核) and star rating (评星定级)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import N_, DomainError, Text
from .settings import Settings


@dataclass(frozen=True)
class ReviewResult:
    composite: float
    stars: int
    reasons: tuple[Text, ...]


def _check(value: float, name: str) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 100:
        raise DomainError("The {name} is {value}, out of range 0–100",
                          name=Text(name), value=value)
    return float(value)


def _round_half_up(value: float) -> float:
    """One decimal, halves up, forgiving binary float noise (89.95 → 90.0)."""
    return math.floor(value * 10 + 0.5 + 1e-6) / 10


def compute_review(monthly_scores10: Sequence[float], self_score: float, peer_score: float,
                   public_score: float, party_ok: bool, settings: Settings) -> ReviewResult:
    """Composite of the monthly average and the three evaluations, then the stars.

    The composite is rounded to one decimal before it meets the thresholds, so the
    number shown is the number judged (89.95 shows as 90.0 and earns 5 stars). The
    weights are divided by their sum, which is 100 unless replicas merged two edits.
    """
    for score in monthly_scores10:
        if not isinstance(score, (int, float)) or not math.isfinite(score) or \
                not 0 <= score <= 10:
            raise DomainError("Score {value} for {item} is out of range 0–{maximum}",
                              value=score, item=Text(N_("Monthly scoring")), maximum=10)
    self_score = _check(self_score, N_("self-evaluation"))
    peer_score = _check(peer_score, N_("peer evaluation"))
    public_score = _check(public_score, N_("public evaluation"))
    monthly = 10 * sum(monthly_scores10) / len(monthly_scores10) if monthly_scores10 else 0.0
    weights = (settings.review_weight_monthly, settings.review_weight_self,
               settings.review_weight_peer, settings.review_weight_public)
    parts = (monthly, self_score, peer_score, public_score)
    composite = _round_half_up(sum(w * p for w, p in zip(weights, parts)) / (sum(weights) or 100))
    reasons = [Text(
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
    reasons.append(Text("{stars} stars: composite {composite}", {"stars": stars,
                                                                 "composite": composite}))
    if not party_ok and stars > settings.party_cap_stars:
        stars = settings.party_cap_stars
        reasons.append(Text("Capped at {cap} stars: no party-building compliance",
                            {"cap": stars}))
    return ReviewResult(composite, stars, tuple(reasons))


def needs_rectification(stars: int, settings: Settings) -> bool:
    return stars < settings.rectify_below_stars


def has_priority(stars: int) -> bool:
    """5-star organizations get priority in project matching."""
    return stars >= 5
