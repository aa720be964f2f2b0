"""Annual reviews (年考核) and their star ratings."""

from __future__ import annotations

from ...domain import review
from ...domain.docids import org_doc
from ...domain.errors import DomainError
from .. import queries
from .base import Commands
from .writes import replace


class ReviewCommands(Commands):
    def set_review(self, org: str, year: int, self_score: float, peer: float, public: float,
                   party: bool) -> review.ReviewResult:
        org_id = queries.resolve_org(self.db, org)
        if not 2000 <= int(year) <= self.today().year:
            raise DomainError("Year {year} is out of range", year=year)
        monthly = queries.year_scores10(self.db, org_id, int(year))
        result = review.compute_review(monthly, self_score, peer, public, party, self.settings())
        record = {"self": float(self_score), "peer": float(peer), "public": float(public),
                  "party": bool(party),
                  "monthly_avg": round(sum(monthly) / len(monthly), 4) if monthly else None,
                  "composite": result.composite, "stars": result.stars}
        self.replica.change(org_doc(org_id), "Annual review {year}: {stars} stars",
                            {"year": int(year), "stars": result.stars},
                            lambda ed: replace(ed, ("reviews", str(int(year))), record))
        return result
