"""A deterministic demo replica: four hubs, Chinese names, years of monthly scores.

The same seed and the same clock (`INCUBATOR_NOW`) give the same data. Some
organizations are in a low-score streak, some under a warning interview, some
graduated, some exited; waivers include service-for-rent with shortfalls.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from .domain.months import add_months, month_add, month_of, month_range
from .store import queries
from .store.commands import ScoreEntry, Store

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
    rng = random.Random(seed)
    new_id = lambda: f"{rng.getrandbits(48):012x}"  # noqa: E731 - deterministic ids
    store = Store.init(home, HUBS[0][0], "演示设备", HUBS[0][1], clock=clock, new_id=new_id,
                       identity_seed=f"incubator-demo-{seed}".encode())
    today = store.today()
    with store.transaction():
        hub_ids = [queries.first_hub(store.db)]
        hub_ids += [store.add_hub(name, category) for name, category in HUBS[1:]]
        spaces = {hub: _add_spaces(store, hub) for hub in hub_ids}
        names: set[str] = set()
        for number in range(orgs):
            hub_index = number % len(HUBS)
            _add_org(store, rng, number, hub_ids[hub_index], HUBS[hub_index][1],
                     spaces[hub_ids[hub_index]], names, today, months)
    return store


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
             free_spaces: list[str], names: set[str], today: date, months: int) -> None:
    category = hub_category if rng.random() < 0.7 else rng.choice(list(THEMES))
    profile = rng.random()
    entered = today - timedelta(days=rng.randint(40, max(41, months * 30)))
    if profile < 0.05:
        stage = "applicant"
    else:
        stage = "growth" if (today - entered).days > 540 else "startup"
    org_id = store.add_org(
        _org_name(rng, category, names), category, hub_id,
        status="registered" if rng.random() < 0.45 or number % 10 == 1 else "filed",
        entered=entered.isoformat(), stage=stage, community=rng.choice(COMMUNITIES) + "社区",
        contact=rng.choice(CONTACTS) + rng.choice(GIVEN),
        phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
        members=rng.randint(5, 120), party=rng.choice(("independent", "joint", "none", "none")),
    )
    if stage == "applicant":
        return
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
            return
    if number % 13 == 3:
        store.exit_org(org_id, "长期未开展活动，自愿退出", (today - timedelta(days=10)).isoformat())
    elif number % 10 == 1 and not weak:
        criteria = store.graduation_criteria(org_id)
        if all(c.met for c in criteria):
            store.graduate(org_id, destination=rng.choice(("独立运营", "转入街道社会组织服务站")))


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
        for month in month_range(month_of(start), month_add(month_of(today), -1)):
            store.log_service(org_id, month, float(rng.choice((8, 15, 20, 20, 24))))
    if rng.random() < 0.3:
        store.add_waiver(org_id, "utilities", start.isoformat(), end.isoformat(), 200.0,
                         approved_by="中心主任")

