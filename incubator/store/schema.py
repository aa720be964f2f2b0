"""SQLite layout of a replica: document chunks, bookkeeping and query tables.

Query tables carry the `doc_id` they were materialized from, so a document's
rows are replaced as a whole, in the same transaction as its change chunk. They hold
nothing but what the documents say, so a replica made by a build with other query
tables rebuilds them on open (`QUERY_SCHEMA` differs from the one recorded).
"""

import hashlib
import json
import re

SCHEMA_VERSION = 1

STORAGE = """
CREATE TABLE IF NOT EXISTS replica_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'changes')),
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id, id);
-- Local sync bookkeeping (never materialized from documents, kept by reindex).
CREATE TABLE IF NOT EXISTS sync_peers (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    certificate TEXT,
    address TEXT,
    index_id TEXT,
    sent_seq INTEGER NOT NULL DEFAULT 0,
    last_sync TEXT,
    last_error TEXT,
    docs_sent INTEGER NOT NULL DEFAULT 0,
    docs_received INTEGER NOT NULL DEFAULT 0,
    bytes_sent INTEGER NOT NULL DEFAULT 0,
    bytes_received INTEGER NOT NULL DEFAULT 0,
    round_trips INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS peer_heads (
    device_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    heads TEXT NOT NULL,
    PRIMARY KEY (device_id, doc_id)
);
-- Bundles imported from a device, to acknowledge in the next bundle written to it.
CREATE TABLE IF NOT EXISTS bundle_acks (
    device_id TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    PRIMARY KEY (device_id, bundle_id)
);
-- What each bundle written carried, recorded as known once its recipient acknowledges it.
CREATE TABLE IF NOT EXISTS bundle_sent (
    bundle_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    heads TEXT NOT NULL,
    PRIMARY KEY (bundle_id, recipient, doc_id)
);
CREATE TABLE IF NOT EXISTS sync_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    peer TEXT,
    doc_id TEXT,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
-- a peer's latest events (is a session open, was the last contact a bundle)
CREATE INDEX IF NOT EXISTS sync_log_peer ON sync_log (peer, event, id);
-- What this device read and wrote in shared mailbox folders (`sync folder`), by file name
-- ("<device folder>/<file>", unique) and the folder's path: each bundle read is imported
-- once, each one written is removed once every recipient has acknowledged it.
CREATE TABLE IF NOT EXISTS folder_files (
    name TEXT PRIMARY KEY,
    folder TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    state TEXT NOT NULL,
    bundle_id TEXT,
    sender TEXT,
    size INTEGER,
    mtime_ns INTEGER,
    seq INTEGER,
    documents INTEGER NOT NULL DEFAULT 0,
    recipients TEXT NOT NULL DEFAULT '[]',
    acked TEXT NOT NULL DEFAULT '[]',
    acks TEXT NOT NULL DEFAULT '[]',
    detail TEXT NOT NULL DEFAULT '',
    at TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    heads TEXT NOT NULL,
    materialized_upto INTEGER NOT NULL,
    snapshot_bytes INTEGER NOT NULL,
    change_bytes INTEGER NOT NULL
);
"""

# Local sync bookkeeping: what this replica knows of its peers, nothing of the documents.
SYNC_TABLES = ("sync_peers", "peer_heads", "bundle_acks", "bundle_sent", "sync_log",
               "folder_files")

# venture-philanthropy rounds, awards and the time bank (`materialize_rounds`)
ROUND_TABLES: dict[str, str] = {
    "needs": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, community TEXT NOT NULL,
        community_key TEXT NOT NULL, area TEXT NOT NULL, description TEXT NOT NULL,
        source TEXT NOT NULL, asked_by TEXT, on_date TEXT NOT NULL, recorded_by TEXT""",
    "library": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, title TEXT NOT NULL, area TEXT NOT NULL,
        budget REAL, target_group TEXT, beneficiaries INTEGER, created_on TEXT NOT NULL,
        recorded_by TEXT, need_count INTEGER NOT NULL""",
    "project_needs": """
        doc_id TEXT NOT NULL, project_id TEXT NOT NULL, need_id TEXT NOT NULL,
        linked_on TEXT NOT NULL, PRIMARY KEY (project_id, need_id)""",
    "rounds": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL,
        budget REAL NOT NULL, opens TEXT NOT NULL, closes TEXT NOT NULL, eligibility TEXT,
        created_on TEXT NOT NULL, decided_on TEXT, decided_by TEXT, top INTEGER""",
    "funding": """
        doc_id TEXT NOT NULL, round_id TEXT NOT NULL, application_id TEXT NOT NULL,
        amount REAL NOT NULL, rank INTEGER, PRIMARY KEY (round_id, application_id)""",
    "applications": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, round_id TEXT NOT NULL, org_id TEXT NOT NULL,
        project_id TEXT NOT NULL, amount REAL NOT NULL, plan TEXT, on_date TEXT NOT NULL,
        recorded_by TEXT""",
    "round_reviews": """
        doc_id TEXT NOT NULL, application_id TEXT NOT NULL, reviewer_key TEXT NOT NULL,
        reviewer TEXT NOT NULL, kind TEXT NOT NULL, scores TEXT NOT NULL, on_date TEXT NOT NULL,
        recorded_by TEXT, PRIMARY KEY (application_id, reviewer_key)""",
    "evaluations": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, application_id TEXT NOT NULL,
        phase TEXT NOT NULL, method TEXT NOT NULL, result TEXT NOT NULL,
        beneficiaries INTEGER NOT NULL, person_times INTEGER NOT NULL, findings TEXT,
        deadline TEXT, on_date TEXT NOT NULL, evaluated_by TEXT""",
    "payments": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, application_id TEXT NOT NULL,
        amount REAL NOT NULL, on_date TEXT NOT NULL, note TEXT, recorded_by TEXT""",
    "recoveries": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, application_id TEXT NOT NULL,
        amount REAL NOT NULL, reason TEXT NOT NULL, on_date TEXT NOT NULL, recorded_by TEXT""",
    "awards": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, org_id TEXT NOT NULL, year INTEGER NOT NULL,
        title TEXT NOT NULL, amount REAL, recorded_by TEXT""",
    "bank_accounts": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL,
        org_id TEXT, created_on TEXT NOT NULL""",
    "bank_entries": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, person_id TEXT NOT NULL, kind TEXT NOT NULL,
        hours REAL NOT NULL, on_date TEXT NOT NULL, month TEXT NOT NULL, org_id TEXT,
        note TEXT, recorded_by TEXT""",
}

QUERY_TABLES: dict[str, str] = {
    "hubs": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT,
        created_at TEXT, name_key TEXT NOT NULL, sort_key TEXT NOT NULL""",
    "spaces": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, hub_id TEXT NOT NULL, name TEXT NOT NULL,
        kind TEXT NOT NULL, area REAL, capacity INTEGER, name_key TEXT NOT NULL,
        retired_on TEXT, sort_key TEXT NOT NULL""",
    "allocations": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, hub_id TEXT NOT NULL, space_id TEXT NOT NULL,
        org_id TEXT NOT NULL, start TEXT NOT NULL, end TEXT""",
    "organizations": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, hub_id TEXT, name TEXT NOT NULL,
        category TEXT, legal_status TEXT, stage TEXT, community TEXT, contact TEXT,
        phone TEXT, members INTEGER, party_org TEXT, entered TEXT, notes TEXT,
        graduated_on TEXT, destination TEXT, exited_on TEXT, exit_reason TEXT,
        exit_ordered INTEGER, last_month TEXT, last_score10 REAL, stars INTEGER, stars_year INTEGER,
        stars_scale TEXT,
        conflict_count INTEGER NOT NULL DEFAULT 0, name_key TEXT NOT NULL,
        area TEXT, town TEXT, village TEXT, credit_code TEXT, filing_number TEXT,
        registered_on TEXT, leader TEXT, supervisor TEXT, org_form TEXT, place TEXT,
        activity_area TEXT, since TEXT, search_text TEXT NOT NULL, sort_key TEXT NOT NULL""",
    "scores": """
        doc_id TEXT NOT NULL, org_id TEXT NOT NULL, month TEXT NOT NULL, total REAL NOT NULL,
        max_total REAL NOT NULL, score10 REAL NOT NULL, rubric_from TEXT NOT NULL,
        items TEXT NOT NULL, note TEXT, PRIMARY KEY (org_id, month)""",
    "waivers": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, org_id TEXT NOT NULL, kind TEXT NOT NULL,
        start TEXT NOT NULL, end TEXT NOT NULL, last_day TEXT NOT NULL,
        monthly_value REAL NOT NULL, rent_charged REAL, standard_rent REAL,
        hours_per_month REAL, approved_by TEXT, ended_on TEXT, end_reason TEXT,
        timebank INTEGER NOT NULL DEFAULT 0""",
    "service_hours": """
        doc_id TEXT NOT NULL, org_id TEXT NOT NULL, month TEXT NOT NULL, hours REAL NOT NULL,
        PRIMARY KEY (org_id, month)""",
    "interviews": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, org_id TEXT NOT NULL, on_date TEXT NOT NULL,
        deadline TEXT NOT NULL, case_id TEXT, outcome TEXT, closed_on TEXT, reason TEXT,
        note TEXT""",
    "dismissals": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, org_id TEXT NOT NULL, case_id TEXT NOT NULL,
        on_date TEXT NOT NULL, reason TEXT NOT NULL, dismissed_by TEXT NOT NULL""",
    "reviews": """
        doc_id TEXT NOT NULL, org_id TEXT NOT NULL, year INTEGER NOT NULL, self REAL NOT NULL,
        peer REAL NOT NULL, public REAL NOT NULL, party INTEGER NOT NULL,
        monthly_avg REAL, composite REAL NOT NULL, stars INTEGER NOT NULL, scale TEXT NOT NULL,
        PRIMARY KEY (org_id, year)""",
    "settings": """
        doc_id TEXT NOT NULL, key TEXT NOT NULL, from_month TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (key, from_month)""",
    "rubric_items": """
        doc_id TEXT NOT NULL, from_month TEXT NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL,
        maximum REAL NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (from_month, key)""",
    "members": """
        doc_id TEXT NOT NULL, device_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        added_by TEXT, added_at TEXT, revoked_at TEXT, certificate TEXT, bundle_key TEXT,
        address TEXT, scope TEXT""",
    "activities": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, org_id TEXT NOT NULL, on_date TEXT NOT NULL,
        title TEXT NOT NULL, kind TEXT, place TEXT, participants INTEGER NOT NULL,
        beneficiaries INTEGER NOT NULL, person_times INTEGER NOT NULL, hours REAL NOT NULL,
        note TEXT, recorded_by TEXT, month_index INTEGER NOT NULL, served TEXT NOT NULL""",
    "visits": """
        doc_id TEXT NOT NULL, id TEXT PRIMARY KEY, org_id TEXT NOT NULL, on_date TEXT NOT NULL,
        purpose TEXT NOT NULL, findings TEXT NOT NULL, follow_up TEXT, visitor TEXT,
        checks TEXT NOT NULL""",
    "trainings": """
        doc_id TEXT NOT NULL, id TEXT NOT NULL, org_id TEXT NOT NULL, on_date TEXT NOT NULL,
        topic TEXT NOT NULL, people INTEGER NOT NULL, organizations INTEGER NOT NULL,
        PRIMARY KEY (id, org_id)""",
    "archive_checks": """
        doc_id TEXT NOT NULL, org_id TEXT NOT NULL, item TEXT NOT NULL, state TEXT NOT NULL,
        on_date TEXT NOT NULL, checked_by TEXT, note TEXT, visit_id TEXT,
        PRIMARY KEY (org_id, item)""",
    "categories": """
        doc_id TEXT NOT NULL, key TEXT PRIMARY KEY, zh TEXT NOT NULL, en TEXT NOT NULL""",
    "conflicts": """
        doc_id TEXT NOT NULL, field TEXT NOT NULL, winner TEXT, candidates TEXT NOT NULL,
        PRIMARY KEY (doc_id, field)""",
    **ROUND_TABLES,
}

INDEXES = """
CREATE INDEX IF NOT EXISTS organizations_hub ON organizations (hub_id, stage);
CREATE INDEX IF NOT EXISTS organizations_name ON organizations (name);
CREATE INDEX IF NOT EXISTS organizations_name_key ON organizations (hub_id, name_key);
CREATE INDEX IF NOT EXISTS organizations_sort_key ON organizations (sort_key, id);
CREATE INDEX IF NOT EXISTS hubs_name_key ON hubs (name_key);
CREATE INDEX IF NOT EXISTS spaces_name_key ON spaces (hub_id, name_key);
CREATE INDEX IF NOT EXISTS scores_month ON scores (month, score10);
CREATE INDEX IF NOT EXISTS scores_low ON scores (score10, org_id, month);
CREATE INDEX IF NOT EXISTS reviews_stars ON reviews (stars, year);
CREATE INDEX IF NOT EXISTS waivers_org ON waivers (org_id);
CREATE INDEX IF NOT EXISTS allocations_space ON allocations (space_id);
CREATE INDEX IF NOT EXISTS allocations_org ON allocations (org_id);
CREATE INDEX IF NOT EXISTS interviews_org ON interviews (org_id);
CREATE INDEX IF NOT EXISTS organizations_town ON organizations (town, village);
-- covers the ranking's pass over a year of activities, organization by organization
CREATE INDEX IF NOT EXISTS activities_org ON activities (org_id, on_date, month_index,
    person_times, beneficiaries, hours, served);
CREATE INDEX IF NOT EXISTS activities_date ON activities (on_date);
CREATE INDEX IF NOT EXISTS visits_org ON visits (org_id, on_date);
CREATE INDEX IF NOT EXISTS trainings_org ON trainings (org_id);
CREATE INDEX IF NOT EXISTS needs_community ON needs (community_key);
CREATE INDEX IF NOT EXISTS applications_round ON applications (round_id);
CREATE INDEX IF NOT EXISTS applications_org ON applications (org_id);
CREATE INDEX IF NOT EXISTS awards_org ON awards (org_id, year);
CREATE INDEX IF NOT EXISTS bank_entries_person ON bank_entries (person_id, on_date);
CREATE INDEX IF NOT EXISTS bank_entries_org ON bank_entries (org_id, month);
"""


def _query_schema() -> str:
    """A fingerprint of the tables' layout (and of how rows are made from documents:
    bump MATERIALIZE_VERSION when that changes without the columns changing). It covers
    the storage tables too, so a replica of a build without one of them gets it on open."""
    text = repr((sorted(QUERY_TABLES.items()), INDEXES, MATERIALIZE_VERSION, STORAGE))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


MATERIALIZE_VERSION = 1
QUERY_SCHEMA = _query_schema()


def recreate_query_tables(conn, indexes: bool = True) -> None:
    """Drop every query table (of this build or an older one) and create this build's;
    without their indexes when `indexes` is false (a reindex fills the tables first and
    then calls `create_query_indexes`: building an index over rows already there is
    faster than growing it row by row)."""
    old = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
        "(SELECT value FROM json_each(?))", (json.dumps([*QUERY_TABLES, *RETIRED_TABLES]),))]
    for table in old:
        conn.execute(f"DROP TABLE {table}")
    create_all(conn, indexes)


RETIRED_TABLES: tuple[str, ...] = ()  # query tables of earlier builds, dropped on rebuild


def create_all(conn, indexes: bool = True) -> None:
    """Create every table and index that does not exist yet (the query tables' indexes
    only when `indexes`), inside the caller's transaction (statement by statement:
    `executescript` would COMMIT it first, and a reindex killed halfway would leave its
    dropped tables empty)."""
    _run_script(conn, STORAGE)
    for table, columns in QUERY_TABLES.items():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
    if indexes:
        create_query_indexes(conn)


def create_query_indexes(conn) -> None:
    """The query tables' indexes that do not exist yet."""
    for table in QUERY_TABLES:
        conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_doc ON {table} (doc_id)")
    _run_script(conn, INDEXES)


def drop_query_indexes(conn) -> None:
    """Drop the query tables' indexes (`create_query_indexes` makes them again): rows
    inserted by the thousand go in faster without them, and an index built over rows
    already there is built faster than grown row by row."""
    for table in QUERY_TABLES:
        conn.execute(f"DROP INDEX IF EXISTS {table}_doc")
    for name in re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", INDEXES):
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def _run_script(conn, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
