"""Data-quality problems: records a person should look at and correct or delete.

A laptop with a clock years ahead can record a score for 2036-10 or an interview dated
2036. A replica cannot refuse such changes on receipt without breaking convergence (every
replica must accept the same changes), so they are accepted and listed here instead:
months after the current month of this replica's clock, interviews dated after its today.
"""

from __future__ import annotations

from datetime import date

from ...domain.months import month_of
from .base import Row, rows


def data_quality(db, today: date) -> list[Row]:
    """Each problem: `kind` (score_ahead, interview_ahead), the organization (`org_id`,
    `name`, `hub`), `month` or `on_date`, and the interview's `id`."""
    return rows(db, """
        SELECT 'score_ahead' AS kind, s.org_id, o.name, h.name AS hub, s.month,
               NULL AS on_date, NULL AS id
        FROM scores s JOIN organizations o ON o.id = s.org_id LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE s.month > ?
        UNION ALL
        SELECT 'interview_ahead', i.org_id, o.name, h.name, NULL, i.on_date, i.id
        FROM interviews i JOIN organizations o ON o.id = i.org_id
        LEFT JOIN hubs h ON h.id = o.hub_id
        WHERE i.on_date > ?
        ORDER BY 4, 3, 1 DESC, 5, 6""", (month_of(today), today.isoformat()))
