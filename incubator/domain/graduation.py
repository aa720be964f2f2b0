"""Graduation (出壳): the criteria an organization must meet to hatch out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import Text
from .models import RESIDENT_STAGES, LegalStatus, Stage, english_label
from .months import full_months_between
from .review import rating_text
from .settings import Settings


@dataclass(frozen=True)
class Criterion:
    key: str
    met: bool
    text: Text


def graduation_check(entered: date | None, on: date, stage: Stage, legal_status: LegalStatus,
                     latest_stars: int | None, open_warning: bool,
                     settings: Settings) -> list[Criterion]:
    """Every criterion, met or not, in a fixed order."""
    months = full_months_between(entered, on) if entered else 0
    scale = settings.rating_scale
    criteria = [
        Criterion("resident", stage in RESIDENT_STAGES,
                  Text("Resident in the startup or growth stage (now {stage})",
                       {"stage": Text(english_label(stage))})),
        Criterion("months", months >= settings.graduation_min_months,
                  Text("At least {minimum} months in residence ({months} so far)",
                       {"minimum": settings.graduation_min_months, "months": months})),
        Criterion("stars",
                  latest_stars is not None and latest_stars >= settings.graduation_min_stars,
                  Text("Latest rating at least {minimum} (now {stars})",
                       {"minimum": rating_text(settings.graduation_min_stars, scale),
                        "stars": rating_text(latest_stars, scale)
                        if latest_stars is not None else "-"})),
    ]
    if settings.graduation_require_registered:
        criteria.append(Criterion("registered", legal_status == LegalStatus.REGISTERED,
                                  Text("Registered legal status (now {status})",
                                       {"status": Text(english_label(legal_status))})))
    criteria.append(Criterion("no_warning", not open_warning,
                              Text("No open warning case")))
    return criteria


def unmet(criteria: list[Criterion]) -> list[Criterion]:
    return [criterion for criterion in criteria if not criterion.met]
