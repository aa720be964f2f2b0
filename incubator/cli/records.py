"""History, conflicts, and keeping the replica file sound: reindex, verify, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.errors import N_, DomainError
from ..i18n import _
from ..present.labels import data_quality_text, field_text, history_text, local_time
from ..present.paths import usable_file
from ..store import queries
from ..store import files
from ..store.commands import Store
from .args import JsonFlag, RefArg
from .output import emit, print_json, wants_json
from .root import EXIT_BAD_INPUT, app, command, group, guarded, open_store, session


@command(app, "history")
def history(ctx: typer.Context, ref: RefArg, json_flag: JsonFlag = False) -> None:
    """Who changed what and when, newest first."""
    rows = [{"at": e.at, "device": e.device, "device_name": e.device_name,
             "summary": history_text(e.summary, e.params), "fields": e.fields}
            for e in open_store(ctx).history(ref)]
    emit(ctx, json_flag, rows, [("at", N_("When")), ("device_name", N_("Device")),
                                ("summary", N_("What"))],
         shown=lambda row: dict(row, at=local_time(row["at"])))


conflicts_app = group("conflicts", "Fields edited concurrently on two replicas.",
                      invoke_without_command=True)


@conflicts_app.callback()
@guarded
def conflicts_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List unresolved conflicts with every concurrent value."""
    if ctx.invoked_subcommand is not None:
        return
    emit(ctx, json_flag, queries.conflicts(open_store(ctx).db),
         [("record", N_("Record")), ("field", N_("Field")), ("winner", N_("Current value")),
          ("values", N_("Concurrent values"))],
         shown=lambda row: dict(row, field=field_text(row["field"]), values="; ".join(
             f"{n}) {c['device_name']} {local_time(c['at'])}: {c['value']}"
             for n, c in enumerate(row["candidates"], 1))))


@command(conflicts_app, "resolve")
def conflicts_resolve(
    ctx: typer.Context,
    ref: RefArg,
    field_name: Annotated[str, typer.Argument(metavar="FIELD", help="The field, e.g. profile/phone.")],
    keep: Annotated[Optional[int], typer.Option("--keep", help="Keep value number N (default the current one).")] = None,
) -> None:
    """Settle a conflict; the decision is itself a recorded change."""
    value = open_store(ctx).resolve_conflict(ref, field_name, keep)
    typer.echo(_("Resolved: {field} = {value}").format(field=field_text(field_name),
                                                       value=value))


@command(app, "reindex")
def reindex(ctx: typer.Context) -> None:
    """Rebuild every query table from the Automerge documents."""
    typer.echo(_("Reindexed {count} documents").format(count=files.reindex(session(ctx).home)))


@command(app, "verify")
def verify(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Check the file (what is damaged, what can be recovered), then the data (what to correct)."""
    home = session(ctx).home
    problems = [problem.render(_) for problem in files.verify(home)]
    store = None if problems else open_store(ctx)
    quality = queries.data_quality(store.db, store.today()) if store else []
    if wants_json(ctx, json_flag):
        print_json({"ok": not problems, "problems": problems,
                    "data_quality": [dict(row, text=data_quality_text(row)) for row in quality]})
    elif problems:
        typer.echo(_("The replica has {count} problems:").format(count=len(problems)),
                   err=True)
        for problem in problems:
            typer.echo(f"- {problem}", err=True)
    else:
        typer.echo(_("Replica verified: no problems"))
        if quality:
            typer.echo(_("{count} records to correct or delete:").format(count=len(quality)))
            for row in quality:
                typer.echo(f"- {data_quality_text(row)}")
    if problems:
        raise typer.Exit(EXIT_BAD_INPUT)


@command(app, "backup")
def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
) -> None:
    """A consistent copy of this replica, taken while it is in use."""
    open_store(ctx).backup(usable_file(out, must_exist=False))
    typer.echo(_("Backed up to {path} ({size} bytes)").format(path=out, size=out.stat().st_size))


@command(app, "restore")
def restore(
    ctx: typer.Context,
    backup_file: Annotated[Path, typer.Argument(help="A file written by incubator backup.")],
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite the replica in this home.")] = False,
) -> None:
    """Put a backup in place; it continues under a new actor so it never collides with its past."""
    store = Store.restore(backup_file, session(ctx).home, replace=replace)
    problems = store.verify()
    typer.echo(_("Restored {path}: sync with a peer to get back what changed since the backup")
               .format(path=backup_file))
    if problems:
        raise DomainError("The restored replica has problems: {problems}",
                          problems="; ".join(problem.render(_) for problem in problems))
