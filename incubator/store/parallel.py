"""Documents made into rows on every core.

Loading a document and reading its values holds the GIL (Automerge holds it throughout),
so a reindex in one process uses one core. Here a reindex of many documents, or many
documents new to a replica (a first clone, a full bundle: judged by `merge`'s rules too),
are handed in batches to worker processes (`python -m incubator.store.parallel`: a fresh
interpreter, so nothing of the caller's threads, locks, connections or main module comes
along); each loads its documents and makes their rows, and the caller only stores what
comes back. Batches and results travel as pickles over the workers' own pipes. Fewer
documents are made into rows in the caller: starting a worker (~0.2 s) costs more than it
saves.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from ..domain.docids import kind_of
from ..domain.errors import DomainError
from .arrival import arrived, judged_rows
from .authorship import NetworkHistory
from .automerge_doc import AutomergeDoc, DocumentError
from .materialize import Groups, grouped, rows_for
from .ports import ReplicaError

WORKERS_FROM = 512  # documents: fewer are made into rows in the caller
BATCH = 64  # documents a worker is handed at a time
WORKERS = min(os.cpu_count() or 1, 4)

Made = tuple[list[tuple[str, str | None]], Groups]  # (each document's heads, or None when it
# does not load; the rows of those that do, by table and columns)
Judged = tuple[list[str], Groups] | None | Exception  # see `judged_new`


class WorkerError(ReplicaError):
    """A worker process failed (its message says how)."""


def rows_of(actor: bytes, documents: list[tuple[str, bytes]]) -> Made:
    """Load each document from its chunks and make its rows."""
    heads: list[tuple[str, str | None]] = []
    groups: Groups = {}
    for doc_id, data in documents:
        try:
            doc = AutomergeDoc.load(data, actor)
        except DocumentError:  # a damaged chunk: left out, as `verify` names it
            heads.append((doc_id, None))
            continue
        grouped(rows_for(doc_id, doc.tree()), groups)
        heads.append((doc_id, ",".join(doc.heads())))
    return heads, groups


def worth_workers(count: int) -> bool:
    """Whether `count` documents are made into rows on workers rather than here."""
    return WORKERS > 1 and count >= WORKERS_FROM


def made_into_rows(documents: Iterable[tuple[str, bytes]], count: int, actor: bytes
                   ) -> Iterator[Made]:
    """`rows_of` over `count` documents, in their order: one document at a time in this
    process, or batches of `BATCH` on `WORKERS` processes when there are `WORKERS_FROM`
    documents or more. A worker's failure raises `WorkerError` (the caller's transaction
    then rolls back); the workers are stopped however the caller stops."""
    if not worth_workers(count):
        for document in documents:
            yield rows_of(actor, [document])
        return
    yield from _on_workers("rows_of", (actor,), documents, count)


def judged_on_workers(documents: list[tuple[str, bytes, list[str]]], actor: bytes,
                      network: bytes | None) -> Iterator[list[tuple[str, Judged]]]:
    """`judged_new` over documents this replica holds none of, in batches, on workers."""
    yield from _on_workers("judged_new", (actor, network), documents, len(documents))


def judged_new(actor: bytes, network: bytes | None,
               documents: list[tuple[str, bytes, list[str]]]) -> list[tuple[str, Judged]]:
    """What `Replica.merge` decides for each document new to a replica whose network
    document is `network`: its heads and rows (by table and columns) when it may be kept,
    None when it holds nothing, else the error that refuses it."""
    history = NetworkHistory(AutomergeDoc.load(network, actor) if network else None)
    judged: list[tuple[str, Judged]] = []
    for doc_id, data, expected_heads in documents:
        try:
            kind_of(doc_id)
            candidate = arrived(doc_id, None, data, actor)
            rows = judged_rows(doc_id, candidate, [], expected_heads, history)
        except (DomainError, ValueError) as error:
            judged.append((doc_id, error))
            continue
        if rows is None:
            judged.append((doc_id, None))
            continue
        groups: Groups = {}
        grouped(rows, groups)
        judged.append((doc_id, (candidate.heads(), groups)))
    return judged


TASKS = {"rows_of": rows_of, "judged_new": judged_new}  # what a worker may be asked to do


def _on_workers(task: str, common: tuple, items: Iterable, count: int) -> Iterator:
    """`TASKS[task](*common, batch)` for each batch of `BATCH` items, in order, on up to
    `WORKERS` processes."""
    # started first: they import while the items are read
    processes = [subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
                 for _ in range(max(1, min(WORKERS, -(-count // BATCH))))]
    batches = list(_batches(items))
    feeders = [threading.Thread(target=_feed, args=(process.stdin, task, common,
                                                   batches[number::len(processes)]),
                                daemon=True)
               for number, process in enumerate(processes)]
    try:
        for feeder in feeders:
            feeder.start()
        for number in range(len(batches)):
            yield _result(processes[number % len(processes)])
    finally:
        for process in processes:
            process.kill()
            process.wait()
            process.stdout.close()
        for feeder in feeders:
            if feeder.ident is not None:
                feeder.join()


def _feed(pipe: BinaryIO, task: str, common: tuple, batches: list[list]) -> None:
    """Write a worker's batches, then close its input (it stops at the end)."""
    try:
        for batch in batches:
            pickle.dump((task, common, batch), pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:  # the worker was stopped (or failed): nothing more to write
        pass
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def _result(process: subprocess.Popen) -> Made:
    try:
        ok, value = pickle.load(process.stdout)
    except EOFError:
        raise WorkerError("A worker process ended (exit status {status})",
                          status=process.wait()) from None
    if not ok:
        raise WorkerError("A worker process failed: {error}", error=value)
    return value


def _batches(items: Iterable) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _serve(source: BinaryIO, sink: BinaryIO) -> None:
    """A worker: each batch read from `source` made into rows, written to `sink`, until
    its input ends; a failure is written back (with what failed) and ends it."""
    while True:
        try:
            task, common, batch = pickle.load(source)
        except EOFError:
            return
        try:
            answer = (True, TASKS[task](*common, batch))
        except Exception as error:  # a document the rows cannot be made of: the caller says
            answer = (False, f"{type(error).__name__}: {error}"[:500])
        try:
            pickle.dump(answer, sink, protocol=pickle.HIGHEST_PROTOCOL)
            sink.flush()
        except BrokenPipeError:  # the caller is gone (killed): nobody to answer
            return
        if not answer[0]:
            return


if __name__ == "__main__":
    # the results get the pipe to themselves: anything printed goes to stderr
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, results)
