"""Read side: every SELECT of the product, as named functions returning plain rows.

Nothing here loads an Automerge document. Filtering happens in SQL; only rules
that depend on today's date (warnings, expiry) run in Python afterwards. The CLI and
the app call these on a read connection (`open_reader`).
"""

from .base import Reader, Row, data_version, open_reader
from .conflicts import conflicts
from .hubs import allocations_from, hub_options, hubs, org_allocations, space_periods, spaces
from .lookup import (
    first_hub, hub_name, hub_named, org_name, org_named_in_hub, org_row, resolve_doc,
    resolve_hub, resolve_org, resolve_space, space_named_in_hub,
)
from .network import (
    member_records, members, membership, rubric_versions, scored_before_rubric, settings,
)
from .organizations import (
    ORG_SORTS, count_organizations, find_by_name, org_options, organizations,
    residents_of_hub, stage_counts, summary, with_conflicts,
)
from .quality import data_quality
from .reviews import org_reviews, review_of, reviews
from .scores import activities_since, missing_scores, scores, year_scores10
from .sync import last_sync, sync_log, sync_peers
from .waivers import (
    monthly_totals, orgs_with_waiver, service_ledger, service_waiver_covers, waivers,
)
from .warnings import interviews, open_interview, warning_state, warning_states

__all__ = [
    "ORG_SORTS", "Reader", "Row", "activities_since", "allocations_from", "conflicts", "count_organizations",
    "data_quality", "data_version", "find_by_name", "first_hub", "hub_name", "hub_named", "hub_options", "hubs",
    "interviews", "last_sync", "member_records", "members", "membership", "missing_scores",
    "monthly_totals", "open_interview", "open_reader", "org_allocations", "org_name",
    "org_named_in_hub", "org_options", "org_reviews", "org_row", "organizations",
    "orgs_with_waiver", "residents_of_hub", "resolve_doc", "resolve_hub", "resolve_org",
    "resolve_space", "review_of", "reviews", "rubric_versions", "scored_before_rubric",
    "scores", "service_ledger", "service_waiver_covers", "settings", "space_periods", "spaces",
    "stage_counts", "summary", "sync_log", "sync_peers", "warning_state", "warning_states",
    "waivers", "with_conflicts", "year_scores10",
]
