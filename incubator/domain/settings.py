"""Every threshold and weight, stored in the network's settings; defaults from domain.md.

Settings are versioned like the rubric: each key has a timeline of values, the first one
in force from the beginning and each later one from a month on. `SettingsTimeline.at`
gives the version in force in a month, so a past outcome is always judged with the
settings of its own time, and a change never rewrites it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from functools import cached_property

from .archives import DEFAULT_ITEMS_TEXT, parse_items
from .rounds import (
    DEFAULT_CRITERIA_TEXT, DEFAULT_REVIEWER_WEIGHTS_TEXT, parse_criteria, parse_reviewer_weights,
)
from .errors import N_, DomainError, Text

VALUE_KINDS = {"float": N_("a number"), "int": N_("a whole number"), "bool": N_("yes or no"),
               "str": N_("one of the listed values")}
RATING_SCALES = ("five-star", "beijing")
BEGINNING = ""  # the `from` month of the values in force from the beginning
FREE_TEXT = ("archive_items", "round_criteria", "round_reviewer_weights")  # text settings kept as typed (not lower-cased)
_MONTH_DAY = re.compile(r"([0-9]{2})-([0-9]{2})")
RANKING_WEIGHTS = ("ranking_weight_activity", "ranking_weight_standardization",
                   "ranking_weight_coverage", "ranking_weight_influence")


@dataclass(frozen=True)
class Settings:
    """One version of the settings: what is in force in one month (or review year)."""

    warning_threshold: float = 6.0
    warning_streak_months: int = 3
    rectification_months: int = 1
    scoring_opens_day: int = 15
    review_weight_monthly: float = 40.0
    review_weight_self: float = 20.0
    review_weight_peer: float = 20.0
    review_weight_public: float = 20.0
    stars_5: float = 90.0
    stars_4: float = 80.0
    stars_3: float = 70.0
    stars_2: float = 60.0
    rating_scale: str = "five-star"
    party_cap_stars: int = 3
    low_star_interview_max: int = 3
    review_opening_day: str = "12-01"
    graduation_min_months: int = 12
    graduation_min_stars: int = 3
    graduation_require_registered: bool = True
    expiring_days: int = 30
    service_surplus_carries_over: bool = False
    zombie_months: int = 3
    ranking_months: int = 12
    ranking_weight_activity: float = 25.0
    ranking_weight_standardization: float = 25.0
    ranking_weight_coverage: float = 25.0
    ranking_weight_influence: float = 25.0
    archive_items: str = DEFAULT_ITEMS_TEXT
    round_criteria: str = DEFAULT_CRITERIA_TEXT
    round_reviewer_weights: str = DEFAULT_REVIEWER_WEIGHTS_TEXT
    round_priority_bonus: float = 5.0
    round_pass_score: float = 60.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Settings:
        """Settings from stored values; unknown keys (from newer versions) are ignored.

        Only the types are checked: replicas merge settings key by key, so a stored
        combination may break a cross-field rule that `validate` enforces on edits.
        """
        known = {f.name: f.type for f in fields(cls)}
        values = {}
        for key, value in data.items():
            if key in known:
                values[key] = _coerce(key, known[key], value)
        return cls(**values)

    def to_mapping(self) -> dict[str, object]:
        return asdict(self)

    def with_values(self, texts: Mapping[str, str]) -> Settings:
        """A copy with several keys set at once, validated together.

        Needed for the review weights: they must add up to 100, so changing one alone fails.
        """
        check_keys(texts)
        updated = replace(self, **parse_values(texts))
        updated.validate()
        return updated

    def validate(self) -> None:
        weights = (self.review_weight_monthly, self.review_weight_self,
                   self.review_weight_peer, self.review_weight_public)
        if not _percent_shares(weights):
            raise DomainError("The four review weights must be at least 0 and add up to 100")
        stars = (self.stars_5, self.stars_4, self.stars_3, self.stars_2)
        if not all(0 <= s <= 100 for s in stars) or list(stars) != sorted(set(stars), reverse=True):
            raise DomainError(
                "Star thresholds must fall strictly from 5 stars to 2 stars, within 0–100")
        for key in ("party_cap_stars", "low_star_interview_max", "graduation_min_stars"):
            if not 1 <= getattr(self, key) <= 5:
                raise DomainError("{key} must be between 1 and 5 stars", key=key)
        if not _percent_shares([getattr(self, key) for key in RANKING_WEIGHTS]):
            raise DomainError("The four ranking weights must be at least 0 and add up to 100")
        parse_items(self.archive_items)
        for key in ("warning_streak_months", "rectification_months", "graduation_min_months",
                    "zombie_months", "ranking_months"):
            if not 1 <= getattr(self, key) <= 120:
                raise DomainError("{key} must be between 1 and 120 months", key=key)
        if not 0 <= self.warning_threshold <= 10:
            raise DomainError("warning_threshold must be between 0 and 10")
        if not 0 <= self.expiring_days <= 3650:
            raise DomainError("expiring_days must be between 0 and 3650")
        if not 1 <= self.scoring_opens_day <= 28:
            raise DomainError("scoring_opens_day must be between 1 and 28")
        parse_criteria(self.round_criteria)
        parse_reviewer_weights(self.round_reviewer_weights)
        if not 0 <= self.round_priority_bonus <= 20:
            raise DomainError("round_priority_bonus must be between 0 and 20 points")
        if not 0 <= self.round_pass_score <= 100:
            raise DomainError("round_pass_score must be between 0 and 100")

    @property
    def opening_month_day(self) -> tuple[int, int]:
        """The review opening day as (month, day)."""
        month, day = self.review_opening_day.split("-")
        return int(month), int(day)


KINDS = {f.name: f.type for f in fields(Settings)}
KEYS = tuple(KINDS)


def check_keys(keys: Iterable[str]) -> None:
    for key in keys:
        if key not in KINDS:
            raise DomainError("Unknown setting {key}", key=key)


def parse_values(texts: Mapping[str, str]) -> dict[str, object]:
    """Typed values from what was typed, key by key (cross-field rules not checked)."""
    check_keys(texts)
    return {key: _parse(key, KINDS[key], text) for key, text in texts.items()}


@dataclass(frozen=True)
class SettingsTimeline:
    """Every key's values over time: (from month, value) pairs, `BEGINNING` first."""

    changes: tuple[tuple[str, str, object], ...] = ()  # (key, from month, value)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, object]]) -> SettingsTimeline:
        """From stored (key, from month, value) rows; unknown keys are ignored, wrong types
        refused (as `Settings.from_mapping`)."""
        kept = [(key, month, _coerce(key, KINDS[key], value))
                for key, month, value in rows if key in KINDS]
        return cls(tuple(sorted(kept, key=lambda c: (c[1], c[0]))))

    @cached_property
    def months(self) -> tuple[str, ...]:
        """Every month from which some value changes (`BEGINNING` included), in order."""
        return tuple(sorted({BEGINNING, *(month for _k, month, _v in self.changes)}))

    @cached_property
    def _versions(self) -> dict[str, Settings]:
        versions, values = {}, {}
        for month in self.months:
            values.update({key: value for key, start, value in self.changes if start == month})
            versions[month] = Settings(**values)
        return versions

    def at(self, month: str) -> Settings:
        """The version in force in `month` (YYYY-MM)."""
        start = max(m for m in self.months if m <= month)
        return self._versions[start]

    def since(self, key: str, month: str) -> str:
        """The month from which `key` has had its value in force in `month`."""
        return max((start for k, start, _v in self.changes if k == key and start <= month),
                   default=BEGINNING)

    def for_review_year(self, year: int) -> Settings:
        """The version a review of `year` is judged by: the one in force in its December."""
        return self.at(f"{year:04d}-12")

    def highest(self, key: str) -> float:
        """The largest value `key` ever takes (for SQL pre-filters that must miss nothing)."""
        return max(getattr(version, key) for version in self._versions.values())

    def with_change(self, from_month: str, texts: Mapping[str, str]) -> SettingsTimeline:
        """A copy with `texts` in force from `from_month` on, every later version validated."""
        values = parse_values(texts)
        kept = [c for c in self.changes if not (c[1] == from_month and c[0] in values)]
        updated = SettingsTimeline(tuple(sorted(
            [*kept, *((key, from_month, value) for key, value in values.items())],
            key=lambda c: (c[1], c[0]))))
        for month in updated.months:
            if month >= from_month:
                updated.at(month).validate()
        return updated


def _percent_shares(weights) -> bool:
    """Weights in percent: none below 0, together 100."""
    return all(w >= 0 for w in weights) and abs(sum(weights) - 100) <= 1e-9


def parse_changes(args: list[str]) -> dict[str, str]:
    """`KEY VALUE`, or `KEY=VALUE` pairs changed together, as typed: key → text."""
    if len(args) == 2 and "=" not in args[0]:
        return {args[0]: args[1]}
    texts = {}
    for change in args:
        key, sep, value = change.partition("=")
        if not sep:
            raise DomainError("Expected KEY=VALUE, got {value}", value=change)
        texts[key.strip()] = value.strip()
    return texts


def _text_value(key: str, text: str) -> str | None:
    """A setting held as text in its canonical form, or None when malformed."""
    if key in FREE_TEXT:
        return text  # checked as a whole by `Settings.validate`
    if key == "rating_scale":
        return text if text in RATING_SCALES else None
    match = _MONTH_DAY.fullmatch(text)
    if match and 1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 28:
        return match[0]
    return None


def _parse(key: str, kind: str, text: str) -> object:
    cleaned = str(text).strip()
    if key not in FREE_TEXT:
        cleaned = cleaned.lower()
    try:
        if kind == "bool":
            if cleaned in ("yes", "true", "1", "是"):
                return True
            if cleaned in ("no", "false", "0", "否"):
                return False
            raise ValueError
        if kind == "str":
            value = _text_value(key, cleaned)
            if value is None:
                raise ValueError
            return value
        number = float(cleaned) if kind == "float" else int(cleaned)
        if not math.isfinite(number):
            raise ValueError
        return number
    except ValueError:
        raise DomainError("Setting {key} needs {kind}, not {value}", key=key,
                          kind=Text(VALUE_KINDS[kind]), value=str(text)[:40]) from None


def _coerce(key: str, kind: str, value: object) -> object:
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    if kind == "str" and isinstance(value, str) and _text_value(key, value) == value:
        return value
    raise DomainError("Stored setting {key} has a value of the wrong type", key=key)


SETTING_LABELS: dict[str, tuple[str, str]] = {
    "warning_threshold": ("低分线（10分制）", "Low-score line (out of 10)"),
    "warning_streak_months": ("连续低分几个月约谈", "Consecutive low months before a warning"),
    "rectification_months": ("整改期限（月）", "Rectification period (months)"),
    "scoring_opens_day": ("当月从几号起可评分", "Day of the month from which it may be scored"),
    "review_weight_monthly": ("年考核：月度平均权重%", "Review weight: monthly average %"),
    "review_weight_self": ("年考核：自评权重%", "Review weight: self-evaluation %"),
    "review_weight_peer": ("年考核：互评权重%", "Review weight: peer evaluation %"),
    "review_weight_public": ("年考核：群众评权重%", "Review weight: public evaluation %"),
    "stars_5": ("第5档（五星级）分数线", "Level 5 (5-star) threshold"),
    "stars_4": ("第4档（四星级）分数线", "Level 4 (4-star) threshold"),
    "stars_3": ("第3档（三星级）分数线", "Level 3 (3-star) threshold"),
    "stars_2": ("第2档（二星级）分数线", "Level 2 (2-star) threshold"),
    "rating_scale": ("评星定级等级名称：five-star 或 beijing",
                     "Rating scale: five-star or beijing"),
    "party_cap_stars": ("党建不达标最高档次（1–5）",
                        "Highest level without party-building compliance (1–5)"),
    "low_star_interview_max": ("此档次及以下约谈限期整改（1–5）",
                               "Interview and rectify at this level and below (1–5)"),
    "review_opening_day": ("当年年考核开始日（月-日）",
                           "Opening day of the current year's review (MM-DD)"),
    "graduation_min_months": ("出壳最少入驻月数", "Graduation: minimum months in residence"),
    "graduation_min_stars": ("出壳最低档次（1–5）", "Graduation: minimum level (1–5)"),
    "graduation_require_registered": ("出壳须登记注册", "Graduation requires registration"),
    "expiring_days": ("减免到期提醒天数", "Waiver expiry warning (days)"),
    "service_surplus_carries_over": ("服务时数超出部分结转下月",
                                     "Surplus service hours carry over to later months"),
    "zombie_months": ("几个月无活动即为僵尸组织", "Months without activity before a zombie flag"),
    "ranking_months": ("排位统计最近几个月", "Ranking: months counted"),
    "ranking_weight_activity": ("排位：活跃度权重%", "Ranking weight: activity %"),
    "ranking_weight_standardization": ("排位：规范化权重%", "Ranking weight: standardization %"),
    "ranking_weight_coverage": ("排位：覆盖率权重%", "Ranking weight: coverage %"),
    "ranking_weight_influence": ("排位：影响力权重%", "Ranking weight: influence %"),
    "archive_items": ("档案资料清单（键=名称，逗号分隔）",
                      "Archive checklist (key=label, separated by commas)"),
    "round_criteria": ("公益创投评审指标（键=权重[:名称]，权重合计100）",
                       "Round review criteria (key=weight[:label], weights adding up to 100)"),
    "round_reviewer_weights": ("评审人类别权重（expert/resident/official=权重，合计100）",
                               "Reviewer kind weights (expert/resident/official=weight, "
                               "adding up to 100)"),
    "round_priority_bonus": ("五星级组织优先加分", "Priority points of a 5-star organization"),
    "round_pass_score": ("立项最低总分", "Lowest total that may be funded"),
}
