"""Annual reviews (年考核) and their star ratings (评星定级)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain import review
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError, Text
from ...domain.models import PartyOrg
from ...domain.months import parse_date
from .. import queries
from .base import Commands
from .writes import replace, write_field


def _review_text(values: Mapping[str, Any]) -> str | Text:
    if not values:
        return Text(N_("no review"))
    return f"{values['self']:g}/{values['peer']:g}/{values['public']:g}"


class ReviewCommands(Commands):
    def set_review(self, org: str, year: int, self_score: float, peer: float, public: float,
                   party: bool | None, opened: Mapping[str, Any] | None = None
                   ) -> review.ReviewResult:
        """Rate a year with the settings of that year (its December's version).

        Party-building compliance has no default: `party` None is refused. With `opened`
        (`review_values` of the review the form showed, {} for none), compare-and-set: a
        review of that year changed elsewhere since is not overwritten (`StaleEdit`)."""
        org_id = queries.resolve_org(self.db, org)
        row = queries.org_row(self.db, org_id)
        if party is None:
            if row["party_org"] in (None, PartyOrg.NONE):
                raise DomainError("Party-building compliance is asked for every review (party "
                                  "building comes first): {name} has no party organization, "
                                  "so say whether it meets the party-building requirements "
                                  "with --party yes or --party no", name=row["name"])
            raise DomainError("Party-building compliance is asked for every review (party "
                              "building comes first): --party yes or --party no")
        year = review.parse_year(year, self.today())
        settings = self.timeline().for_review_year(int(year))
        left = row["exited_on"] or row["graduated_on"]
        review.check_review_year(int(year), self.today(),
                                 parse_date(row["entered"]) if row["entered"] else None,
                                 parse_date(left) if left else None, settings)
        monthly = queries.year_scores10(self.db, org_id, int(year))
        result = review.compute_review(monthly, self_score, peer, public, party, settings,
                                       has_party_org=row["party_org"] not in (None,
                                                                              PartyOrg.NONE))
        record = {"self": float(self_score), "peer": float(peer), "public": float(public),
                  "party": bool(party),
                  "monthly_avg": round(sum(monthly) / len(monthly), 4) if monthly else None,
                  "composite": result.composite, "stars": result.stars, "scale": result.scale}
        with self.replica.transaction():
            if opened is not None:
                self._refuse_if_changed(
                    org_doc(org_id), f"reviews/{int(year)}", queries.review_values(opened),
                    queries.review_values(queries.review_of(self.db, org_id, int(year))),
                    Text("The review of {name} for {year}", {"name": row["name"],
                                                             "year": int(year)}),
                    _review_text)
            self.replica.change(org_doc(org_id), "Annual review {year}: {stars}",
                                {"year": int(year),
                                 "stars": {"msgid": review.rating_label(result.stars,
                                                                        result.scale)}},
                                lambda ed: replace(ed, ("reviews", str(int(year))), record))
        return result

    def delete_review(self, org: str, year: int, opened: Mapping[str, Any] | None = None
                      ) -> None:
        """Delete the review of `year` as a recorded change (undoing a first review). With
        `opened` (`review_values` of the review it was seen as), only if that is still the
        stored one (`StaleEdit`)."""
        org_id = queries.resolve_org(self.db, org)
        name = queries.org_name(self.db, org_id)
        with self.replica.transaction():
            stored = queries.review_values(queries.review_of(self.db, org_id, int(year)))
            if opened is not None:
                self._refuse_if_changed(
                    org_doc(org_id), f"reviews/{int(year)}", queries.review_values(opened),
                    stored, Text("The review of {name} for {year}",
                                 {"name": name, "year": int(year)}), _review_text)
            if not stored:
                raise DomainError("{name} has no review for {year}", name=name, year=int(year))
            self.replica.change(org_doc(org_id), N_("Deleted the review of {year}"),
                                {"year": int(year)},
                                lambda ed: write_field(ed, ("reviews", str(int(year))), None))
