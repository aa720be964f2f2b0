"""Words and figures for sync: when a peer last synced, sizes, what a round or a bundle did."""

from __future__ import annotations

from datetime import datetime, timedelta

from typing import TYPE_CHECKING

from ..domain.device import short_device_id
from ..i18n import _
from .labels import join_words

if TYPE_CHECKING:
    from pathlib import Path

    from ..sync.bundle import ExportSummary, ImportSummary
    from ..sync.folder import FolderPass

SESSION_MINUTES = 10  # a session opened longer ago than this has ended (or its program died)


def when_text(iso: str | None, now: datetime) -> str:
    """A UTC ISO time in the local time zone, as people say it: today 09:30,
    yesterday 17:05, else the date and time; "never synced" when there is none."""
    if not iso:
        return _("never synced")
    at = datetime.fromisoformat(iso).astimezone()
    days = (now.astimezone().date() - at.date()).days
    clock = at.strftime("%H:%M")
    if days == 0:
        return _("today {time}").format(time=clock)
    if days == 1:
        return _("yesterday {time}").format(time=clock)
    return at.strftime("%Y-%m-%d %H:%M")


def is_online(peer: dict, now: datetime) -> bool:
    """Whether a session with the peer is connected (`queries.sync_peers`: opened, not yet
    ended, and not so long ago that its program must have died)."""
    opened = peer.get("session_opened")
    return bool(opened) and (
        now - datetime.fromisoformat(opened) <= timedelta(minutes=SESSION_MINUTES))


def peer_status(peer: dict, now: datetime) -> str:
    """Revoked, online while a session is connected, else the last contact: a session's
    time, or a bundle's (U盘 today 09:30), or never."""
    if peer.get("revoked_at"):
        return _("revoked")
    if is_online(peer, now):
        return _("online")
    when = when_text(peer["last_sync"], now)
    return _("USB stick {when}").format(when=when) if peer.get("by_bundle") else when


def size_text(count: int | None) -> str:
    """Bytes in B, KB, MB or GB (1024-based), one decimal under ten."""
    size = float(count or 0)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            break
        size /= 1024
    else:
        unit = "GB"
    if unit == "B":
        return f"{int(size)} B"
    return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"


def device_text(name: str | None, device_id: str | None) -> str:
    return name or (short_device_id(device_id) if device_id else _("unknown device"))


def round_summary(results: list[dict]) -> tuple[str, str]:
    """(message, severity) of a finished round: documents in and out, then every
    device that failed and why."""
    failed = [r for r in results if r["error"]]
    lines = []
    if len(failed) < len(results):
        lines.append(_("Synced with {ok} of {total} devices: {received} documents in, {sent} out")
                     .format(ok=len(results) - len(failed), total=len(results),
                             received=sum(r["docs_received"] for r in results),
                             sent=sum(r["docs_sent"] for r in results)))
    refused = sum(len(r["refused"]) for r in results)
    if refused:
        lines.append(_("{count} documents refused: see the list of refusals").format(
            count=refused))
    lines += [_("Could not sync with {device}: {error}").format(
        device=device_text(r["name"], r["device_id"]), error=r["error"]) for r in failed]
    if any(not r["bytes_received"] for r in failed):
        lines.append(_("Check that the other device is switched on, on the same network "
                       "and serving sync (v on its sync screen)"))
    severity = ("error" if failed and len(failed) == len(results)
                else "warning" if failed or refused else "information")
    return "\n".join(lines), severity


def result_text(result: dict) -> str:
    """A session's outcome in one line: its error, else the documents refused (either
    side) with why, else ok."""
    if result["error"]:
        return result["error"]
    if result["refused"]:
        return _("{count} documents refused: {refusals}").format(
            count=len(result["refused"]), refusals=_("; ").join(result["refused"]))
    return _("ok")


def export_text(summary: ExportSummary) -> str:
    """What a written bundle holds, in plain words."""
    return _("Wrote {path}: {documents} documents, {changes} changes, {bytes} bytes, "
             "for {count} recipients").format(
        path=summary.path, documents=summary.documents, changes=summary.changes,
        bytes=summary.bytes, count=len(summary.recipients))


def import_text(summary: ImportSummary, shown: int = 8) -> str:
    """What an imported bundle brought in, in plain words."""
    text = _("Imported a bundle from {name}: {documents} documents, {changes} changes").format(
        name=summary.sender_name, documents=summary.documents, changes=summary.changes)
    if summary.organizations:
        names = join_words(summary.organizations[:shown])
        more = len(summary.organizations) - shown
        if more > 0:
            names += _(" and {count} more").format(count=more)
        text += "\n" + _("Organizations touched: {names}").format(names=names)
    if summary.refused:
        text += "\n" + _("{count} documents refused, the rest imported; they come again with "
                         "the sender's next bundle or sync:").format(
            count=len(summary.refused))
        text += "".join(f"\n  - {doc_id}: {reason}"
                        for doc_id, reason in list(summary.refused.items())[:shown])
    return text


def folder_text(result: FolderPass, root: Path | str) -> str:
    """What one pass over a mailbox folder did, one line per file."""
    lines = []
    for name, summary in result.imported:
        lines.append(_("Imported {file} from {name}: {documents} documents, {changes} changes")
                     .format(file=name, name=summary.sender_name, documents=summary.documents,
                             changes=summary.changes))
    lines += [_("{file}: some documents wait for changes from elsewhere; tried again when they "
                "arrive").format(file=name) for name in result.waiting]
    lines += [_("Wrote {file} for {names}: {documents} documents, {bytes} bytes").format(
        file=entry["file"], names="、".join(entry["recipients"]), documents=entry["documents"],
        bytes=entry["bytes"]) for entry in result.written]
    lines += [_("Removed {file}: every recipient has read it").format(file=name)
              for name in result.removed]
    lines += [_("{file} is not complete yet (still arriving, or damaged); tried again when it "
                "changes").format(file=name) for name in result.incomplete]
    lines += [_("{file} refused: {reason}").format(file=name, reason=reason)
              for name, reason in result.refused]
    return "\n".join(lines) or _("Nothing to import or write in {path}").format(path=root)
