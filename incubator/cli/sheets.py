"""Spreadsheets in and out: `import orgs|scores|activities|all`, `export NAME|all`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.errors import DomainError
from ..i18n import _, render
from ..sheets import exports, imports, preview
from ..sheets.reports import REPORTS
from ..store.commands.imports import REJECT, RosterImport
from .args import JsonFlag
from .output import print_json, print_table, wants_json
from .root import EXIT_BAD_INPUT, app, command, group, open_store, session

import_app = group("import", "Spreadsheets in: rosters, score sheets, activities, a whole replica.")

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="An .xlsx or .csv file.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would be done; change nothing.")]


class Progress:
    """A progress line on stderr while many documents are written (a terminal only)."""

    def __init__(self) -> None:
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.shown and (done == total or done % 50 == 0):
            end = "\n" if done == total else "\r"
            sys.stderr.write(_("Writing {done} of {total}").format(done=done, total=total) + end)
            sys.stderr.flush()


def _roster_json(read: imports.Roster, result: RosterImport) -> dict:
    return {"sheet": read.sheet, "header_row": read.columns.header_row,
            "ignored_columns": list(read.columns.ignored), "written": result.written,
            "rows": [{"row": o.row, "action": o.action, "name": o.name, "id": o.org_id,
                      "changes": {k: {"from": old, "to": new}
                                  for k, (old, new) in o.changes.items()},
                      "reasons": [render(reason) for reason in o.reasons]}
                     for o in result.outcomes]}


@command(import_app, "orgs")
def import_orgs(
    ctx: typer.Context,
    path: FileArg,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="The sheet to read (default the first).")] = None,
    hub: Annotated[Optional[str], typer.Option("--hub", help="The hub of rows that name none (default: the district register).")] = None,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", help="A file of `header = field` lines for headers not known.")] = None,
    dry_run: DryRun = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid rows even when some are rejected.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Import a roster of organizations (XLSX or CSV): new ones created, known ones updated."""
    store = open_store(ctx)
    read, result = imports.import_roster(store, path, sheet=sheet, mapping=mapping, hub=hub,
                                         apply=not dry_run, skip_invalid=skip_invalid,
                                         progress=Progress())
    if wants_json(ctx, json_flag):
        print_json(_roster_json(read, result))
    else:
        if read.columns.ignored:
            typer.echo(_("Columns not imported: {columns}").format(
                columns=", ".join(read.columns.ignored)))
        print_table(preview.roster_rows(store.db, result), preview.ROSTER_COLUMNS)
        typer.echo(preview.roster_summary(result))
        if result.written:
            typer.echo(preview.roster_done(result))
    if result.count(REJECT) and not dry_run and not result.written:
        typer.echo(_("Error: {message}").format(message=_(
            "nothing was imported: {count} rows are rejected (correct them, or import the "
            "others with --skip-invalid)").format(count=result.count(REJECT))), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


export_help = ("Write a report as XLSX (or CSV): " + ", ".join(name for name in REPORTS
               if name != "round") + "; round ROUND (a round's sheets); or all (every table "
               "and document).")


@command(app, "export", help=export_help)
def export(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The report: " + ", ".join(REPORTS) + ", or all.")],
    round_: Annotated[Optional[str], typer.Argument(metavar="ROUND", help="For round: the round.")] = None,
    *,
    out: Annotated[Path, typer.Option("--out", help="The file to write (for all: a folder).")],
    hub: Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="The year (stars, graduation, summary).")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="YYYY-MM (score-sheet, waivers).")] = None,
    file_format: Annotated[Optional[str], typer.Option("--format", help="xlsx (default) or csv.")] = None,
    blank: Annotated[bool, typer.Option("--blank", help="score-sheet: an empty form even where scores are entered.")] = False,
) -> None:
    """Write a report as a spreadsheet the bureau can print as it is."""
    if round_ is not None and name != "round":
        raise DomainError("Only export round takes a second argument")
    store = open_store(ctx)
    if name == "all":
        if any(value for value in (hub, year, month, blank)) or file_format is not None:
            raise DomainError("export all takes only --out (a folder)")
        counts = exports.export_all(store, out)
        typer.echo(_("Written to {path}: {tables} tables, {documents} documents").format(
            path=out, **counts))
        return
    written = exports.export_report(store, name, out, file_format=file_format or "xlsx", hub=hub,
                                    year=year, month=month, blank=blank, round_ref=round_)
    for path in written:
        typer.echo(_("Written: {path}").format(path=path))


def _refused(ctx: typer.Context, refused: imports.FormRefused) -> None:
    """Every problem of a refused form, then the error and exit code 2."""
    rows = preview.problem_rows(refused)
    if wants_json(ctx, False):
        print_json({"written": False, "problems": rows})
    else:
        print_table(rows, preview.PROBLEM_COLUMNS)
    typer.echo(_("Error: {message}").format(message=refused.render(_)), err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@command(import_app, "scores")
def import_scores(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A score sheet written by export score-sheet.")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the month of the sheet.")],
    dry_run: DryRun = False,
) -> None:
    """Import a month's score sheet (export score-sheet's layout; all or nothing)."""
    store = open_store(ctx)
    try:
        result = imports.import_scores(store, path, month, apply=not dry_run)
    except imports.FormRefused as refused:
        _refused(ctx, refused)
    if wants_json(ctx, False):
        print_json({"written": result.written, "saved": result.saved,
                    "unchanged": result.unchanged, "blank": result.skipped_blank,
                    "rows": preview.score_rows(result)})
        return
    if dry_run:
        print_table(preview.score_rows(result), preview.SCORE_COLUMNS)
        typer.echo(preview.score_summary(result))
        return
    typer.echo(preview.scores_done(result))


@command(import_app, "activities")
def import_activities(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Activities in the template of export activity-template.")],
    dry_run: DryRun = False,
) -> None:
    """Import activity records (export activity-template's layout; all or nothing)."""
    try:
        result = imports.import_activities(open_store(ctx), path, apply=not dry_run)
    except imports.FormRefused as refused:
        _refused(ctx, refused)
    if wants_json(ctx, False):
        print_json({"written": result.written, "ids": result.ids,
                    "blank": result.skipped_blank, "rows": preview.activity_rows(result)})
        return
    if dry_run:
        print_table(preview.activity_rows(result), preview.ACTIVITY_COLUMNS)
        typer.echo(preview.activity_summary(result))
        return
    typer.echo(preview.activities_done(result))


@command(import_app, "all")
def import_all(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A folder written by export all.")],
    device_name: Annotated[str, typer.Option("--device-name", help="This device's name, for a new replica.")] = "导入的副本",
) -> None:
    """Restore every document of an export all folder into a new or empty replica."""
    count = imports.import_all(session(ctx).home, folder, device_name)
    typer.echo(_("Imported {count} documents into {home}").format(count=count,
                                                                   home=session(ctx).home))
