"""Every threshold and weight, stored in the network's settings; defaults from domain.md."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from .archives import DEFAULT_ITEMS_TEXT, parse_items
from .errors import N_, DomainError, Text

VALUE_KINDS = {"float": N_("a number"), "int": N_("a whole number"), "bool": N_("yes or no")}
RANKING_WEIGHTS = ("ranking_weight_activity", "ranking_weight_standardization",
                   "ranking_weight_coverage", "ranking_weight_influence")


@dataclass(frozen=True)
class Settings:
    warning_threshold: float = 6.0
    warning_streak_months: int = 3
    rectification_months: int = 1
    review_weight_monthly: float = 40.0
    review_weight_self: float = 20.0
    review_weight_peer: float = 20.0
    review_weight_public: float = 20.0
    stars_5: float = 90.0
    stars_4: float = 80.0
    stars_3: float = 70.0
    stars_2: float = 60.0
    party_cap_stars: int = 3
    rectify_below_stars: int = 3
    graduation_min_months: int = 12
    graduation_min_stars: int = 3
    graduation_require_registered: bool = True
    expiring_days: int = 30
    zombie_months: int = 3
    ranking_months: int = 12
    ranking_weight_activity: float = 25.0
    ranking_weight_standardization: float = 25.0
    ranking_weight_coverage: float = 25.0
    ranking_weight_influence: float = 25.0
    archive_items: str = DEFAULT_ITEMS_TEXT

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
        kinds = {f.name: f.type for f in fields(self)}
        for key in texts:
            if key not in kinds:
                raise DomainError("Unknown setting {key}", key=key)
        updated = replace(self, **{key: _parse(key, kinds[key], text)
                                   for key, text in texts.items()})
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
        for key in ("party_cap_stars", "rectify_below_stars", "graduation_min_stars"):
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


def _parse(key: str, kind: str, text: str) -> object:
    if kind == "str":
        return str(text).strip()
    cleaned = str(text).strip().lower()
    try:
        if kind == "bool":
            if cleaned in ("yes", "true", "1", "是"):
                return True
            if cleaned in ("no", "false", "0", "否"):
                return False
            raise ValueError
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
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    raise DomainError("Stored setting {key} has a value of the wrong type", key=key)


SETTING_LABELS: dict[str, tuple[str, str]] = {
    "warning_threshold": ("低分线（10分制）", "Low-score line (out of 10)"),
    "warning_streak_months": ("连续低分几个月约谈", "Consecutive low months before a warning"),
    "rectification_months": ("整改期限（月）", "Rectification period (months)"),
    "review_weight_monthly": ("年考核：月度平均权重%", "Review weight: monthly average %"),
    "review_weight_self": ("年考核：自评权重%", "Review weight: self-evaluation %"),
    "review_weight_peer": ("年考核：互评权重%", "Review weight: peer evaluation %"),
    "review_weight_public": ("年考核：群众评权重%", "Review weight: public evaluation %"),
    "stars_5": ("五星分数线", "5-star threshold"),
    "stars_4": ("四星分数线", "4-star threshold"),
    "stars_3": ("三星分数线", "3-star threshold"),
    "stars_2": ("二星分数线", "2-star threshold"),
    "party_cap_stars": ("党建不达标最高星级", "Star cap without party-building compliance"),
    "rectify_below_stars": ("低于几星需整改", "Rectification below this many stars"),
    "graduation_min_months": ("出壳最少入驻月数", "Graduation: minimum months in residence"),
    "graduation_min_stars": ("出壳最低星级", "Graduation: minimum stars"),
    "graduation_require_registered": ("出壳须登记注册", "Graduation requires registration"),
    "expiring_days": ("减免到期提醒天数", "Waiver expiry warning (days)"),
    "zombie_months": ("几个月无活动即为僵尸组织", "Months without activity before a zombie flag"),
    "ranking_months": ("排位统计最近几个月", "Ranking: months counted"),
    "ranking_weight_activity": ("排位：活跃度权重%", "Ranking weight: activity %"),
    "ranking_weight_standardization": ("排位：规范化权重%", "Ranking weight: standardization %"),
    "ranking_weight_coverage": ("排位：覆盖率权重%", "Ranking weight: coverage %"),
    "ranking_weight_influence": ("排位：影响力权重%", "Ranking weight: influence %"),
    "archive_items": ("档案资料清单（键=名称，逗号分隔）",
                      "Archive checklist (key=label, separated by commas)"),
}
