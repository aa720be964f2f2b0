"""Spreadsheet benchmark: a 4,000-row roster imported, every report exported for the district.

    .venv/bin/python bench/spreadsheets.py                       # the district demo in /tmp
    .venv/bin/python bench/spreadsheets.py --home /some/replica  # or another replica

The roster (4,000 organizations of the register: filed and registered, with credit codes,
towns, villages, dates as people type them) is written as an .xlsx file under a title row
and imported into a new network's replica, all in one transaction; then every report
(`export NAME`) is written as XLSX from a copy of the district replica (`demo
--district`, built when the folder holds none; the original is never written to).
Prints wall-clock and CPU seconds (the machine may be shared) beside the goals of issue
14: import ≤ 10 s, every report ≤ 5 s together. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)
TOWNS = ("东城街道", "西城街道", "南湖街道", "青石镇", "白马镇", "柳溪乡")


def write_roster(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from incubator.domain.credit_code import check_character

    book = Workbook()
    sheet = book.active
    sheet.append(["某区社区社会组织名册（测试数据）"])
    sheet.merge_cells("A1:L1")
    sheet.append(["序号", "组织名称", "类别", "登记状态", "统一社会信用代码", "备案编号",
                  "成立日期", "负责人", "联系电话", "街道/乡镇", "社区/村", "会员人数"])
    for number in range(rows):
        registered = number % 4 == 0
        code = ""
        if registered:
            first17 = f"52510107MJ{number:07d}"
            code = first17 + check_character(first17)
        sheet.append([number + 1, f"{TOWNS[number % 6]}第{number}号社区服务队",
                      ("志愿服务", "文体活动", "为老服务", "乡贤参事")[number % 4],
                      "登记" if registered else "备案", code,
                      "" if registered else f"备{number:06d}",
                      f"20{10 + number % 15}年{1 + number % 12}月{1 + number % 28}日",
                      "张三", "13800001111", TOWNS[number % 6], f"第{number % 120}社区",
                      10 + number % 90])
    book.save(path)


def timed(work) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/incubator-district"),
                        help="the district replica (built there when it holds none)")
    parser.add_argument("--rows", type=int, default=4000)
    args = parser.parse_args()
    os.environ["INCUBATOR_NOW"] = NOW.isoformat()

    from incubator.demo import build_district
    from incubator.sheets.exports import export_report
    from incubator.sheets.imports import import_roster
    from incubator.sheets.reports import REPORTS
    from incubator.store import queries
    from incubator.store.commands import Store
    from incubator.store.home import replica_path

    if not replica_path(args.home).exists():
        print(f"building the district demo in {args.home} (about three minutes)…")
        build_district(args.home).close()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="incubator-sheets-") as scratch:
        work = Path(scratch)
        roster = work / "roster.xlsx"
        write_roster(roster, args.rows)
        store = Store.init(work / "roster-home", "阳光孵化中心", "前台电脑",
                           clock=lambda: NOW)
        wall, cpu, (_read, result) = timed(lambda: import_roster(store, roster))
        store.close()
        print(f"import orgs, {args.rows} rows: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({result.count('create')} created; goal ≤ 10 s)")

        copy = work / "district"
        shutil.copytree(args.home, copy, ignore=shutil.ignore_patterns("*.lock", "*.holders"))
        district = Store.open(copy, clock=lambda: NOW)
        total_wall = total_cpu = 0.0
        rounds = queries.round_options(district.db)
        for name in REPORTS:
            if name == "round" and not rounds:
                continue  # a round's workbook needs a round (the demo may hold none)
            wall, cpu, _written = timed(lambda: export_report(
                district, name, work / f"{name}.xlsx",
                round_ref=rounds[0][1] if name == "round" else None))
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
            print(f"  export {name}: {wall:.2f} s ({(work / f'{name}.xlsx').stat().st_size:,} "
                  f"bytes)")
        district.close()
        print(f"every report for the district: {total_wall:.1f} s wall, {total_cpu:.1f} s CPU "
              f"(goal ≤ 5 s)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
