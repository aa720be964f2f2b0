"""What the spreadsheet imports and the reports read beside the other queries."""

from __future__ import annotations

from .base import Row, rows


def roster_records(db) -> list[Row]:
    """Every organization as a roster import looks for duplicates."""
    return rows(db, "SELECT id, name, hub_id, credit_code, filing_number FROM organizations"
                    " ORDER BY id")


def register_counts(db, hub_id: str | None = None) -> list[Row]:
    """Per street or town, the counts the bureaus report: organizations, urban and rural,
    registered and filed, party organization independent, joint or none."""
    return rows(db, """
        SELECT o.town, count(*) AS organizations,
          sum(o.area = 'urban') AS urban, sum(o.area = 'rural') AS rural,
          sum(o.legal_status = 'registered') AS registered,
          sum(o.legal_status = 'filed') AS filed,
          sum(o.party_org = 'independent') AS party_independent,
          sum(o.party_org = 'joint') AS party_joint,
          sum(coalesce(o.party_org, 'none') = 'none') AS party_none
        FROM organizations o WHERE (? IS NULL OR o.hub_id = ?)
        GROUP BY o.town ORDER BY o.town IS NULL, o.town""", [hub_id, hub_id])


def departures(db, year: int, hub_id: str | None = None) -> list[Row]:
    """Graduations and exits dated in `year`, by date."""
    return rows(db, """
        SELECT o.id, o.name, h.name AS hub, o.category, o.entered, o.graduated_on,
          o.destination, o.exited_on, o.exit_reason, o.exit_ordered,
          coalesce(o.graduated_on, o.exited_on) AS on_date
        FROM organizations o LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE substr(coalesce(o.graduated_on, o.exited_on), 1, 4) = ?
          AND (? IS NULL OR o.hub_id = ?)
        ORDER BY on_date, o.name, o.id""", [f"{year:04d}", hub_id, hub_id])


def activity_keys(db) -> set[tuple[str, str, str]]:
    """(organization, date, title) of every activity recorded: an import of the same
    records again is refused."""
    return {tuple(row) for row in db.execute("SELECT org_id, on_date, title FROM activities")}
