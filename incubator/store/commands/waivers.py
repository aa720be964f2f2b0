"""Fee waivers (减免) and the service hours owed for them."""

from __future__ import annotations

from ...domain import fields, waivers
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError
from ...domain.models import WaiverKind, english_label, parse_enum
from ...domain.months import check_not_future, parse_date, parse_month
from .. import queries
from .base import Commands
from .writes import set_all


class WaiverCommands(Commands):
    def add_waiver(self, org: str, kind: str, start: str, end: str,
                   monthly_value: float | None = None, hours_per_month: float | None = None,
                   approved_by: str | None = None, *, rent_charged: float | None = None,
                   standard_rent: float | None = None, timebank: bool = False) -> str:
        """Grant a waiver approved by a person (named; never this device's name); a
        service-for-rent waiver may count its volunteers' time-bank hours (`timebank`)."""
        org_id = queries.resolve_org(self.db, org)
        waiver_kind = parse_enum(WaiverKind, kind)
        start_date, end_date = parse_date(start), parse_date(end)
        value = waivers.waiver_value(waiver_kind, monthly_value, rent_charged, standard_rent)
        waivers.validate_waiver(waiver_kind, start_date, end_date, value, hours_per_month)
        if timebank and waiver_kind != WaiverKind.SERVICE_FOR_RENT:
            raise DomainError("Only a service-for-rent waiver counts time-bank hours")
        approver = fields.APPROVED_BY.clean(approved_by, required=True)
        if approver == self.replica.identity.device_name:
            raise DomainError("Approved by names the person who approved the waiver, not this "
                              "device ({device})", device=approver)
        waiver_id = self._new_id()
        record = {"kind": waiver_kind.value, "start": start_date.isoformat(),
                  "end": end_date.isoformat(), "monthly_value": value,
                  "hours_per_month": float(hours_per_month) if hours_per_month else None,
                  "approved_by": approver}
        if waiver_kind == WaiverKind.LOW_RENT:
            record.update(rent_charged=float(rent_charged), standard_rent=float(standard_rent))
        if timebank:
            record["timebank"] = True
        self.replica.change(org_doc(org_id), "Granted a waiver: {kind}",
                            {"kind": {"msgid": english_label(waiver_kind)}},
                            lambda ed: set_all(ed, {("waivers", waiver_id): record}))
        return waiver_id

    def end_waiver(self, waiver: str, on: str | None = None, reason: str | None = None) -> str:
        """End a waiver early: `on` (default today) is the first day without it."""
        row = queries.resolve_waiver(self.db, waiver)
        day = parse_date(on) if on else self.today()
        waivers.check_end(parse_date(row["start"]), parse_date(row["end"]),
                          parse_date(row["ended_on"]) if row["ended_on"] else None, day)
        text = fields.REASON.clean(reason or "")
        self.replica.change(
            org_doc(row["org_id"]), "Ended a waiver ({kind}) from {date}",
            {"kind": {"msgid": english_label(WaiverKind(row["kind"]))}, "date": day.isoformat()},
            lambda ed: set_all(ed, {("waivers", row["id"], "ended_on"): day.isoformat(),
                                    ("waivers", row["id"], "end_reason"): text}))
        return row["id"]

    def log_service(self, org: str, month: str, hours: float) -> None:
        """Record the service hours an organization delivered in one month."""
        self.log_service_months(org, {month: hours})

    def log_service_months(self, org: str, hours_by_month: dict[str, float]) -> None:
        """Record the service hours of several months at once (a paper ledger caught up
        with): every month is checked first, then all are saved in one change."""
        org_id = queries.resolve_org(self.db, org)
        writes = {}
        for month, hours in hours_by_month.items():
            month = parse_month(month)
            check_not_future(month, self.today())
            waivers.validate_hours(hours)
            if not queries.service_waiver_covers(self.db, org_id, month):
                raise DomainError("No service-for-rent waiver covers {month}", month=month)
            writes[("service", month)] = float(hours)
        if not writes:
            return
        months = sorted(month for _container, month in writes)
        if len(months) == 1:
            summary, params = N_("Logged {hours} service hours for {month}"), {
                "hours": next(iter(writes.values())), "month": months[0]}
        else:
            summary, params = N_("Logged service hours for {count} months from {first} to "
                                 "{last}"), {"count": len(months), "first": months[0],
                                             "last": months[-1]}
        self.replica.change(org_doc(org_id), summary, params, lambda ed: set_all(ed, writes))
