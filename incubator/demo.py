"""A deterministic demo replica: four hubs, Chinese names, years of monthly scores.

The same seed and the same clock (`INCUBATOR_NOW`) give the same data. Some
organizations are in a low-score streak, some under a warning interview, some
graduated, some exited; waivers include service-for-rent with shortfalls.

`build_district` makes a whole district instead: 3,630 organizations (2,610 rural) on the
district register, of which about 100 are residents of the four hubs, with two years of
activities, field visits with archive checks and trainings; about half never hold an
activity, as the bureaus found.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from .domain.credit_code import check_character
from .domain.months import add_months, month_add, month_of, month_range
from .store import queries
from .store.commands import ActivityEntry, ScoreEntry, Store, VisitEntry

HUBS = (
    ("公益慈善孵化中心", "charity"),
    ("文化艺术孵化基地", "culture"),
    ("社区服务孵化园", "community-service"),
    ("志愿服务孵化中心", "volunteer"),
)
COMMUNITIES = (
    "阳光", "幸福里", "桂花", "春晖", "和平", "新华", "东湖", "西苑", "南门", "北关", "青石",
    "柳营", "杏林", "金桥", "银杏", "枫林", "梧桐", "清水", "石榴", "向阳", "长乐", "永安",
    "兴隆", "丰收", "田家坝", "李家湾", "马鞍山", "白沙", "红岩", "黄桷",
)
PLACES = ("社区", "村", "街道", "小区")
THEMES = {
    "charity": ("爱心互助会", "慈善救助站", "暖心公益社"),
    "culture": ("书画社", "民乐队", "广场舞队", "川剧票友会", "读书会"),
    "community-service": ("居家养老服务中心", "四点半课堂", "便民服务队", "邻里中心"),
    "volunteer": ("志愿服务队", "夕阳红志愿队", "巡河志愿队", "文明劝导队"),
    "elderly": ("老年协会", "银龄互助社"),
    "disability": ("助残服务社", "康复互助会"),
    "youth": ("青少年成长营", "小候鸟之家"),
    "mutual-aid": ("邻里互助会", "红白理事会"),
    "governance": ("居民议事会", "楼栋自治会"),
    "legal-aid": ("法律援助站", "调解工作室"),
}
CONTACTS = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙")
GIVEN = ("建国", "秀英", "桂兰", "志强", "海燕", "丽华", "明", "芳", "军", "静", "伟", "敏")


def build_demo(home: Path, *, orgs: int = 60, months: int = 24, seed: int = 7,
               clock=None) -> Store:
    """Create the demo replica in `home` and return its open store."""
    store, rng, hub_ids, spaces = _four_hubs(home, seed, clock, "demo")
    today = store.today()
    with store.transaction():
        names: set[str] = set()
        for number in range(orgs):
            hub_index = number % len(HUBS)
            _add_org(store, rng, number, hub_ids[hub_index], HUBS[hub_index][1],
                     spaces[hub_ids[hub_index]], names, today, months)
    store.compact()  # left at rest, as a replica is after an idle moment
    return store


def _four_hubs(home: Path, seed: int, clock, kind: str
               ) -> tuple[Store, random.Random, list[str], dict[str, list[str]]]:
    """A new network with the four hubs and their spaces, and the random source (seeded)
    that its ids and everything after come from."""
    rng = random.Random(seed)
    new_id = lambda: f"{rng.getrandbits(48):012x}"  # noqa: E731 - deterministic ids
    store = Store.init(home, HUBS[0][0], "演示设备", HUBS[0][1], clock=clock, new_id=new_id,
                       identity_seed=f"incubator-{kind}-{seed}".encode())
    with store.transaction():
        hub_ids = [queries.first_hub(store.db)]
        hub_ids += [store.add_hub(name, category) for name, category in HUBS[1:]]
        spaces = {hub: _add_spaces(store, hub) for hub in hub_ids}
    return store, rng, hub_ids, spaces


def _add_spaces(store: Store, hub_id: str) -> list[str]:
    rooms = [store.add_space(hub_id, f"{100 + n}室", "room", 20.0 + n, 6) for n in range(1, 9)]
    desks = [store.add_space(hub_id, f"工位{n}", "desk", None, 1) for n in range(1, 7)]
    store.add_space(hub_id, "共享会议室", "shared", 60.0, 30)
    return rooms + desks


def _org_name(rng: random.Random, category: str, names: set[str]) -> str:
    """A realistic unique name; once the combinations run out, branches get numbers."""
    base = rng.choice(COMMUNITIES) + rng.choice(PLACES) + rng.choice(THEMES[category])
    name, branch = base, 1
    while name in names:
        branch += 1
        name = f"{base}{branch}分队"
    names.add(name)
    return name


def _add_org(store: Store, rng: random.Random, number: int, hub_id: str, hub_category: str,
             free_spaces: list[str], names: set[str], today: date, months: int,
             register_fields: dict | None = None) -> str:
    category = hub_category if rng.random() < 0.7 else rng.choice(list(THEMES))
    profile = rng.random()
    entered = today - timedelta(days=rng.randint(40, max(41, months * 30)))
    if profile < 0.05:
        stage = "applicant"
    else:
        stage = "growth" if (today - entered).days > 540 else "startup"
    name = _org_name(rng, category, names)
    status = "registered" if rng.random() < 0.45 or number % 10 == 1 else "filed"
    org_id = store.add_org(
        name, category, hub_id, status=status, entered=entered.isoformat(), stage=stage, community=rng.choice(COMMUNITIES) + "社区",
        contact=rng.choice(CONTACTS) + rng.choice(GIVEN),
        phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
        members=rng.randint(5, 120), party=rng.choice(("independent", "joint", "none", "none")),
        register_fields=_identified(register_fields, status) if register_fields else None,
    )
    if stage == "applicant":
        return org_id
    if free_spaces and rng.random() < 0.6:
        store.assign_space(free_spaces.pop(0), org_id, entered.isoformat())
    weak = number % 9 == 4
    last = month_add(month_of(today), -1)
    first = max(month_of(add_months(entered, 1)), month_add(last, -(months - 1)))
    history = month_range(first, last)
    store.set_scores([ScoreEntry(org_id, month, _score(rng, weak and n >= len(history) - 3))
                      for n, month in enumerate(history)])
    _add_waivers(store, rng, org_id, entered, today)
    if len(history) >= 12 and rng.random() < 0.8:
        store.set_review(org_id, today.year - 1, rng.randint(70, 98), rng.randint(65, 95),
                         rng.randint(60, 96), rng.random() < 0.85)
    streaks = [case.id for case in queries.org_cases(store.db, org_id, today)
               if case.kind == "monthly"] if weak else []
    if streaks and number % 4 in (0, 2):
        store.record_interview(org_id, (today - timedelta(days=20)).isoformat(),
                               case=streaks[0])
        if number % 4 == 2:
            store.close_interview(org_id, "exit", (today - timedelta(days=5)).isoformat(),
                                  "约谈后仍不开展活动，责令退出", case=streaks[0])
            return org_id
    if number % 13 == 3:
        store.exit_org(org_id, "长期未开展活动，自愿退出", (today - timedelta(days=10)).isoformat())
    elif number % 10 == 1 and not weak:
        criteria = store.graduation_criteria(org_id)
        if all(c.met for c in criteria):
            store.graduate(org_id, destination=rng.choice(("独立运营", "转入街道社会组织服务站")))
    return org_id


def _score(rng: random.Random, low: bool) -> dict[str, float]:
    items = ("plan", "cleanliness", "activities", "archives", "party")
    if low:
        return {item: rng.choice((0.5, 1.0, 1.0, 1.0)) for item in items}
    return {item: rng.choice((1.0, 1.5, 1.5, 2.0, 2.0, 2.0)) for item in items}


def _add_waivers(store: Store, rng: random.Random, org_id: str, entered: date,
                 today: date) -> None:
    start = max(entered, today - timedelta(days=300))
    end = today + timedelta(days=rng.choice((10, 25, 90, 200, 365)))
    roll = rng.random()
    if roll < 0.35:
        value = rng.choice((800.0, 1200.0, 1500.0))
        if value < 1500:
            store.add_waiver(org_id, "rent-free", start.isoformat(), end.isoformat(), value,
                             approved_by="中心主任")
        else:
            store.add_waiver(org_id, "low-rent", start.isoformat(), end.isoformat(),
                             approved_by="中心主任", rent_charged=500.0, standard_rent=value)
    elif roll < 0.55:
        store.add_waiver(org_id, "service-for-rent", start.isoformat(), end.isoformat(),
                         1000.0, hours_per_month=20.0, approved_by="中心主任")
        store.log_service_months(org_id, {
            month: float(rng.choice((8, 15, 20, 20, 24)))
            for month in month_range(month_of(start), month_add(month_of(today), -1))})
    if rng.random() < 0.3:
        store.add_waiver(org_id, "utilities", start.isoformat(), end.isoformat(), 200.0,
                         approved_by="中心主任")



DISTRICT_ORGS, DISTRICT_RURAL, DISTRICT_RESIDENTS = 3630, 2610, 100
STREETS = ("东城街道", "西城街道", "南湖街道", "北门街道")
TOWNS = ("青石镇", "柳营镇", "马鞍山镇", "白沙镇", "红岩乡", "黄桷镇", "清水乡", "杏林镇")
VILLAGE_NAMES = ("田家坝", "李家湾", "石榴", "向阳", "长乐", "永安", "兴隆", "丰收", "金桥", "银杏",
                 "枫林", "梧桐", "桂花", "春晖", "和平", "新华")
DISTRICT_THEMES = {
    "sports": ("广场舞队", "太极拳协会", "篮球队", "健身队"),
    "hobbies": ("摄影协会", "书法协会", "棋牌协会", "花卉协会"),
    "public-safety": ("治安巡逻队", "平安志愿队", "消防宣传队"),
    "village-sages": ("乡贤参事会", "乡贤理事会"),
    "elderly": ("老年协会", "银龄互助社"), "culture": ("文艺队", "川剧票友会", "读书会"),
    "volunteer": ("志愿服务队", "巡河志愿队"), "mutual-aid": ("邻里互助会", "红白理事会"),
    "governance": ("居民议事会", "村民议事会"),
}
ACTIVITY_KINDS = (("文艺演出", "重阳文艺汇演"), ("志愿服务", "清洁家园"), ("讲座", "防诈骗讲座"),
                  ("体育比赛", "邻里运动会"), ("走访慰问", "慰问空巢老人"), ("议事协商", "院落议事会"))
ACTIVE, FADING = "active", "fading"  # the rest never hold an activity (zombies)


def _credit_code(rng: random.Random, form_char: str) -> str:
    """A valid unified social credit code of a civil-affairs registration (51, 52, 53)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "5" + form_char + "510107" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + check_character(body)


def _register_fields(rng: random.Random, number: int, rural: bool, registered: bool,
                     today: date) -> dict:
    """Where an organization is and what its registration or filing record says."""
    town = rng.choice(TOWNS if rural else STREETS)
    village = rng.choice(VILLAGE_NAMES) + ("村" if rural else "社区")
    founded = today - timedelta(days=rng.randint(120, 3650))
    fields = {"area": "rural" if rural else "urban", "town": town, "village": village,
              "registered_on": founded.isoformat(), "leader": rng.choice(CONTACTS)
              + rng.choice(GIVEN), "place": village + rng.choice(("活动室", "文化广场", "党群服务中心")),
              "activity_area": village}
    form = rng.choice(("1", "1", "2", "3"))
    fields.update(credit_code=_credit_code(rng, form), org_form={
        "1": "social-group", "2": "non-enterprise", "3": "foundation"}[form],
        filing_number=f"{town[:2]}备{founded.year}-{number:04d}",
        supervisor=town + ("人民政府" if rural else "办事处"))
    return _identified(fields, "registered" if registered else "filed")


def _identified(fields: dict, status: str) -> dict:
    """The register fields that fit the legal status: a credit code and a form for a
    registered organization, a filing number and a supervising unit for a filed one."""
    dropped = ("filing_number", "supervisor") if status == "registered" else (
        "credit_code", "org_form")
    return {key: value for key, value in fields.items() if key not in dropped}


def build_district(home: Path, *, orgs: int = DISTRICT_ORGS, months: int = 24, seed: int = 7,
                   clock=None) -> Store:
    """The whole district in `home` (deterministic): see the module's docstring."""
    store, rng, hub_ids, spaces = _four_hubs(home, seed, clock, "district")
    today = store.today()
    rural_share = DISTRICT_RURAL / DISTRICT_ORGS
    residents = max(len(HUBS), round(orgs * DISTRICT_RESIDENTS / DISTRICT_ORGS))
    names: set[str] = set()
    org_ids = []
    for number in range(orgs):
        rural = rng.random() < rural_share
        registered = rng.random() < 0.2
        fields = _register_fields(rng, number, rural, registered, today)
        with store.transaction():
            if number < residents:
                hub_index = number % len(HUBS)
                org_id = _add_org(store, rng, number, hub_ids[hub_index], HUBS[hub_index][1],
                                  spaces[hub_ids[hub_index]], names, today, months, fields)
            else:
                category = rng.choice(list(DISTRICT_THEMES))
                name = fields["village"] + rng.choice(DISTRICT_THEMES[category])
                branch = 1
                while name in names:
                    branch += 1
                    name = f"{fields['village']}{rng.choice(DISTRICT_THEMES[category])}{branch}队"
                names.add(name)
                org_id = store.add_org(
                    name, category, status="registered" if registered else "filed",
                    entered=fields["registered_on"], members=rng.randint(8, 200),
                    party=rng.choice(("joint", "none", "none", "none")), register_fields=fields)
            _add_fieldwork(store, rng, org_id, fields, today, months,
                           ACTIVE if number < residents or rng.random() < 0.4
                           else FADING if rng.random() < 0.25 else None)
        org_ids.append(org_id)
    _add_trainings(store, rng, org_ids, today)
    store.compact()
    return store


def _add_fieldwork(store: Store, rng: random.Random, org_id: str, fields: dict, today: date,
                   months: int, life: str | None) -> None:
    """Two years of activities (none for a zombie; a fading one stops half a year ago) and
    the field visits with what they found in the archives."""
    since = max(date.fromisoformat(fields["registered_on"]),
                today - timedelta(days=months * 30))
    stop = today if life == ACTIVE else today - timedelta(days=rng.randint(120, 300))
    per_month = rng.choice((0.5, 1, 1, 2, 3)) if life else 0
    activities = []
    day = since + timedelta(days=rng.randint(1, 20))
    while life and day < stop:
        kind, title = rng.choice(ACTIVITY_KINDS)
        people = rng.randint(8, 60)
        activities.append(ActivityEntry(
            org_id, day.isoformat(), title, kind, fields["village"] if rng.random() < 0.7
            else rng.choice(VILLAGE_NAMES) + ("村" if fields["area"] == "rural" else "社区"),
            participants=rng.randint(5, 30), beneficiaries=people,
            person_times=people * rng.randint(1, 3), hours=float(rng.randint(0, 40)),
            note=rng.choice(("签到表、照片", "活动照片", ""))))
        day += timedelta(days=max(3, int(rng.expovariate(per_month / 30))))
    if activities:
        store.add_activities(activities)
    visits = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        day = since + timedelta(days=rng.randint(0, max(0, (today - since).days - 1)))
        checks = [f"{item}={rng.choice(('present', 'present', 'partial', 'missing'))}"
                  for item in ("charter", "members", "minutes", "activities", "finance")
                  if rng.random() < 0.6]
        purpose = rng.choice(("routine", "routine", "pre-evaluation", "rectification"))
        visits.append(VisitEntry(org_id, day.isoformat(), purpose, rng.choice(
            ("活动记录不全", "章程需修订", "会员名册未更新", "运行正常", "长期未开展活动")),
            rng.choice(("", "一个月内补齐档案", "下次走访复查")), tuple(checks)))
    if visits:
        store.add_visits(visits)


def _add_trainings(store: Store, rng: random.Random, org_ids: list[str], today: date) -> None:
    """A few district trainings, each attended by dozens of organizations."""
    topics = ("社会组织财务规范培训", "章程与制度建设培训", "评估前集中培训", "党建引领专题培训")
    for number, topic in enumerate(topics):
        attending = rng.sample(org_ids, min(len(org_ids), rng.randint(20, 80)))
        on = (today - timedelta(days=60 + 150 * number)).isoformat()
        existed = [org_id for org_id in attending
                   if queries.org_row(store.db, org_id)["since"] <= on]
        if existed:
            store.add_training(on, topic, existed, people=len(existed) * rng.randint(1, 3))
