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
    EVALUATOR = "evaluator"  # a third-party evaluation agency (第三方评估机构)


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


class ServiceArea(StrEnum):
    """The ten service areas of venture-philanthropy needs and projects (服务领域)."""

    ELDERLY = "elderly"
    DISABILITY = "disability"
    POVERTY = "poverty"
    YOUTH = "youth"
    GOVERNANCE = "governance"
    MUTUAL_AID = "mutual-aid"
    VOLUNTEERS = "volunteers"
    SOCIAL_WORK = "social-work"
    LEGAL_AID = "legal-aid"
    OTHER = "other"


class NeedSource(StrEnum):
    """How a resident's need was gathered (居民点单)."""

    QUESTIONNAIRE = "questionnaire"
    VISIT = "visit"
    SALON = "salon"
    OTHER = "other"


class ReviewerKind(StrEnum):
    """Who reviews applications: experts, residents, street and community officials."""

    EXPERT = "expert"
    RESIDENT = "resident"
    OFFICIAL = "official"


class EvaluationPhase(StrEnum):
    """The third-party evaluator's three phases of a funded project."""

    INITIAL = "initial"
    MID = "mid"
    FINAL = "final"


class EvaluationMethod(StrEnum):
    DOCUMENT = "document"
    SITE = "site"
    PHONE = "phone"


class EvaluationResult(StrEnum):
    PASS = "pass"
    RECTIFY = "rectify"
    FAIL = "fail"


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
    Role.EVALUATOR: ("第三方评估机构", "Third-party evaluator"),
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
    ServiceArea.ELDERLY: ("为老服务", "Elderly"),
    ServiceArea.DISABILITY: ("助残服务", "Disability"),
    ServiceArea.POVERTY: ("扶贫济困", "Poverty relief"),
    ServiceArea.YOUTH: ("青少年服务", "Youth"),
    ServiceArea.GOVERNANCE: ("社区治理", "Community governance"),
    ServiceArea.MUTUAL_AID: ("邻里互助", "Neighbour mutual aid"),
    ServiceArea.VOLUNTEERS: ("志愿服务", "Volunteers"),
    ServiceArea.SOCIAL_WORK: ("社会工作", "Social work"),
    ServiceArea.LEGAL_AID: ("法律援助", "Legal aid"),
    ServiceArea.OTHER: ("其他", "Other"),
    NeedSource.QUESTIONNAIRE: ("问卷调查", "Questionnaire"),
    NeedSource.VISIT: ("入户走访", "Home visit"),
    NeedSource.SALON: ("书记沙龙", "Secretaries' salon"),
    NeedSource.OTHER: ("其他途径", "Other source"),
    ReviewerKind.EXPERT: ("专家", "Expert"),
    ReviewerKind.RESIDENT: ("居民代表", "Resident"),
    ReviewerKind.OFFICIAL: ("街道社区干部", "Official"),
    EvaluationPhase.INITIAL: ("初期评估", "Initial evaluation"),
    EvaluationPhase.MID: ("中期评估", "Mid-term evaluation"),
    EvaluationPhase.FINAL: ("末期评估", "Final evaluation"),
    EvaluationMethod.DOCUMENT: ("查阅资料", "Document review"),
    EvaluationMethod.SITE: ("实地查看", "Site visit"),
    EvaluationMethod.PHONE: ("电话回访", "Phone follow-up"),
    EvaluationResult.PASS: ("合格", "Pass"),
    EvaluationResult.RECTIFY: ("限期整改", "Rectify"),
    EvaluationResult.FAIL: ("不合格", "Fail"),
}

KIND_NAMES = {
    LegalStatus: N_("legal status"), Stage: N_("stage"), PartyOrg: N_("party organization"),
    WaiverKind: N_("waiver kind"), SpaceKind: N_("space kind"), Role: N_("role"),
    InterviewOutcome: N_("interview outcome"), WarningStatus: N_("warning status"),
    CaseKind: N_("warning kind"),
    OrgForm: N_("organization form"), AreaKind: N_("urban or rural"),
    VisitPurpose: N_("visit purpose"), ArchiveState: N_("archive state"),
    RankDimension: N_("ranking dimension"),
    ServiceArea: N_("service area"), NeedSource: N_("need source"),
    ReviewerKind: N_("reviewer kind"), EvaluationPhase: N_("evaluation phase"),
    EvaluationMethod: N_("evaluation method"), EvaluationResult: N_("evaluation result"),
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
