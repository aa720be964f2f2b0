"""The district register on a real replica: zombies, the ranking, archives, trainings,
fieldwork by a field laptop travelling by sync."""

import contextlib
import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incubator.domain.credit_code import check_character
from incubator.domain.errors import DomainError
from incubator.domain.register import REGISTER_FIELDS
from incubator.store import queries
from incubator.store.queries.district import percentiles, sql_round
from incubator.store.commands import ActivityEntry, ScoreEntry, Store, VisitEntry
from incubator.store.replica import ReplicaError

from incubator.sync.bundle import export_bundle, import_bundle
from incubator.sync.transport import SyncServer, sync_with

from ..conftest import NOW
from ..sync.helpers import hub_and_member, pump, session, tables
from .test_replica import clone, copy_chunks

TODAY = NOW.date()
FULL = {"plan": 2, "cleanliness": 2, "activities": 2, "archives": 2, "party": 2}


def district_org(store, name, town="青石镇", village="田家坝村", registered_on="2024-01-10",
                 **fields):
    return store.add_org(name, "village-sages", status="filed", register_fields={
        "area": "rural", "town": town, "village": village, "registered_on": registered_on,
        **fields})


def zombie_names(store, months=3, **filters):
    return sorted(row["name"] for row in queries.zombies(store.db, TODAY, months, **filters))


def activity(org, on, **counts):
    return ActivityEntry(org, on, "重阳敬老", place=counts.pop("place", ""), **counts)


class TestZombies:
    def test_a_district_organization_without_activity_is_a_zombie_until_it_holds_one(
            self, store):
        org = district_org(store, "田家坝村乡贤参事会")
        assert zombie_names(store) == ["田家坝村乡贤参事会"]
        store.add_activity(activity(org, "2026-09-01"))
        assert zombie_names(store) == []
        assert zombie_names(store, months=2) == ["田家坝村乡贤参事会"]  # 09-01 is before 09-15

    def test_a_young_organization_is_not_yet_a_zombie(self, store):
        district_org(store, "新成立的舞蹈队", registered_on="2026-10-01")
        assert zombie_names(store) == []
        assert zombie_names(store, months=1) == ["新成立的舞蹈队"]

    def test_an_active_month_or_service_hours_clear_a_resident(self, store):
        hub = queries.first_hub(store.db)
        scored = store.add_org("书画社", "culture", hub, entered="2025-01-01")
        served = store.add_org("志愿队", "volunteer", hub, entered="2025-01-01")
        idle = store.add_org("空壳社", "other", hub, entered="2025-01-01")
        store.set_scores([ScoreEntry(scored, "2026-10", FULL),
                          ScoreEntry(idle, "2026-10", {**FULL, "activities": 0})])
        store.add_waiver(served, "service-for-rent", "2026-01-01", "2026-12-31", 800,
                         hours_per_month=10, approved_by="王主任")
        store.log_service(served, "2026-09", 6)
        assert zombie_names(store) == ["空壳社"]

    def test_hub_and_town_filters(self, store):
        district_org(store, "甲", town="青石镇")
        district_org(store, "乙", town="柳营镇")
        assert zombie_names(store, town="柳营镇") == ["乙"]
        assert zombie_names(store, hub=queries.first_hub(store.db)) == []


class TestRanking:
    @pytest.fixture
    def district(self, store):
        busy, quiet, idle = (district_org(store, name, village=village) for name, village in
                             (("活跃队", "田家坝村"), ("偶尔队", "李家湾村"), ("空壳队", "石榴村")))
        store.add_activities([activity(busy, f"2026-{m:02d}-05", beneficiaries=40,
                                       person_times=80, hours=10, place=place)
                              for m in range(1, 11) for place in ("田家坝村", "李家湾村")])
        store.add_activities([activity(quiet, "2026-03-05", beneficiaries=5, person_times=5)])
        store.set_archive(quiet, "charter", "present")
        return busy, quiet, idle

    def test_each_dimension_is_a_district_percentile_and_the_busiest_leads(self, store,
                                                                             district):
        busy, quiet, idle = district
        ranked = queries.ranking(store.db, TODAY, store.settings())
        assert [row["id"] for row in ranked] == [busy, quiet, idle]
        assert [row["position"] for row in ranked] == [1, 2, 3]
        for dimension in ("activity", "standardization", "coverage", "influence"):
            assert all(0 <= row[dimension] <= 100 for row in ranked)
        assert ranked[0]["activity"] == 100 and ranked[-1]["activity"] == 0
        assert ranked[0]["places"] == 2
        by_standards = queries.ranking(store.db, TODAY, store.settings(),
                                       dimension="standardization")
        assert by_standards[0]["id"] == quiet

    def test_weights_from_the_settings_change_the_total(self, store, district):
        busy, quiet, _idle = district
        store.set_settings({"ranking_weight_activity": "0", "ranking_weight_coverage": "0",
                            "ranking_weight_influence": "0",
                            "ranking_weight_standardization": "100"})  # from next month
        assert queries.ranking(store.db, TODAY, store.settings())[0]["id"] == busy
        assert queries.ranking(store.db, TODAY, store.settings("2026-12"))[0]["id"] == quiet

    def test_a_town_filter_keeps_the_district_positions(self, store, district):
        store.edit_org(district[1], {"town": "柳营镇"})
        shown = queries.ranking(store.db, TODAY, store.settings(), town="柳营镇")
        assert [(row["id"], row["position"]) for row in shown] == [(district[1], 2)]

    def test_weights_must_add_up_to_100(self, store):
        with pytest.raises(DomainError):
            store.set_settings({"ranking_weight_activity": "50"})


class TestRankingArithmetic:
    """The ranking's percentiles and totals are computed in Python: they must be exactly
    what SQLite's `round(100.0 * percent_rank() OVER (ORDER BY v), 1)` and `round(x, 1)`
    give, ties and halves included (Python's own `round` goes half to even: 6.25 → 6.2)."""

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(st.integers(0, 20).map(lambda n: n / 8),
                              st.floats(0, 1, allow_nan=False)), min_size=1, max_size=40))
    def test_percentiles_are_sqlites(self, values):
        import sqlite3
        sql = sqlite3.connect(":memory:").execute(
            "SELECT round(100.0 * percent_rank() OVER (ORDER BY value), 1), key "
            "FROM json_each(?) ORDER BY key", (json.dumps(values),)).fetchall()
        assert percentiles(values) == [shown for shown, _key in sql]

    @settings(max_examples=500, deadline=None)
    @given(st.one_of(st.integers(-4000, 4000).map(lambda n: n / 40),
                     st.floats(-1e6, 1e6, allow_nan=False)), st.integers(0, 3))
    def test_round_is_sqlites(self, value, digits):
        import sqlite3
        expected, = sqlite3.connect(":memory:").execute("SELECT round(?, ?)",
                                                         (value, digits)).fetchone()
        assert sql_round(value, digits) == expected

    def test_seventeen_organizations_put_one_on_a_half(self, store):
        """16 steps of 6.25: the second organization's activity percentile is 6.3, as the
        reports computed in SQL showed it."""
        orgs = [district_org(store, f"队{n:02d}", village=f"村{n:02d}") for n in range(17)]
        store.add_activities([activity(org, "2026-10-05", person_times=n)
                              for n, org in enumerate(orgs) for _ in range(n)])
        by_id = {row["id"]: row for row in queries.ranking(store.db, TODAY, store.settings())}
        assert by_id[orgs[1]]["activity"] == 6.3
        assert [by_id[org]["position"] for org in reversed(orgs)] == list(range(1, 18))


class TestArchives:
    def test_a_visit_updates_the_checklist_but_not_over_a_newer_check(self, store):
        org = district_org(store, "田家坝村乡贤参事会")
        store.set_archive(org, "章程", "present", note="新修订")
        store.add_visit(VisitEntry(org, "2026-10-01", "pre-evaluation", "会员名册未更新",
                                   checks=("charter=missing", "members=partial")))
        states = {row["item"]: row["state"] for row in queries.archive_checklist(
            store.db, org, store.archive_items())}
        assert states["charter"] == "present" and states["members"] == "partial"
        report, = queries.archive_report(store.db, store.archive_items(), org_id=org)
        assert report["completeness"] == round(100 * 1.5 / 8, 1)
        assert (report["present"], report["partial"], report["unchecked"]) == (1, 1, 6)

    def test_the_checklist_is_a_setting(self, store, isolated_home):
        org = district_org(store, "田家坝村乡贤参事会")
        store.set_settings({"archive_items": "charter,rules,roster=会员花名册"})  # next month
        later = Store.open(isolated_home, clock=lambda: NOW + timedelta(days=20))
        try:
            later.set_archive(org, "会员花名册", "present")
            assert queries.archive_report(later.db, later.archive_items(), org_id=org)[0][
                "completeness"] == round(100 / 3, 1)
            with pytest.raises(DomainError):
                later.set_archive(org, "finance", "present")  # no longer on the list
        finally:
            later.close()
        with pytest.raises(DomainError):
            store.set_settings({"archive_items": "charter,charter"})

    def test_a_visit_with_an_unknown_item_saves_nothing(self, store):
        org = district_org(store, "田家坝村乡贤参事会")
        before = tables(store)
        with pytest.raises(DomainError):
            store.add_visit(VisitEntry(org, "2026-10-01", "routine", "好", checks=("魔法=present",)))
        assert tables(store) == before


class TestTrainings:
    def test_a_training_is_in_every_attending_documents(self, store):
        orgs = [district_org(store, name) for name in ("甲队", "乙队", "丙队")]
        training = store.add_training("2026-10-20", "财务规范培训", orgs[:2], people=35)
        for org in orgs[:2]:
            assert store.replica.tree(f"org:{org}")["trainings"][training]["people"] == 35
        assert "trainings" not in store.replica.tree(f"org:{orgs[2]}") or \
            training not in store.replica.tree(f"org:{orgs[2]}")["trainings"]
        listed, = queries.trainings(store.db)
        assert listed["organizations"] == 2 and len(listed["attended"]) == 2

    def test_one_organization_too_young_refuses_the_whole_training(self, store):
        old = district_org(store, "老队")
        young = district_org(store, "新队", registered_on="2026-11-01")
        before = tables(store)
        with pytest.raises(DomainError):
            store.add_training("2026-10-20", "财务规范培训", [old, young])
        assert tables(store) == before


class TestFieldLaptop:
    def test_a_field_device_records_activities_visits_and_checks_that_reach_the_hub(
            self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        org = district_org(hub, "田家坝村乡贤参事会")
        pump(session(hub, laptop), session(laptop, hub))
        laptop.add_activity(activity(org, "2026-11-01", beneficiaries=12))
        laptop.add_visit(VisitEntry(org, "2026-11-02", "routine", "运行正常",
                                    checks=("minutes=present",)))
        laptop.add_training("2026-11-03", "评估前培训", [org], people=8)
        with pytest.raises(ReplicaError):
            laptop.set_category("time-bank", "时间银行")  # the network list: hubs only
        pump(session(laptop, hub), session(hub, laptop))
        assert [a["beneficiaries"] for a in queries.activities(hub.db)] == [12]
        assert queries.visits(hub.db)[0]["visitor"] == laptop.identity.device_name
        assert queries.archive_checklist(hub.db, org, hub.archive_items())[3]["state"] \
            == "present"
        assert tables(hub) == tables(laptop)
        assert hub.verify() == [] and laptop.verify() == []
        hub.close()
        laptop.close()


    def test_a_day_in_the_villages_travels_by_bundle(self, tmp_path):
        hub, laptop = hub_and_member(tmp_path, role="field")
        orgs = [district_org(hub, f"第{n}村乡贤参事会") for n in range(3)]
        export_bundle(hub.replica, [laptop.identity.device_id], tmp_path / "out.bundle",
                      full=True)
        import_bundle(laptop.replica, tmp_path / "out.bundle")
        laptop.add_activities([activity(org, "2026-11-10", person_times=20) for org in orgs])
        laptop.add_visit(VisitEntry(orgs[0], "2026-11-11", "rectification", "已整改",
                                    checks=("charter=present",)))
        laptop.add_training("2026-11-12", "村级组织培训", orgs, people=40)
        export_bundle(laptop.replica, [hub.identity.device_id], tmp_path / "back.bundle")
        import_bundle(hub.replica, tmp_path / "back.bundle")
        assert len(queries.activities(hub.db)) == 3
        assert queries.trainings(hub.db)[0]["organizations"] == 3
        assert zombie_names(hub) == []
        assert tables(hub) == tables(laptop)
        hub.close()
        laptop.close()

    def test_one_item_checked_on_two_laptops_at_once_is_a_conflict(self, store, tmp_path):
        org = district_org(store, "田家坝村乡贤参事会")
        laptop = clone(store, tmp_path / "laptop")
        store.set_archive(org, "charter", "present")
        laptop.set_archive(org, "charter", "missing")
        laptop.close()
        copy_chunks(laptop, store.replica.path.parent)
        store.replica.refresh()
        conflict, = queries.conflicts(store.db)
        assert conflict["field"] == "archives/charter"
        assert {c["value"]["state"] for c in conflict["candidates"]} == {"present", "missing"}


class TestRegister:
    def test_a_district_organization_joins_a_hub_as_an_applicant(self, store):
        org = district_org(store, "田家坝村乡贤参事会")
        assert queries.org_row(store.db, org)["stage"] is None
        with pytest.raises(DomainError):
            store.edit_org(org, {"stage": "startup"})
        store.edit_org(org, {"hub": queries.first_hub(store.db)})
        assert queries.org_row(store.db, org)["stage"] == "applicant"

    def test_a_district_organization_cannot_be_scored_or_graduated(self, store):
        org = district_org(store, "田家坝村乡贤参事会")
        for attempt in (lambda: store.set_scores([ScoreEntry(org, "2026-10", FULL)]),
                        lambda: store.graduate(org), lambda: store.exit_org(org, "解散")):
            with pytest.raises(DomainError) as caught:
                attempt()
            assert "district register" in caught.value.text.message

    def test_same_name_on_the_register_is_refused_but_allowed_in_a_hub(self, store):
        district_org(store, "广场舞队")
        with pytest.raises(DomainError):
            district_org(store, "广场舞队")
        store.add_org("广场舞队", "culture", queries.first_hub(store.db))

    def test_clearing_the_filing_number_lets_the_status_change(self, store):
        org = district_org(store, "备案队", filing_number="青备2024-01")
        with pytest.raises(DomainError):
            store.edit_org(org, {"legal_status": "registered"})
        store.edit_org(org, {"legal_status": "registered", "filing_number": ""})
        assert queries.org_row(store.db, org)["filing_number"] is None


@contextlib.asynccontextmanager
async def serving(store):
    """`store` serving sync on a free port of 127.0.0.1; yields its address. The server
    has a connection of its own, as in the app: it may still be recording a session on
    its thread when the test edits through `store`."""
    serving_store = Store.open(store.replica.path.parent, clock=store.clock)
    server = SyncServer(serving_store.replica)
    _host, port = await server.start("127.0.0.1", 0)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.close()
        serving_store.close()


async def over_tls(client, server_store, address):
    result = await sync_with(client.replica, server_store.identity.device_id, address)
    assert result.error is None


def by_bundle(source, target, path):
    export_bundle(source.replica, [target.identity.device_id], path)
    import_bundle(target.replica, path)


async def both_ways(laptop, hub, how, tmp_path, address):
    """Bring `laptop` and `hub` level by one TLS session or by a USB bundle each way."""
    if how == "tls":
        await over_tls(laptop, hub, address)
    else:
        by_bundle(laptop, hub, tmp_path / "to-hub.bundle")
        by_bundle(hub, laptop, tmp_path / "to-laptop.bundle")


def register_view(store, org):
    row = queries.org_row(store.db, org)
    return {key: row[key] for key in REGISTER_FIELDS}


def fieldwork_view(store, org):
    """What a hub reads of an organization's fieldwork (no record ids)."""
    return {
        "activities": sorted((a["on_date"], a["title"], a["beneficiaries"])
                             for a in queries.activities(store.db)),
        "visits": sorted((v["on_date"], v["purpose"], v["visitor"])
                         for v in queries.visits(store.db)),
        "trainings": sorted((t["on_date"], t["topic"], t["organizations"])
                            for t in queries.trainings(store.db)),
        "archives": [(row["item"], row["state"], row["note"]) for row in
                     queries.archive_checklist(store.db, org, store.archive_items())],
        "ranking": [(row["id"], row["position"]) for row in
                    queries.ranking(store.db, TODAY, store.settings())],
        "zombies": zombie_names(store),
    }


HOW = pytest.mark.parametrize("how", ["tls", "bundle"])


class TestDistrictTravels:
    """District data made offline reaches the other replica by sync over TLS on 127.0.0.1
    and by USB bundle alike; concurrent edits converge, clashes are listed."""

    @HOW
    async def test_a_field_laptops_day_offline_reaches_the_hub(self, tmp_path, how):
        hub, laptop = hub_and_member(tmp_path, role="field")
        orgs = [district_org(hub, name, village=village) for name, village in
                (("田家坝村乡贤参事会", "田家坝村"), ("李家湾村舞蹈队", "李家湾村"))]
        async with serving(hub) as address:
            if how == "tls":
                await over_tls(laptop, hub, address)
            else:
                export_bundle(hub.replica, [laptop.identity.device_id],
                              tmp_path / "out.bundle", full=True)
                import_bundle(laptop.replica, tmp_path / "out.bundle")
            before = fieldwork_view(hub, orgs[0])
            laptop.add_activity(activity(orgs[0], "2026-11-01", beneficiaries=12,
                                         person_times=30, place="李家湾村"))
            laptop.add_visit(VisitEntry(orgs[1], "2026-11-02", "pre-evaluation", "会员名册未更新",
                                        follow_up="月底前补齐", checks=("members=partial",)))
            laptop.add_training("2026-11-03", "评估前培训", orgs, people=8)
            laptop.set_archive(orgs[0], "minutes", "present", note="三次会议均有记录")
            laptop.edit_org(orgs[0], {"notes": "村委会支持场地"})
            assert fieldwork_view(hub, orgs[0]) == before  # nothing left the laptop yet
            await both_ways(laptop, hub, how, tmp_path, address)
        assert fieldwork_view(hub, orgs[0]) == fieldwork_view(laptop, orgs[0])
        seen = fieldwork_view(hub, orgs[0])
        assert seen["activities"] == [("2026-11-01", "重阳敬老", 12)]
        assert seen["visits"] == [("2026-11-02", "pre-evaluation", laptop.identity.device_name)]
        assert seen["trainings"] == [("2026-11-03", "评估前培训", 2)]
        assert ("minutes", "present", "三次会议均有记录") in seen["archives"]
        assert seen["zombies"] == ["李家湾村舞蹈队"]  # a visit is no activity
        members, = [row for row in queries.archive_checklist(hub.db, orgs[1], hub.archive_items())
                    if row["item"] == "members"]
        assert members["state"] == "partial"
        assert queries.org_row(hub.db, orgs[0])["notes"] == "村委会支持场地"
        assert tables(hub) == tables(laptop)
        assert hub.verify() == [] and laptop.verify() == []
        hub.close()
        laptop.close()

    @HOW
    async def test_a_second_hubs_register_edits_and_categories_reach_the_first(
            self, tmp_path, how):
        hub, other = hub_and_member(tmp_path, role="hub", name="柳营镇工作站")
        org = district_org(hub, "柳营镇书画协会")
        async with serving(hub) as address:
            await over_tls(other, hub, address)
            first17 = "51510107MJ0000123"
            code = first17 + check_character(first17)
            other.set_category("time-bank", "时间银行")
            other.edit_org(org, {"legal_status": "registered", "credit_code": code,
                                 "org_form": "social-group", "town": "柳营镇",
                                 "village": "石榴村", "area": "urban", "leader": "王秀英",
                                 "supervisor": "柳营镇人民政府", "place": "文化站二楼",
                                 "activity_area": "柳营镇", "category": "time-bank"})
            new = district_org(other, "石榴村平安巡逻队", town="柳营镇", village="石榴村")
            await both_ways(other, hub, how, tmp_path, address)
        assert register_view(hub, org) == register_view(other, org)
        assert register_view(hub, org) == {
            "credit_code": code, "org_form": "social-group", "town": "柳营镇",
            "village": "石榴村", "area": "urban", "leader": "王秀英",
            "supervisor": "柳营镇人民政府", "place": "文化站二楼", "activity_area": "柳营镇",
            "registered_on": "2024-01-10", "filing_number": None}
        assert queries.org_row(hub.db, org)["category"] == "time-bank"
        assert queries.org_row(hub.db, new)["name"] == "石榴村平安巡逻队"
        assert "time-bank" in queries.categories(hub.db)
        assert queries.count_by(hub.db, ["town"]) == [{"town": "柳营镇", "count": 2}]
        assert tables(hub) == tables(other)
        hub.close()
        other.close()

    @HOW
    async def test_concurrent_district_edits_converge_and_a_clash_is_listed(self, tmp_path,
                                                                              how):
        hub, other = hub_and_member(tmp_path, role="hub", name="柳营镇工作站")
        org = district_org(hub, "田家坝村乡贤参事会")
        async with serving(hub) as address:
            await over_tls(other, hub, address)
            hub.edit_org(org, {"town": "柳营镇", "leader": "张建国"})
            hub.set_archive(org, "charter", "present")
            hub.add_activity(activity(org, "2026-11-01"))
            other.edit_org(org, {"town": "石门乡", "village": "李家湾村"})
            other.set_archive(org, "charter", "missing", note="找不到原件")
            other.add_activity(activity(org, "2026-11-02"))
            await both_ways(other, hub, how, tmp_path, address)
            assert tables(hub) == tables(other)
            listed = queries.conflicts(hub.db)
            assert listed == queries.conflicts(other.db)
            assert {c["field"] for c in listed} == {"profile/town", "archives/charter"}
            town, = [c for c in listed if c["field"] == "profile/town"]
            assert {c["value"] for c in town["candidates"]} == {"柳营镇", "石门乡"}
            row = queries.org_row(hub.db, org)
            assert (row["leader"], row["village"]) == ("张建国", "李家湾村")  # both kept
            assert len(queries.activities(hub.db)) == 2
            keep = [c["value"] for c in town["candidates"]].index("石门乡") + 1
            other.resolve_conflict(org, "profile/town", keep)
            await both_ways(other, hub, how, tmp_path, address)
        assert [c["field"] for c in queries.conflicts(hub.db)] == ["archives/charter"]
        assert queries.org_row(hub.db, org)["town"] == "石门乡"
        assert zombie_names(hub, town="石门乡") == []
        assert tables(hub) == tables(other)
        hub.close()
        other.close()


class TestSavesWriteWhatChanged:
    def test_an_activity_leaves_the_organization_s_other_rows_untouched(self, store):
        """A save used to delete and insert again every row of its document (twenty
        activities written for one): each commit then wrote pages for all of them."""
        org = district_org(store, "田家坝村乡贤参事会")
        for day in range(1, 21):
            store.add_activity(activity(org, f"2026-09-{day:02d}", participants=5))

        def stored():
            return {table: set(store.db.conn.execute(
                f"SELECT rowid, * FROM {table} WHERE doc_id = ?", (f"org:{org}",)))
                for table in ("activities", "organizations")}

        before = stored()
        store.add_activity(activity(org, "2026-10-01", participants=9))
        after = stored()
        assert before["activities"] < after["activities"]  # the same rowids, one more
        assert len(after["activities"] - before["activities"]) == 1
        store.replica.reindex()
        assert sorted(row[1:] for row in stored()["activities"]) == sorted(
            row[1:] for row in after["activities"])


def ranking_in_sql(store, today):
    """The ranking as one SQL statement with SQLite's own window functions, percentiles,
    totals and positions included, each figure read per organization by a subquery (not
    grouped and joined as `queries.ranking` does): the oracle it must equal."""
    from incubator.domain.archives import parse_items
    from incubator.domain.months import month_add, month_index, month_of, month_start
    from incubator.store.queries.district import ARCHIVE_CREDIT_SQL, DIMENSIONS

    config = store.settings()
    window, this_month = config.ranking_months, month_of(today)
    first_day = month_start(month_add(this_month, -(window - 1))).isoformat()
    recency = f"({window} - (:this_index - a.month_index)) * 1.0 / {window}"
    parts = {c: f"(CASE WHEN r.{c} > 0 THEN r.{c} / (r.{c} + m.mean_{c}) ELSE 0 END)"
             for cs in DIMENSIONS.values() for c in cs}
    raw = ", ".join(f"({' + '.join(parts[c] for c in cs)}) / {len(cs)}.0 AS raw_{name}"
                    for name, cs in DIMENSIONS.items())
    shown = ", ".join(f"round(100.0 * percent_rank() OVER (ORDER BY raw_{name}), 1) AS {name}"
                      for name in DIMENSIONS)
    weighted = " + ".join(f"{getattr(config, f'ranking_weight_{name}')} * {name}"
                          for name in DIMENSIONS)
    since = "(CAST(substr(o.since, 1, 4) AS INTEGER) * 12 + CAST(substr(o.since, 6, 2) AS INTEGER) - 1)"
    items = [item.key for item in parse_items(config.archive_items)]
    def per_org(figure, table="activities a", where="a.on_date BETWEEN :first_day AND :today"):
        return (f"coalesce((SELECT {figure} FROM {table} WHERE {table[-1]}.org_id = o.id "
                f"AND {where}), 0)")

    rate = "{} * %d / (k * %d - k * (k - 1) / 2.0)" % (window, window)
    found = store.db.execute(f"""
        WITH ks AS (SELECT o.*,
                 coalesce(max(1, min({window}, :this_index - {since} + 1)), {window}) AS k
               FROM organizations o),
        raw AS (
          SELECT o.id, {rate.format(per_org(f"sum({recency})"))} AS activity_rate,
            {rate.format(per_org(f"sum({recency} * a.person_times)"))} AS person_times_rate,
            {per_org(f"100.0 * sum({ARCHIVE_CREDIT_SQL}) / :items_count", "archive_checks c",
                     "c.item IN (SELECT value FROM json_each(:items))")} AS archives,
            {per_org("avg(score10)", "scores s", "s.month >= substr(:first_day, 1, 7)")}
              AS monthly_avg, coalesce(o.stars, 0) AS stars,
            {per_org("count(DISTINCT a.served)")} AS places,
            {per_org("sum(a.beneficiaries)")} AS beneficiaries,
            {per_org("sum(a.person_times)")} AS person_times, {per_org("sum(a.hours)")} AS hours,
            {per_org("count(*)", "awards w", "w.year BETWEEN CAST(substr(:first_day, 1, 4) "
                     "AS INTEGER) AND CAST(substr(:today, 1, 4) AS INTEGER)")} AS awards
          FROM ks o),
        means AS (SELECT {", ".join(f"avg({c}) AS mean_{c}" for c in parts)} FROM raw),
        dims AS (SELECT r.*, {raw} FROM raw r JOIN means m),
        pct AS (SELECT dims.*, {shown} FROM dims),
        tot AS (SELECT pct.*, round(({weighted}) / 100.0, 1) AS total FROM pct)
        SELECT tot.*, rank() OVER (ORDER BY total DESC) AS position, o.sort_key
        FROM tot JOIN organizations o ON o.id = tot.id""",
        {"this_index": month_index(this_month), "first_day": first_day,
         "today": today.isoformat(), "items": json.dumps(items),
         "items_count": len(items)})
    names = [column[0] for column in found.description]
    return {row[0]: dict(zip(names, row)) for row in found.fetchall()}


class TestRankingEqualsTheStatement:
    """Generated organizations, ties and zombies included: every figure, percentile, total,
    position and the order are the one SQL statement's."""

    FIGURES = ("activity_rate", "person_times_rate", "archives", "monthly_avg", "stars",
               "places", "beneficiaries", "person_times", "hours", "awards")

    def test_on_generated_organizations(self, store):
        import random

        rng = random.Random(13)
        villages = ["田家坝村", "李家湾村", "石榴村", "桂花村"]
        orgs = [district_org(store, f"队{n:02d}", village=rng.choice(villages),
                             registered_on=rng.choice(["2024-01-10", "2026-03-02",
                                                       "2026-08-20"]))
                for n in range(40)]
        days = [f"2026-{m:02d}-{d:02d}" for m in range(8, 12) for d in (3, 14)]
        pattern = [activity(orgs[0], "2026-09-03", person_times=30, beneficiaries=6)]
        entries = [activity(org, day, person_times=rng.randint(0, 60),
                            beneficiaries=rng.randint(0, 20), hours=rng.choice([0, 1.5, 4]),
                            place=rng.choice(["", *villages]))
                   for org in orgs[:24] for day in rng.sample(days, rng.randint(1, 5))
                   if day >= queries.org_row(store.db, org)["since"]]
        # equal activities in two organizations: the same figures, shared percentiles
        entries += [activity(org, e.on, person_times=e.person_times,
                             beneficiaries=e.beneficiaries) for org in orgs[24:27]
                    for e in pattern]
        store.add_activities(entries + pattern)
        for org in rng.sample(orgs, 15):
            store.set_archive(org, rng.choice(["charter", "minutes"]),
                              rng.choice(["present", "partial", "missing"]))
        expected = ranking_in_sql(store, TODAY)
        for dimension in (None, "activity", "standardization", "coverage", "influence"):
            shown = queries.ranking(store.db, TODAY, store.settings(), dimension=dimension)
            assert len(shown) == len(expected) == 40
            order = dimension or "total"
            assert [row["id"] for row in shown] == [row["id"] for row in sorted(
                expected.values(), key=lambda r: (-r[order], -r["total"], r["sort_key"],
                                                  r["id"]))]
            for row in shown:
                want = expected[row["id"]]
                for name in ("activity", "standardization", "coverage", "influence",
                             "total", "position", "stars", "places", "beneficiaries",
                             "person_times", "hours", "awards"):
                    assert row[name] == want[name], (row["id"], name)
                assert row["activity_rate"] == sql_round(want["activity_rate"], 3)
