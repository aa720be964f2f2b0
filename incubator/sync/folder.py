"""Sync through a shared folder: a mailbox of bundles that Syncthing (or a network share,
or a USB stick carried between offices) moves between devices.

Layout of the folder:

    DIR/.stignore            tells Syncthing to ignore bundles still being written
    DIR/<device folder>/     one per device, named by a digest of its device ID (so the
                             folder names no device); only that device writes in it, so
                             a file-sync tool never sees two writers of one file
        <seq>-<random>.bundle   signed, encrypted bundles (docs/bundle-format.md)

A pass (`FolderSync.run`) imports every bundle of the other devices' folders that is
addressed to this device, once; removes this device's bundles that every recipient has
acknowledged; and writes one bundle for the members taking part in the folder (a member
takes part once its own folder is there) that lack something or are owed an
acknowledgement of a bundle that carried documents. What a bundle written earlier and
not yet acknowledged carries counts as on its way: the next bundle holds only what came
after it. A bundle whose documents wait for changes from elsewhere is tried again when
something new has arrived; one that is still being copied (it does not open to the last
byte) is tried again when its size or time changes: neither is ever half imported.

`watch` runs passes as files arrive and after local changes, with a quiet period so that
a burst of saves makes one bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event

from ..domain.device import short_device_id
from ..domain.errors import DomainError
from ..i18n import _
from ..store.ports import SyncPort
from .bundle import contents as bundles
from .bundle.contents import BundleError, ImportSummary, SenderRefused
from .bundle.format import PARTIAL_SUFFIX, addressed_here, import_bundle, write_bundle
from .peers import device_names, log_event

BUNDLE_SUFFIX = ".bundle"
STIGNORE = ".stignore"
# Syncthing's ignore pattern for the temporary names bundles are written under; (?d)
# lets Syncthing delete one that is left over when a device folder is removed.
STIGNORE_LINE = "(?d).*" + PARTIAL_SUFFIX
QUIET_SECONDS = 3.0     # no local change for this long before a bundle is written
TICK_SECONDS = 1.0      # how often the watcher looks at the replica when nothing happens
RESCAN_SECONDS = 30.0   # a full look at the folder (shares whose changes are not signalled)
LONGEST_WAIT = 10       # quiet periods: changes that never pause are written after ten

# States of a file read from the folder.
IMPORTED, FOREIGN, WAITING, INCOMPLETE, REFUSED = (
    "imported", "foreign", "waiting", "incomplete", "refused")
WRITTEN = "written"


class FolderError(DomainError):
    """A mailbox folder that cannot be used; nothing was changed."""


def device_folder(device_id: str) -> str:
    """The name of a device's own folder in a mailbox: a digest of its device ID."""
    return hashlib.sha256(f"incubator mailbox {device_id}".encode()).hexdigest()[:16]


@dataclass
class FolderPass:
    """What one pass did: files by name ("<device folder>/<file>")."""

    imported: list[tuple[str, ImportSummary]] = field(default_factory=list)
    written: list[dict] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.imported, self.written, self.removed, self.waiting,
                    self.incomplete, self.refused))

    def as_dict(self) -> dict:
        return {"imported": [{"file": name, **summary.as_dict()}
                             for name, summary in self.imported],
                "written": self.written, "removed": self.removed, "waiting": self.waiting,
                "incomplete": self.incomplete,
                "refused": [{"file": name, "reason": reason} for name, reason in self.refused]}


class FolderSync:
    """This replica's side of one mailbox folder."""

    def __init__(self, port: SyncPort, root: Path) -> None:
        self.port = port
        self.root = Path(root).absolute()
        self.key = str(self.root)  # recorded with every file of this folder
        self.me = port.identity.device_id
        self.own = self.root / device_folder(self.me)

    def records(self, direction: str) -> dict[str, dict]:
        """What this device recorded of this folder's files read (`in`) or written (`out`)."""
        return {name: record for name, record in self.port.folder_files().items()
                if record["folder"] == self.key and record["direction"] == direction}

    # -- the folder ------------------------------------------------------------------

    def prepare(self) -> None:
        """This device's own folder, and the `.stignore` entry for temporary names."""
        if not self.root.is_dir():
            raise FolderError("{path} is not a folder (create it, or mount the share first)",
                              path=str(self.root))
        try:
            self.own.mkdir(exist_ok=True)
            ignore = self.root / STIGNORE
            text = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
            if STIGNORE_LINE not in text.splitlines():
                with open(ignore, "a", encoding="utf-8") as handle:
                    if text and not text.endswith("\n"):
                        handle.write("\n")
                    handle.write("// incubator: bundles still being written\n"
                                 f"{STIGNORE_LINE}\n")
        except OSError as error:
            raise FolderError("Cannot write in {path}: {error}", path=str(self.root),
                              error=error.strerror or str(error)) from None

    def arrivals(self) -> Iterator[tuple[str, Path]]:
        """(name, path) of every complete-looking bundle in the other devices' folders,
        oldest first within each folder."""
        for folder in sorted(self.root.iterdir()) if self.root.is_dir() else ():
            if folder == self.own or folder.name.startswith(".") or not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.name.endswith(BUNDLE_SUFFIX) and not path.name.startswith("."):
                    yield f"{folder.name}/{path.name}", path

    def is_arrival(self, path: str | Path) -> bool:
        """Whether a changed path is a bundle in another device's folder."""
        path = Path(path)
        return (path.name.endswith(BUNDLE_SUFFIX) and not path.name.startswith(".")
                and path.parent.parent == self.root and path.parent != self.own)

    # -- a pass ----------------------------------------------------------------------

    def run(self, export: bool = True) -> FolderPass:
        """Import what arrived, remove what every recipient has, then (with `export`)
        write what the members taking part lack."""
        result = FolderPass()
        self.prepare()
        try:
            self.import_arrivals(result)
            self.clean(result)
            if export:
                self.export(result)
        except OSError as error:  # the share went away, the stick was pulled out
            raise FolderError("Cannot read {path}: {error}", path=str(self.root),
                              error=error.strerror or str(error)) from None
        return result

    def look(self) -> FolderPass:
        """Import what arrived and remove what every recipient has, writing nothing."""
        return self.run(export=False)

    def import_arrivals(self, result: FolderPass) -> None:
        records = self.records("in")
        for name, path in self.arrivals():
            record = records.get(name)
            try:
                stat = path.stat()
            except OSError:
                continue  # gone meanwhile (its sender removed it)
            if record and not self._worth_trying(record, stat):
                if record["state"] in (WAITING, INCOMPLETE):
                    getattr(result, record["state"]).append(name)
                continue
            self._import(name, path, stat, result)

    def _worth_trying(self, record: dict, stat: os.stat_result) -> bool:
        state = record["state"]
        if state == INCOMPLETE:
            return (record["size"], record["mtime_ns"]) != (stat.st_size, stat.st_mtime_ns)
        if state in (WAITING, REFUSED):
            return self.port.latest_seq() > (record["seq"] or 0)
        return False  # imported, or addressed to other devices

    def _import(self, name: str, path: Path, stat: os.stat_result, result: FolderPass) -> None:
        seen = {"direction": "in", "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "at": self.port.now_iso()}
        addressed = addressed_here(path, self.port)
        if addressed is None:  # not all of it is there yet
            result.incomplete.append(name)
            self._note(name, state=INCOMPLETE, **seen)
            return
        if not addressed:
            self._note(name, state=FOREIGN, **seen)
            return
        seq = self.port.latest_seq()
        try:
            summary = import_bundle(self.port, path)
        except SenderRefused as error:  # tried again when the membership may have changed
            reason = error.render(_)
            result.refused.append((name, reason))
            self._note(name, state=REFUSED, seq=self.port.latest_seq(), detail=reason, **seen)
            log_event(self.port, None, "refused", f"{name}: {reason}")
            return
        except BundleError as error:  # it does not open to its last byte: still arriving
            result.incomplete.append(name)
            self._note(name, state=INCOMPLETE, detail=error.render(_), **seen)
            return
        state = WAITING if summary.refused else IMPORTED
        if summary.refused:
            result.waiting.append(name)
        result.imported.append((name, summary))
        self._note(name, state=state, bundle_id=summary.bundle_id, sender=summary.sender,
                   documents=summary.carried, seq=max(seq, self.port.latest_seq()),
                   detail="; ".join(summary.refused.values())[:500], **seen)
        self._acknowledged(summary)

    def _note(self, name: str, **fields: object) -> None:
        with self.port.transaction():
            self.port.save_folder_file(name, folder=self.key, **fields)

    def _acknowledged(self, summary: ImportSummary) -> None:
        """The sender has read the bundles of this device that it acknowledges."""
        acked = set(summary.acks)
        for name, record in self.port.folder_files().items():
            if record["direction"] == "out" and record["bundle_id"] in acked:
                readers = set(json.loads(record["acked"])) | {summary.sender}
                with self.port.transaction():
                    self.port.save_folder_file(name, acked=json.dumps(sorted(readers)))

    def clean(self, result: FolderPass) -> None:
        """Remove this device's bundles that every current recipient has read; forget
        those that vanished unread (what they carried goes again in the next bundle)."""
        members = self.port.member_records()
        for name, record in self.records("out").items():
            path = self.root / name
            if path.exists() and self._pending(record, members):
                continue
            if path.exists():
                try:
                    path.unlink()
                except OSError:
                    continue  # tried again next pass
                result.removed.append(name)
            with self.port.transaction():
                self.port.drop_bundle_sent(record["bundle_id"])
                self.port.forget_folder_file(name)

    def _pending(self, record: dict, members: dict[str, dict]) -> list[str]:
        """The current recipients of one of this device's bundles that have not read it."""
        acked = set(json.loads(record["acked"]))
        pending = []
        for device in json.loads(record["recipients"]):
            member = members.get(device)
            if member is None or member["revoked_at"] or device in acked:
                continue
            if record["documents"] and not self.port.bundle_sent_heads(
                    [record["bundle_id"]], device):
                continue  # acknowledged by another way (a USB bundle)
            pending.append(device)
        return pending

    def participants(self) -> list[str]:
        """Current members other than this device whose own folder is in the mailbox."""
        return sorted(
            device for device, member in self.port.member_records().items()
            if device != self.me and not member["revoked_at"] and member["bundle_key"]
            and (self.root / device_folder(device)).is_dir())

    def export(self, result: FolderPass) -> None:
        """One bundle for the members taking part that lack something, or are owed the
        acknowledgement of a bundle that carried documents; one per scope, since each
        recipient can read all of its bundle."""
        members = self.port.member_records()
        groups: dict[str, list[str]] = {}
        for device in self.participants():
            groups.setdefault(members[device].get("scope") or "", []).append(device)
        for _scope, recipients in sorted(groups.items()):
            self._export_group(recipients, result)

    def _export_group(self, recipients: list[str], result: FolderPass) -> None:
        records = {name: record for name, record in self.records("out").items()
                   if (self.root / name).exists()}
        members = self.port.member_records()
        on_the_way = {peer: [record["bundle_id"] for record in records.values()
                             if record["documents"] and peer in self._pending(record, members)]
                      for peer in recipients}
        assumed = {peer: self.port.bundle_sent_heads(ids, peer)
                   for peer, ids in on_the_way.items() if ids}
        items = bundles.contents(self.port, recipients, False, assumed)
        owed = bundles.acks_for(self.port, recipients)
        if not items and not self._significant(owed):
            return
        superseded = {name: record for name, record in records.items()
                      if not record["documents"]
                      and set(self._pending(record, members)) <= set(recipients)}
        acks = sorted(set(owed).union(*(json.loads(record["acks"])
                                        for record in superseded.values())))
        keys = bundles.recipient_keys(self.port, recipients)
        out = self.own / f"{self.port.latest_seq():012d}-{secrets.token_hex(4)}{BUNDLE_SUFFIX}"
        summary = write_bundle(self.port, keys, items, acks, out)
        name = f"{self.own.name}/{out.name}"
        self._note(name, direction="out", state=WRITTEN, bundle_id=summary.bundle_id,
                   size=summary.bytes, documents=summary.documents,
                   recipients=json.dumps(summary.recipients), acks=json.dumps(acks),
                   at=self.port.now_iso())
        names = device_names(self.port)
        result.written.append({"file": name, "documents": summary.documents,
                               "changes": summary.changes, "bytes": summary.bytes,
                               "recipients": [names.get(peer) or short_device_id(peer)
                                              for peer in summary.recipients]})
        for old in superseded:
            try:
                (self.root / old).unlink()
            except OSError:
                continue
            result.removed.append(old)
            with self.port.transaction():
                self.port.forget_folder_file(old)

    def _significant(self, owed: list[str]) -> bool:
        """Whether some acknowledgement owed is for a bundle that carried documents (its
        sender keeps it until acknowledged); an acknowledgement of acknowledgements alone
        waits for the next bundle written anyway, or two devices would answer each other
        forever."""
        carried = {record["bundle_id"]: record["documents"]
                   for record in self.port.folder_files().values()
                   if record["direction"] == "in" and record["bundle_id"]}
        return any(carried.get(bundle_id, 1) for bundle_id in owed)


# -- watching -------------------------------------------------------------------------


class QuietPeriod:
    """When to write after local changes: once `quiet` seconds pass without another, or
    at the latest `longest` seconds after the first (saves that never pause for long)."""

    def __init__(self, quiet: float, longest: float | None = None) -> None:
        self.quiet = quiet
        self.longest = longest if longest is not None else LONGEST_WAIT * quiet
        self.first: float | None = None
        self.last: float | None = None

    def touch(self, now: float) -> None:
        self.first = now if self.first is None else self.first
        self.last = now

    def due(self, now: float) -> bool:
        return self.last is not None and (now - self.last >= self.quiet
                                          or now - self.first >= self.longest)

    def done(self) -> None:
        self.first = self.last = None


Changes = Iterable[set[tuple[object, str]]]
Report = Callable[[Path, "FolderPass | DomainError"], None]


def watch(port: SyncPort, roots: list[Path], events: Changes, *,
          on_pass: Report = lambda _root, _outcome: None, quiet: float = QUIET_SECONDS,
          clock: Callable[[], float] = time.monotonic) -> None:
    """Run passes over `roots` as `events` come (sets of (change, path), an empty set
    when nothing happened for a while: `watchfiles.watch(..., yield_on_timeout=True)`,
    or a test's list): bundles that arrive are imported at once; after local changes
    (a new document change in the replica, or documents imported) a bundle is written
    once `quiet` seconds have passed without another. What a pass did, or why it could
    not run (a share unmounted, a full disk: tried again later), goes to `on_pass`
    whenever there is something to say. Returns when `events` ends."""
    mailboxes = [FolderSync(port, root) for root in roots]

    def attempt(mailbox: FolderSync, export: bool) -> FolderPass:
        try:
            result = mailbox.run(export)
        except DomainError as error:
            on_pass(mailbox.root, error)
            return FolderPass()
        if result:
            on_pass(mailbox.root, result)
        return result

    for mailbox in mailboxes:
        attempt(mailbox, export=True)
    seen = port.latest_seq()
    local = QuietPeriod(quiet)
    scanned = clock()
    for changes in events:
        now = clock()
        rescan = now - scanned >= RESCAN_SECONDS
        if rescan:
            scanned = now
        for mailbox in mailboxes:
            if rescan or any(mailbox.is_arrival(path) for _change, path in changes):
                if attempt(mailbox, export=False).imported:
                    local.touch(now)  # acknowledgements owed, and what to pass on
        if port.latest_seq() != seen:
            seen = port.latest_seq()
            local.touch(now)
        if local.due(now):
            local.done()
            for mailbox in mailboxes:
                attempt(mailbox, export=True)
            seen = port.latest_seq()


def filesystem_events(roots: list[Path], stop: Event) -> Changes:
    """What changes in the folders, from the operating system (`watchfiles`), with an
    empty set every `TICK_SECONDS` when nothing does; ends when `stop` is set."""
    import watchfiles

    return watchfiles.watch(*roots, stop_event=stop, yield_on_timeout=True,
                            rust_timeout=int(TICK_SECONDS * 1000), debounce=400,
                            watch_filter=None, raise_interrupt=False)
