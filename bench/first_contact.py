"""First-contact profile (issue 16): the receiving side of a first clone, in one process.

    .venv/bin/python bench/first_contact.py --root DIR            # reuses DIR/source
    .venv/bin/python bench/first_contact.py --root DIR --profile  # with cProfile

Merges every document of DIR/source (as a server sends it: the stored snapshot, else
save()) into a new joined replica in one transaction (`merge_all`, as a sync batch does), then reindexes that replica;
prints wall and CPU time of each (CPU time says more on a shared machine). No TLS, no
server process. Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from incubator.domain.docids import NETWORK
from incubator.store.commands import Store
from incubator.store.identity import Card

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    clock = lambda: NOW  # noqa: E731
    source = Store.open(args.root / "source", clock=clock)
    items = []
    for doc_id in source.replica.doc_ids():
        stored = source.replica.stored_snapshot(doc_id)
        if stored is None:
            doc = source.replica.document(doc_id)
            stored = (doc.save(), doc.heads())
        items.append((doc_id, *stored))
    items.sort(key=lambda item: (item[0] != NETWORK, item[0]))
    home = args.root / "first-contact"
    shutil.rmtree(home, ignore_errors=True)
    laptop = Store.join(home, Card.of(source.replica.identity), "首次", clock=clock)
    source.close()

    def clone() -> None:
        laptop.replica.merge_all(items)

    for name, action in ((f"merge {len(items)} documents into an empty replica", clone),
                         ("reindex of the same documents", laptop.reindex)):
        cpu, wall = time.process_time(), time.perf_counter()
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(action)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        else:
            action()
        print(f"{name}: {time.perf_counter() - wall:.2f} s wall, "
              f"{time.process_time() - cpu:.2f} s CPU", flush=True)
    laptop.close()


if __name__ == "__main__":
    main()
