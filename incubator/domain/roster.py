"""A roster as bureaus write it: the one table of header synonyms, sheet values, duplicates.

`ROSTER_COLUMNS` is the one table that says which profile field a column header names:
its Chinese header as exports write it, its English header (`--lang en`) and the other
ways bureaus write it (名称 / 组织名称 / 社会团体（民办非企业单位）名称 …). Headers are
compared after `header_key` (full-width, blanks, brackets, a leading * and a trailing
colon do not count). A mapping file names the rest.

`sheet_value` turns what a cell holds (a date, a number, text such as 2023年5月1日 or
已备案) into what the profile's cleaners accept. `RosterIndex` finds duplicates: against
the organizations already recorded, and between the rows of the file, by unified social
credit code, by filing number and by the normalised name (`names.name_key`).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .errors import DomainError
from .models import AreaKind, LegalStatus, OrgForm, PartyOrg
from .names import name_key

# field → (the export's Chinese header, its English header, other headers bureaus use)
ROSTER_COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "name": ("组织名称", "Name", (
        "名称", "社会组织名称", "社区社会组织名称", "社会团体（民办非企业单位）名称",
        "社会团体名称", "民办非企业单位名称", "单位名称", "组织全称", "Organization")),
    "category": ("类别", "Category", ("组织类别", "服务类别", "类型", "分类", "所属类别")),
    "legal_status": ("登记状态", "Legal status", (
        "登记或备案", "登记/备案", "登记备案", "登记备案情况", "法律状态", "是否登记")),
    "credit_code": ("统一社会信用代码", "Unified social credit code", (
        "信用代码", "社会信用代码", "统一代码", "Credit code")),
    "filing_number": ("备案编号", "Filing number", ("备案号", "备案证号", "备案证编号")),
    "registered_on": ("成立日期", "Registered or filed on", (
        "备案日期", "登记日期", "成立时间", "备案时间", "登记时间", "成立（备案）日期",
        "登记或备案日期", "成立或备案日期")),
    "entered": ("入驻日期", "Entered", ("入驻时间", "入孵日期", "入孵时间")),
    "leader": ("负责人", "Person in charge", ("负责人姓名", "法定代表人", "法人代表")),
    "contact": ("联系人", "Contact", ("联系人姓名",)),
    "phone": ("联系电话", "Phone", ("电话", "联系方式", "手机", "手机号码", "联系人电话")),
    "town": ("街道/乡镇", "Street or town", (
        "街道", "乡镇", "镇街", "所属街道", "街道（乡镇）", "乡镇（街道）", "乡镇/街道",
        "所在街道")),
    "village": ("社区/村", "Community or village", (
        "社区", "村", "所属社区", "社区（村）", "村（社区）", "村/社区", "所在社区",
        "社区（村）名称")),
    "area": ("城乡", "Urban or rural", ("城市或农村", "城乡类别", "城市/农村", "城乡分类")),
    "members": ("成员数", "Members", ("会员人数", "成员人数", "会员数", "人数", "成员数量")),
    "party_org": ("党组织", "Party organization", (
        "党组织情况", "党组织建立情况", "党组织形式", "是否建立党组织")),
    "org_form": ("组织形式", "Organization form", ("登记类型", "法人类型", "社会组织类型")),
    "supervisor": ("业务主管单位", "Supervising unit", ("主管单位", "业务指导单位", "指导单位")),
    "place": ("活动场所", "Activity place", ("办公场所", "活动地点", "办公地址", "住所")),
    "activity_area": ("活动地域", "Activity area", ("活动范围", "服务范围", "服务区域")),
    "community": ("服务社区", "Community", ("所服务社区",)),
    "hub": ("孵化中心", "Hub", ("所属孵化中心", "入驻孵化中心", "孵化基地", "孵化园")),
    "stage": ("孵化阶段", "Stage", ("阶段",)),
    "notes": ("备注", "Notes", ("说明",)),
}
ROSTER_FIELDS = tuple(ROSTER_COLUMNS)
DATE_FIELDS = frozenset({"registered_on", "entered"})
HEADER_SCAN_ROWS = 20  # a header row is looked for among the first rows (titles above it)

# what bureaus write in the enumerated columns, beside the labels of `models.LABELS`
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "legal_status": {
        "登记": LegalStatus.REGISTERED, "已登记": LegalStatus.REGISTERED,
        "注册": LegalStatus.REGISTERED, "已注册": LegalStatus.REGISTERED,
        "登记注册": LegalStatus.REGISTERED, "已备案": LegalStatus.FILED,
        "备案": LegalStatus.FILED},
    "party_org": {
        "独立": PartyOrg.INDEPENDENT, "单独组建": PartyOrg.INDEPENDENT,
        "独立组建": PartyOrg.INDEPENDENT, "联合": PartyOrg.JOINT, "联合组建": PartyOrg.JOINT,
        "无": PartyOrg.NONE, "没有": PartyOrg.NONE, "未建立": PartyOrg.NONE,
        "未组建": PartyOrg.NONE, "否": PartyOrg.NONE},
    "area": {"城市": AreaKind.URBAN, "城镇": AreaKind.URBAN, "城区": AreaKind.URBAN,
             "城": AreaKind.URBAN, "农村": AreaKind.RURAL, "乡村": AreaKind.RURAL,
             "农": AreaKind.RURAL},
    "org_form": {"社团": OrgForm.SOCIAL_GROUP, "民非": OrgForm.NON_ENTERPRISE,
                 "社会服务机构": OrgForm.NON_ENTERPRISE, "民办非企业": OrgForm.NON_ENTERPRISE},
}

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TRAILING_UNIT = re.compile(r"\s*(人|名|个)\s*$")


def header_key(text: object) -> str:
    """A header as compared: NFKC, no blanks, brackets ( ), no leading * or trailing :."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    key = "".join(key.split()).strip("*:").casefold()
    return key


def _header_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for field_name, (zh, en, others) in ROSTER_COLUMNS.items():
        for header in (field_name, zh, en, *others):
            table.setdefault(header_key(header), field_name)
    return table


HEADERS = _header_table()


def field_of_header(text: object, mapping: Mapping[str, str] | None = None) -> str | None:
    """The profile field a header names: the mapping file first, then the synonyms, then
    the header without a trailing remark in brackets (成员数（人） → 成员数)."""
    key = header_key(text)
    if not key:
        return None
    if mapping and key in mapping:
        return mapping[key] or None
    if key in HEADERS:
        return HEADERS[key]
    shorter = re.sub(r"\([^()]*\)$", "", key)
    return HEADERS.get(shorter) if shorter != key else None


def parse_mapping(text: str) -> dict[str, str]:
    """A mapping file: `header = field` lines (a field key such as `town`, or any header
    this table knows, such as 街道; `-` ignores the column; `#` starts a comment), or one
    JSON object of the same pairs. Keys come back as `header_key`s."""
    pairs: list[tuple[str, str]] = []
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith("{"):
        try:
            loaded = json.loads(stripped)
        except ValueError as error:
            raise DomainError("The mapping file is not valid JSON: {error}",
                              error=str(error)[:100]) from None
        if not isinstance(loaded, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()):
            raise DomainError("The mapping file must map each header to a field")
        pairs = list(loaded.items())
    else:
        for number, line in enumerate(stripped.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            header, sep, target = line.replace("＝", "=").partition("=")
            if not sep or not header.strip() or not target.strip():
                raise DomainError("Line {line} of the mapping file is not `header = field`",
                                  line=number)
            pairs.append((header, target))
    mapping: dict[str, str] = {}
    for header, target in pairs:
        target = target.strip()
        if target == "-":
            mapping[header_key(header)] = ""
            continue
        found = target if target in ROSTER_COLUMNS else HEADERS.get(header_key(target))
        if found is None:
            raise DomainError("The mapping file names an unknown field {field}; fields are "
                              "{choices}", field=target[:40], choices=", ".join(ROSTER_FIELDS))
        mapping[header_key(header)] = found
    return mapping


@dataclass(frozen=True)
class Columns:
    """Which column of a sheet holds which field (0-based), and the headers left over."""

    header_row: int  # 1-based, as a spreadsheet numbers rows
    fields: dict[int, str]
    ignored: tuple[str, ...]


def find_columns(rows: Sequence[Sequence[Any]], mapping: Mapping[str, str] | None = None
                 ) -> Columns:
    """The header row (the first of the first rows that names a name column and at least
    one other field: titles may stand above it) and its columns. Refuses a sheet without
    one and a field named by two columns."""
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {column: field_of_header(cell, mapping) for column, cell in enumerate(cells)}
        named = {column: f for column, f in fields.items() if f}
        if "name" not in named.values() or len(named) < 2:
            continue
        seen: dict[str, int] = {}
        for column, field_name in named.items():
            if field_name in seen:
                raise DomainError("Columns {first} and {second} both name {field}",
                                  first=column_letter(seen[field_name]),
                                  second=column_letter(column),
                                  field=ROSTER_COLUMNS[field_name][0])
            seen[field_name] = column
        ignored = tuple(str(cell).strip() for column, cell in enumerate(cells)
                        if column not in named and cell not in (None, "")
                        and str(cell).strip())
        return Columns(index + 1, named, ignored)
    raise DomainError("No header row found: the first {rows} rows name no column 组织名称 "
                      "(or 名称) beside another known column; give a mapping file with "
                      "--mapping", rows=HEADER_SCAN_ROWS)


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet names it (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """What a cell holds as text: a whole float without its .0 (a phone number 1.38e10
    read as a number), dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def sheet_date(value: Any) -> str:
    """An ISO date from a date cell or from text as people type it: 2023-05-01, 2023/5/1,
    2023.5.1, 2023年5月1日, 20230501."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", cell_text(value))
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            pass
    raise DomainError("Malformed date {value}: expected YYYY-MM-DD", value=text[:40])


def sheet_value(field_name: str, value: Any) -> Any:
    """What a cell of `field_name` holds, as the profile's cleaners accept it."""
    if field_name in DATE_FIELDS:
        return sheet_date(value)
    text = cell_text(value)
    if field_name in VALUE_SYNONYMS:
        return VALUE_SYNONYMS[field_name].get(unicodedata.normalize("NFKC", text), text)
    if field_name == "members":
        return _TRAILING_UNIT.sub("", text)
    return text


def inferred_status(profile: Mapping[str, Any]) -> str:
    """The legal status of a row that does not say it: registered with a credit code and
    no filing number, else filed (the default of `org add`)."""
    if profile.get("credit_code") and not profile.get("filing_number"):
        return LegalStatus.REGISTERED.value
    return LegalStatus.FILED.value


@dataclass(frozen=True)
class Recorded:
    """An organization already in the replica, as duplicates are looked for."""

    id: str
    name: str
    hub_id: str | None
    credit_code: str | None = None
    filing_number: str | None = None


@dataclass
class RosterIndex:
    """The organizations recorded and the rows of the file seen so far, by credit code,
    filing number and normalised name."""

    recorded: Iterable[Recorded]
    _codes: dict[str, Recorded] = field(default_factory=dict, init=False)
    _numbers: dict[str, Recorded] = field(default_factory=dict, init=False)
    _names: dict[str, list[Recorded]] = field(default_factory=dict, init=False)
    _rows: dict[tuple[str, str], int] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for org in self.recorded:
            if org.credit_code:
                self._codes[org.credit_code] = org
            if org.filing_number:
                self._numbers[org.filing_number] = org
            self._names.setdefault(name_key(org.name), []).append(org)

    def match(self, profile: Mapping[str, Any], hub_id: str | None) -> Recorded | None:
        """The recorded organization a cleaned row is about (None: a new one), or
        DomainError saying why the row is a duplicate that cannot be told apart."""
        code, number = profile.get("credit_code") or "", profile.get("filing_number") or ""
        by_code = self._codes.get(code) if code else None
        by_number = self._numbers.get(number) if number else None
        if by_code and by_number and by_code.id != by_number.id:
            raise DomainError("Its credit code is {first}'s and its filing number {second}'s",
                              first=by_code.name, second=by_number.name)
        target = by_code or by_number
        key = name_key(profile["name"])
        named = [org for org in self._names.get(key, []) if target is None or org.id != target.id]
        if target is not None:
            clash = [org for org in named if org.hub_id == (hub_id or target.hub_id)]
            if clash:
                raise DomainError("{name} counts as the same name as {existing}, which already "
                                  "exists", name=profile["name"], existing=clash[0].name)
            return target
        if not named:
            return None
        if len(named) > 1:
            named = [org for org in named if org.hub_id == hub_id] or named
            if len(named) > 1:
                raise DomainError("{value} matches several: {matches}", value=profile["name"],
                                  matches=", ".join(f"{o.id} {o.name}" for o in named[:5]))
        found = named[0]
        recorded_ids = {found.credit_code or "", found.filing_number or ""} - {""}
        if (code or number) and recorded_ids and not recorded_ids & {code, number}:
            raise DomainError("{name} counts as the same name as {existing}, which already "
                              "exists", name=profile["name"], existing=found.name)
        if found.name != profile["name"]:
            raise DomainError("{name} counts as the same name as {existing}, which already "
                              "exists", name=profile["name"], existing=found.name)
        return found

    def seen(self, number: int, profile: Mapping[str, Any], hub_id: str | None) -> None:
        """Refuse a row that is the same organization as an earlier row of the file (the
        same credit code, filing number, or name in the same hub or register); else
        remember it."""
        keys = [("code", profile.get("credit_code") or ""),
                ("number", profile.get("filing_number") or ""),
                ("name", f"{hub_id or ''}\x00{name_key(profile['name'])}")]
        for key in keys:
            if key[1] and key in self._rows:
                raise DomainError("The same organization as row {row}", row=self._rows[key])
        for key in keys:
            if key[1]:
                self._rows[key] = number
