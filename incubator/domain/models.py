"""The fixed vocabularies of the domain, with their Chinese and English labels."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from .errors import N_, DomainError, Text


class LegalStatus(StrEnum):
    REGISTERED = "registered"
    FILED = "filed"


class Stage(StrEnum):
    APPLICANT = "applicant"
    STARTUP = "startup"
    GROWTH = "growth"
    GRADUATED = "graduated"
    EXITED = "exited"


RESIDENT_STAGES = frozenset({Stage.STARTUP, Stage.GROWTH})


class PartyOrg(StrEnum):
    INDEPENDENT = "independent"
    JOINT = "joint"
    NONE = "none"


class WaiverKind(StrEnum):
    RENT_FREE = "rent-free"
    LOW_RENT = "low-rent"
    UTILITIES = "utilities"
    SERVICE_FOR_RENT = "service-for-rent"


class SpaceKind(StrEnum):
    ROOM = "room"
    DESK = "desk"
    SHARED = "shared"


class Role(StrEnum):
    HUB = "hub"
    FIELD = "field"
    VIEWER = "viewer"


class InterviewOutcome(StrEnum):
    RECTIFIED = "rectified"
    EXIT = "exit"


class WarningStatus(StrEnum):
    """Where a warning case stands (derived from the documents, never stored)."""

    OK = "ok"
    NEEDS_INTERVIEW = "needs_interview"
    OPEN = "open"
    OVERDUE = "overdue"
    FAILED = "failed"
    RECTIFIED = "rectified"
    EXIT = "exit"
    DISMISSED = "dismissed"
    LEFT = "left"


class CaseKind(StrEnum):
    """What opened a warning case: a monthly low streak, or an annual rating at or below the
    line (三星级以下)."""

    MONTHLY = "monthly"
    ANNUAL = "annual"


class OrgForm(StrEnum):
    """The legal form of an organization registered with civil affairs (credit code 51/52/53)."""

    SOCIAL_GROUP = "social-group"
    NON_ENTERPRISE = "non-enterprise"
    FOUNDATION = "foundation"


class AreaKind(StrEnum):
    """Where an organization is: a city community or a village (城市/农村)."""

    URBAN = "urban"
    RURAL = "rural"


class VisitPurpose(StrEnum):
    """Why field staff visited (走访 / 上门视导)."""

    ROUTINE = "routine"
    PRE_EVALUATION = "pre-evaluation"
    RECTIFICATION = "rectification"


class ArchiveState(StrEnum):
    """One archive item of an organization as checked (档案资料)."""

    PRESENT = "present"
    PARTIAL = "partial"
    MISSING = "missing"


class RankDimension(StrEnum):
    """The four dimensions of the district ranking (即时排位)."""

    ACTIVITY = "activity"
    STANDARDIZATION = "standardization"
    COVERAGE = "coverage"
    INFLUENCE = "influence"


LABELS: dict[StrEnum, tuple[str, str]] = {
    LegalStatus.REGISTERED: ("登记注册", "Registered"),
    LegalStatus.FILED: ("备案", "Filed"),
    Stage.APPLICANT: ("申请中", "Applicant"),
    Stage.STARTUP: ("初创期", "Startup"),
    Stage.GROWTH: ("成长期", "Growth"),
    Stage.GRADUATED: ("已出壳", "Graduated"),
    Stage.EXITED: ("已退出", "Exited"),
    PartyOrg.INDEPENDENT: ("独立党组织", "Independent party organization"),
    PartyOrg.JOINT: ("联合党组织", "Joint party organization"),
    PartyOrg.NONE: ("无党组织", "No party organization"),
    WaiverKind.RENT_FREE: ("免租金", "Rent-free"),
    WaiverKind.LOW_RENT: ("低租金", "Low rent"),
    WaiverKind.UTILITIES: ("水电减免", "Utility waiver"),
    WaiverKind.SERVICE_FOR_RENT: ("以服务换租金", "Service for rent"),
    SpaceKind.ROOM: ("独立房间", "Room"),
    SpaceKind.DESK: ("工位", "Desk"),
    SpaceKind.SHARED: ("共享空间", "Shared space"),
    Role.HUB: ("孵化中心", "Hub"),
    Role.FIELD: ("社工/督导", "Field staff"),
    Role.VIEWER: ("只读", "Viewer"),
    InterviewOutcome.RECTIFIED: ("整改到位", "Rectified"),
    InterviewOutcome.EXIT: ("责令退出", "Ordered exit"),
    WarningStatus.OK: ("无约谈", "no warning"),
    WarningStatus.NEEDS_INTERVIEW: ("需约谈提醒", "needs a warning interview"),
    WarningStatus.OPEN: ("整改中", "rectification under way"),
    WarningStatus.OVERDUE: ("整改逾期", "rectification overdue"),
    WarningStatus.FAILED: ("整改不到位，应责令退出", "rectification failed: order an exit"),
    WarningStatus.RECTIFIED: ("整改到位", "rectified"),
    WarningStatus.EXIT: ("责令退出", "ordered to leave"),
    WarningStatus.DISMISSED: ("已撤销（有理由）", "dismissed with a reason"),
    WarningStatus.LEFT: ("约谈办结：组织已离开", "closed: the organization left"),
    CaseKind.MONTHLY: ("月度", "monthly"),
    CaseKind.ANNUAL: ("年度", "annual"),
    OrgForm.SOCIAL_GROUP: ("社会团体", "Social group"),
    OrgForm.NON_ENTERPRISE: ("民办非企业单位", "Private non-enterprise unit"),
    OrgForm.FOUNDATION: ("基金会", "Foundation"),
    AreaKind.URBAN: ("城市", "Urban"),
    AreaKind.RURAL: ("农村", "Rural"),
    VisitPurpose.ROUTINE: ("日常走访", "Routine visit"),
    VisitPurpose.PRE_EVALUATION: ("评前视导", "Pre-evaluation visit"),
    VisitPurpose.RECTIFICATION: ("整改检查", "Rectification check"),
    ArchiveState.PRESENT: ("齐全", "Present"),
    ArchiveState.PARTIAL: ("不全", "Partial"),
    ArchiveState.MISSING: ("缺失", "Missing"),
    RankDimension.ACTIVITY: ("活跃度", "Activity"),
    RankDimension.STANDARDIZATION: ("规范化", "Standardization"),
    RankDimension.COVERAGE: ("覆盖率", "Coverage"),
    RankDimension.INFLUENCE: ("影响力", "Influence"),
}

KIND_NAMES = {
    LegalStatus: N_("legal status"), Stage: N_("stage"), PartyOrg: N_("party organization"),
    WaiverKind: N_("waiver kind"), SpaceKind: N_("space kind"), Role: N_("role"),
    InterviewOutcome: N_("interview outcome"), WarningStatus: N_("warning status"),
    CaseKind: N_("warning kind"),
    OrgForm: N_("organization form"), AreaKind: N_("urban or rural"),
    VisitPurpose: N_("visit purpose"), ArchiveState: N_("archive state"),
    RankDimension: N_("ranking dimension"),
}


def english_label(member: StrEnum) -> str:
    """The English label, which is also the msgid for showing the member in a message."""
    return LABELS[member][1]


def label(member: StrEnum, lang: str) -> str:
    """The member's label in `lang` (zh or en)."""
    zh, en = LABELS[member]
    return en if lang == "en" else zh


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum_cls: type[E], text: object) -> E:
    """A member from its value, its Chinese label or its English label (any case)."""
    wanted = text.strip() if isinstance(text, str) else ""
    for member in enum_cls:
        zh, en = LABELS[member]
        if wanted == zh or wanted.lower() in (member.value, en.lower()):
            return member
    raise DomainError("Unknown {kind}: {value}; expected one of {choices}",
                      kind=Text(KIND_NAMES[enum_cls]), value=str(text)[:40],
                      choices=", ".join(m.value for m in enum_cls))
