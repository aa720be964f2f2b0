"""Read side: every SELECT of the product, as named functions returning plain rows.

Nothing here loads an Automerge document. Filtering happens in SQL; only rules
that depend on today's date (warnings, expiry) run in Python afterwards. The CLI and
the app call these on a read connection (`open_reader`).
"""

from .base import Reader, Row, data_version, open_reader
from .charts import hub_score_stats, occupancy_by_month, review_years, star_counts
from .conflicts import conflicts
from .district import categories, ranking, zombies
from .fieldwork import (
    REPORT_GROUPS, activities, activities_by_month, archive_checklist, archive_report, trainings,
    visits,
)
from .hubs import allocations_from, hub_options, hubs, org_allocations, space_periods, spaces
from .lookup import (
    first_hub, hub_name, hub_named, org_name, org_named_in_hub, org_row, resolve_doc,
    resolve_hub, resolve_org, resolve_org_row, resolve_space, space_named_in_hub,
)
from .network import (
    member_records, members, membership, rubric_versions, scored_before_rubric, settings,
    settings_timeline,
)
from .organizations import (
    COUNT_FIELDS, ORG_SORTS, count_by, count_organizations, find_by_name, matching_rowids,
    narrows, org_options, organizations, residents_of_hub, stage_counts, summary, with_conflicts,
)
from .quality import data_quality
from .reviews import org_reviews, review_of, review_values, reviews
from .scope import replica_scope, scope_term_matches
from .scores import missing_scores, scores, year_scores10
from .sheets import activity_keys, departures, register_counts, roster_records
from .sync import last_folder, last_sync, sync_log, sync_peers
from .waivers import (
    monthly_totals, orgs_with_waiver, resolve_waiver, service_hours_logged, service_ledger,
    service_org_options, service_waiver_covers, waivers,
)
from .warnings import dismissals, interviews, org_cases, warning_states

__all__ = [
    "COUNT_FIELDS", "ORG_SORTS", "REPORT_GROUPS", "Reader", "Row", "activities",
    "activities_by_month", "allocations_from", "archive_checklist", "archive_report",
    "categories", "conflicts", "count_by", "count_organizations", "hub_score_stats", "matching_rowids",
    "narrows",
    "occupancy_by_month", "ranking", "review_years", "star_counts", "trainings", "visits",
    "zombies",
    "data_quality", "data_version", "dismissals", "find_by_name", "first_hub", "hub_name", "hub_named", "hub_options", "hubs",
    "interviews", "last_folder", "replica_scope", "scope_term_matches", "last_sync", "member_records", "members", "membership", "missing_scores",
    "monthly_totals", "open_reader", "org_allocations", "org_cases", "org_name",
    "org_named_in_hub", "org_options", "org_reviews", "org_row", "organizations",
    "orgs_with_waiver", "residents_of_hub", "resolve_doc", "resolve_hub", "resolve_org",
    "resolve_space", "resolve_waiver", "review_of", "review_values", "reviews", "rubric_versions", "scored_before_rubric",
    "scores", "service_hours_logged", "service_ledger", "service_org_options",
    "service_waiver_covers", "settings", "settings_timeline",
    "space_named_in_hub", "space_periods", "spaces", "stage_counts", "summary", "sync_log", "sync_peers",
    "warning_states",
    "waivers", "with_conflicts", "year_scores10",
    "activity_keys", "departures", "register_counts", "roster_records",
]

from .rounds import (  # noqa: E402 (venture-philanthropy rounds, awards, the time bank)
    Column, Sheet, Standing, application, applications, awards, bank_accounts, bank_entries,
    domain_evaluations, evaluations, find_person, library, money, needs, needs_document, ranking_rows,
    resolve_application, resolve_need, resolve_person, resolve_project, resolve_round,
    reviews_of, round_export, round_named, round_options, round_rules, round_summary, rounds,
    standing,
    timebank_hours, totals, warning_bar,
)

__all__ += [
    "Column", "Sheet", "Standing", "application", "applications", "awards", "bank_accounts",
    "bank_entries", "domain_evaluations", "evaluations", "find_person", "library", "money", "needs",
    "needs_document", "ranking_rows", "resolve_application", "resolve_need", "resolve_person", "resolve_project",
    "resolve_round", "reviews_of", "round_export", "round_named", "round_options", "round_rules",
    "round_summary", "rounds", "standing", "timebank_hours", "totals", "warning_bar",
]
