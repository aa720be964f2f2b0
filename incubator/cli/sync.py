"""Peer-to-peer sync over the network, and signed, encrypted bundles for a USB stick."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.device import short_device_id
from ..domain.errors import N_, DomainError
from ..i18n import _
from ..present.labels import enum_label
from ..present.paths import usable_file, usable_folder
from ..present.sync import export_text, folder_text, import_text, peer_status, result_text
from ..store import queries
from ..store.home import replica_path
from ..sync.transport import BUFFER_BYTES, DEFAULT_PORT, MAX_PER_DEVICE, parse_address
from .args import JsonFlag
from .output import emit, print_json, print_table, wants_json
from .root import EXIT_BAD_INPUT, app, command, group, open_store, session

sync_app = group("sync", "Peer-to-peer sync with the other hubs and laptops.")
MiB = 1024 * 1024


@command(sync_app, "serve")
def sync_serve(
    ctx: typer.Context,
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT to listen on.")] = f"0.0.0.0:{DEFAULT_PORT}",
    every: Annotated[float, typer.Option("--every", min=0, help="Also sync with every reachable member every N minutes (0: never).")] = 0,
    announce: Annotated[bool, typer.Option("--announce/--no-announce", help="Announce this device on the local network (mDNS).")] = True,
    per_device: Annotated[int, typer.Option("--per-device", min=1, max=100, help="Sessions one device may have open at once; more are told to retry later.")] = MAX_PER_DEVICE,
    buffer: Annotated[int, typer.Option("--buffer", min=32, max=4096, help="MiB of incoming frames all connections may buffer at once; beyond it a large frame waits.")] = BUFFER_BYTES // MiB,
) -> None:
    """Serve sync to member devices until Ctrl-C."""
    from ..sync.service import SyncService

    host, port = parse_address(listen, default_host="0.0.0.0")
    SyncService(open_store(ctx).port, every_minutes=every, announce=announce,
                on_event=lambda line: typer.echo(line, err=True), max_per_device=per_device,
                buffer_bytes=buffer * MiB).run_until_signalled(host, port)


@command(sync_app, "now")
def sync_now(
    ctx: typer.Context,
    peer: Annotated[Optional[str], typer.Option("--peer", help="Only this device ID.")] = None,
    address: Annotated[str, typer.Option("--address", help="HOST:PORT of that peer (with --peer).")] = "",
    discover: Annotated[float, typer.Option("--discover", min=0, max=30, help="Seconds to look for peers on the local network first (0: no).")] = 0,
    json_flag: JsonFlag = False,
) -> None:
    """Sync once with every reachable member (or the one named)."""
    from ..sync.service import sync_round

    if address and not peer:
        raise DomainError("--address needs --peer")
    results = sync_round(open_store(ctx).port, peer, address, discover_seconds=discover)
    rows = [result.as_dict() for result in results]
    if wants_json(ctx, json_flag):
        print_json(rows)
    else:
        print_table([{**row, "device_id": short_device_id(row["device_id"]),
                      "error": result_text(row)} for row in rows],
                    [("name", N_("Device")), ("device_id", N_("Device ID")),
                     ("docs_received", N_("Docs in")), ("docs_sent", N_("Docs out")),
                     ("bytes_received", N_("Bytes in")), ("bytes_sent", N_("Bytes out")),
                     ("round_trips", N_("Round trips")), ("seconds", N_("Seconds")),
                     ("error", N_("Result"))])
    if any(result.error for result in results):
        raise typer.Exit(1)


@command(sync_app, "status")
def sync_status(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Peers, when each last synced, the last session's figures and errors."""
    store = open_store(ctx)
    now = store.clock()
    emit(ctx, json_flag, queries.sync_peers(store.db),
         [("name", N_("Device")), ("role", N_("Role")), ("address", N_("Address")),
          ("last_sync", N_("Last sync")), ("docs_received", N_("Docs in")),
          ("docs_sent", N_("Docs out")), ("bytes_received", N_("Bytes in")),
          ("bytes_sent", N_("Bytes out")), ("last_error", N_("Last error"))],
         shown=lambda row: {**row, "role": enum_label(row["role"]),
                            "last_sync": peer_status(row, now)})


@command(sync_app, "folder")
def sync_folder(
    ctx: typer.Context,
    folder_names: Annotated[list[str], typer.Argument(metavar="FOLDERS", help="The shared folder (Syncthing's, a network share, a USB stick); several may be given.")],
    watch: Annotated[bool, typer.Option("--watch", help="Keep going: import bundles as they arrive, write one after local changes (Ctrl-C stops).")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Sync through shared folders: import the bundles addressed to this device, write what the others lack."""
    from ..sync.folder import FolderSync, filesystem_events, watch as watch_folders

    folders = [usable_folder(name) for name in folder_names]
    port = open_store(ctx).port
    as_json = wants_json(ctx, json_flag)

    def report(root: Path, outcome) -> None:
        if as_json:
            print_json({"folder": str(root), **(
                {"error": outcome.render(_)} if isinstance(outcome, DomainError)
                else outcome.as_dict())})
        elif isinstance(outcome, DomainError):
            typer.echo(_("Error: {message}").format(message=outcome.render(_)), err=True)
        else:
            typer.echo(folder_text(outcome, root))

    if not watch:
        for root in folders:
            report(root, FolderSync(port, root).run())
        return
    import threading

    for root in folders:  # refuses a folder that is not there before watching starts
        FolderSync(port, root).prepare()
    typer.echo(_("Watching {folders} (Ctrl-C stops)").format(
        folders=", ".join(str(root) for root in folders)), err=True)
    try:
        watch_folders(port, folders, filesystem_events(folders, threading.Event()),
                      on_pass=report)
    except KeyboardInterrupt:
        pass


@command(app, "prune")
def prune(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Remove the organizations outside this device's scope that a hub already holds."""
    summary = open_store(ctx).prune()
    if wants_json(ctx, json_flag):
        print_json(summary.as_dict())
        return
    typer.echo(_("Removed {count} organizations outside this device's scope").format(
        count=len(summary.removed)))
    if summary.kept:
        typer.echo(_("Kept {count} outside the scope that no hub is known to hold with "
                     "everything this device has of them (sync first): {names}").format(
            count=len(summary.kept), names="、".join(summary.kept[:20])
            + ("…" if len(summary.kept) > 20 else "")))


bundle_app = group("bundle", "Signed, encrypted sync bundles for a USB stick.")
BundleFile = Annotated[Path, typer.Argument(help="The bundle file.")]


@command(bundle_app, "export")
def bundle_export(
    ctx: typer.Context,
    recipients: Annotated[list[str], typer.Option("--for", help="A recipient's device ID (repeat for several).")],
    out: Annotated[Path, typer.Option("--out", help="The bundle file to write (e.g. on the USB stick).")],
    full: Annotated[bool, typer.Option("--full", help="Everything, not only what the recipients lack.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Write what the recipients are not known to have, signed and encrypted to them."""
    from ..sync.bundle import export_bundle

    summary = export_bundle(open_store(ctx).port, recipients, usable_file(out, must_exist=False),
                            full=full)
    if wants_json(ctx, json_flag):
        print_json(summary.as_dict())
    else:
        typer.echo(export_text(summary))


@command(bundle_app, "import")
def bundle_import(ctx: typer.Context, path: BundleFile, json_flag: JsonFlag = False) -> None:
    """Verify, decrypt and merge a bundle (all or nothing); print what it brought in."""
    from ..sync.bundle import import_bundle

    summary = import_bundle(open_store(ctx).port, path)
    if wants_json(ctx, json_flag):
        print_json(summary.as_dict())
    else:
        typer.echo(import_text(summary, shown=50))


@command(bundle_app, "inspect")
def bundle_inspect(ctx: typer.Context, path: BundleFile, json_flag: JsonFlag = False) -> None:
    """Show a bundle's date, size, sender and recipients without merging anything."""
    from ..sync.bundle import inspect_bundle

    port = open_store(ctx).port if replica_path(session(ctx).home).exists() else None
    info = inspect_bundle(path, port)
    if wants_json(ctx, json_flag):
        print_json(info)
        return
    typer.echo(_("Bundle {path}: {bytes} bytes, written {created}, {count} recipients").format(
        path=info["path"], bytes=info["bytes"], created=info["created"],
        count=info["recipients_count"]))
    if info.get("readable"):
        typer.echo(_("From {name} ({device}), {documents} documents").format(
            name=info["sender_name"], device=short_device_id(info["sender"]),
            documents=info["documents"]))
        typer.echo(_("To: {names}").format(names="、".join(
            r["name"] or short_device_id(r["device_id"]) for r in info["recipients"])))
        if info["damaged"]:
            typer.echo(_("The bundle is damaged: {problem}").format(problem=info["problem"]))
    elif info.get("damaged"):
        typer.echo(_("The bundle is addressed to this device but damaged: {problem}").format(
            problem=info["problem"]))
    else:
        typer.echo(_("Not addressed to this device: sender and recipients stay hidden"))
    if info.get("damaged"):
        raise typer.Exit(EXIT_BAD_INPUT)
