"""Labels of stored values (stages, kinds, statuses, ratings) in the current language, and
the warning cases as the CLI and the app both show them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..domain.categories import CATEGORIES, Categories, category_label
from ..domain.models import LABELS, Stage, WarningStatus, label
from ..domain.organization import PROFILE_LABELS
from ..domain.review import rating_label
from ..domain.settings import SETTING_LABELS
from ..domain.warnings import Case
from ..i18n import _, language, render_summary


def label_of(member: StrEnum) -> str:
    return label(member, language())


def enum_label(value: str | None) -> str:
    """The label of a stored enum value (stage, legal status, …); unknown values as they are."""
    member = next((m for m in LABELS if m.value == value), None)
    return label_of(member) if member else (value or "")


def category_text(key: str | None, known: Categories = CATEGORIES) -> str:
    """A category's label; `known` is the network's list (`queries.categories`)."""
    return category_label(key, language(), known) if key else ""


def warning_status_text(status: str) -> str:
    return label_of(WarningStatus(status))


def rating_text(stars: int | None, scale: str = "five-star") -> str:
    """A rating level in the reports' words (五星级 … 一星级, or 达标 on the Beijing scale)."""
    return "" if stars is None else _(rating_label(int(stars), scale))


def exit_kind_text(ordered: Any) -> str:
    """责令退出 (an ordered exit) or 自愿退出."""
    return _("ordered exit") if ordered else _("voluntary exit")


def stage_text(row: dict) -> str:
    """An organization's stage; an exited one's says whether the exit was ordered."""
    if row.get("stage") == Stage.EXITED:
        return exit_kind_text(row.get("exit_ordered"))
    return enum_label(row.get("stage"))


def case_row(org: dict, case: Case) -> dict[str, Any]:
    """One case as the `warnings` listing and `org show --json` give it."""
    return {
        "org_id": org["id"], "name": org["name"], "hub": org.get("hub"),
        "kind": case.kind.value, "case": case.id, "status": case.status.value,
        "streak": list(case.streak), "stars": case.stars,
        "interview": case.interview.on.isoformat() if case.interview else None,
        "interviews": len(case.interviews),
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "check_month": case.check_month, "override": case.override,
        "dismissed": ({"on": case.dismissal.on.isoformat(), "reason": case.dismissal.reason,
                       "by": case.dismissal.by}
                      if case.status == WarningStatus.DISMISSED and case.dismissal else None),
        "transitions": [{"at": t.at, "status": t.status.value, "text": t.text.render(_)}
                        for t in case.transitions],
    }


def end_reason_text(waiver: dict) -> str:
    """Why a waiver ended early: a person's words, or the exit or graduation that ended it
    (stored as its msgid)."""
    return _(waiver["end_reason"]) if waiver.get("end_reason") else ""


def case_status_text(row: dict) -> str:
    """A case's status in words (from `case_row`): a person's closing as rectified shows
    as an override, a dismissal with who decided and why."""
    text = warning_status_text(row["status"])
    if row["override"]:
        text = _("{status} (override: {reason})").format(status=text, reason=row["override"])
    elif row["override"] is not None:  # closed by an older build, which took no reason
        text = _("{status} (override)").format(status=text)
    if row["dismissed"]:
        text = _("{status} by {by}: {reason}").format(status=text, **row["dismissed"])
    return text


def case_summary(case: Case) -> str:
    """What opened the case, in a few words: its low months or its rating."""
    if case.streak:
        return _("{count} months from {first}").format(count=len(case.streak),
                                                       first=case.streak[0])
    if case.stars is not None:
        return _("review {year}: {stars}").format(year=case.id, stars=rating_text(case.stars))
    return case.id


def role_text(role: str | None) -> str:
    return enum_label(role) if role else _("not yet a member")


def data_quality_text(problem: dict) -> str:
    """One data-quality problem (`queries.data_quality`) and how to correct it."""
    if problem["kind"] == "score_ahead":
        return _("{name}: a score for {month}, a month that has not come yet "
                 "(incubator score delete ORG --month {month})").format(**problem)
    return _("{name}: a warning interview dated {on_date}, after today "
             "(incubator interview delete ORG {on_date})").format(**problem)


def setting_label(key: str) -> str:
    """What a setting means, in the current language (`SETTING_LABELS`)."""
    return SETTING_LABELS.get(key, ("", ""))[0 if language() == "zh" else 1]


def member_role_text(role: str | None, revoked_at: str | None) -> str:
    """A device's role; a revoked member's says so."""
    if revoked_at:
        return _("{role}, revoked").format(role=role_text(role))
    return role_text(role)


def join_words(items: Iterable[str]) -> str:
    """A list in words: 联系人、电话 in Chinese, "Contact, Phone" in English."""
    return ("、" if language() == "zh" else ", ").join(items)


def field_text(field: str) -> str:
    """A profile field (`phone`) or a journal field (`profile/phone`) by its label;
    any other field as it is stored."""
    key = field.removeprefix("profile/")
    return _(PROFILE_LABELS[key]) if key in PROFILE_LABELS else field


def fields_text(fields: Iterable[str]) -> str:
    return join_words(field_text(field) for field in fields)


def local_time(iso: str | None) -> str:
    """A stored UTC ISO time in this computer's time zone, to the minute."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def history_text(summary: str, params: dict[str, Any]) -> str:
    """A journal entry's summary in the current language, the fields it names by their
    labels ("Edited {fields}" stores the keys, comma-separated; a conflict its path)."""
    shown = dict(params)
    if isinstance(shown.get("fields"), str):
        shown["fields"] = fields_text(shown["fields"].split(", "))
    if isinstance(shown.get("field"), str):
        shown["field"] = field_text(shown["field"])
    return render_summary(summary, shown)
