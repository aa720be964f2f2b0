"""Fee waivers (减免) and the service hours owed for them."""

from __future__ import annotations

from ...domain import organization, waivers
from ...domain.docids import org_doc
from ...domain.errors import N_, DomainError
from ...domain.models import WaiverKind, english_label, parse_enum
from ...domain.months import check_not_future, parse_date, parse_month
from .. import queries
from .base import Commands
from .writes import set_all


class WaiverCommands(Commands):
    def add_waiver(self, org: str, kind: str, start: str, end: str, monthly_value: float,
                   hours_per_month: float | None = None, approved_by: str | None = None) -> str:
        org_id = queries.resolve_org(self.db, org)
        waiver_kind = parse_enum(WaiverKind, kind)
        start_date, end_date = parse_date(start), parse_date(end)
        waivers.validate_waiver(waiver_kind, start_date, end_date, monthly_value, hours_per_month)
        approver = organization.clean_text(approved_by or self.replica.identity.device_name,
                                           N_("Approved by"), 40, required=True)
        waiver_id = self._new_id()
        record = {"kind": waiver_kind.value, "start": start_date.isoformat(),
                  "end": end_date.isoformat(), "monthly_value": float(monthly_value),
                  "hours_per_month": float(hours_per_month) if hours_per_month else None,
                  "approved_by": approver}
        self.replica.change(org_doc(org_id), "Granted a waiver: {kind}",
                            {"kind": {"msgid": english_label(waiver_kind)}},
                            lambda ed: set_all(ed, {("waivers", waiver_id): record}))
        return waiver_id

    def log_service(self, org: str, month: str, hours: float) -> None:
        org_id = queries.resolve_org(self.db, org)
        month = parse_month(month)
        check_not_future(month, self.today())
        waivers.validate_hours(hours)
        if not queries.service_waiver_covers(self.db, org_id, month):
            raise DomainError("No service-for-rent waiver covers {month}", month=month)
        self.replica.change(org_doc(org_id), "Logged {hours} service hours for {month}",
                            {"hours": hours, "month": month},
                            lambda ed: set_all(ed, {("service", month): float(hours)}))
