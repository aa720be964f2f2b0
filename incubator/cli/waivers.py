"""Fee waivers and service-for-rent hours."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.errors import N_
from ..i18n import _
from ..present.labels import enum_label
from ..store import queries
from .args import JsonFlag, OrgArg
from .output import emit
from .root import command, group, open_store

waiver_app = group("waiver", "Fee waivers: rent, utilities, service in exchange for rent.")


@command(waiver_app, "add")
def waiver_add(
    ctx: typer.Context,
    org: OrgArg,
    kind: Annotated[str, typer.Option("--kind", help="rent, utilities or service-for-rent.")],
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    monthly_value: Annotated[float, typer.Option("--monthly-value", help="Value per month in yuan.")],
    hours_per_month: Annotated[Optional[float], typer.Option("--hours-per-month", help="Service hours owed per month (service-for-rent).")] = None,
    approved_by: Annotated[Optional[str], typer.Option("--approved-by", help="Who approved it (default this device's name).")] = None,
) -> None:
    """Grant a fee waiver."""
    typer.echo(open_store(ctx).add_waiver(org, kind, start, end, monthly_value,
                                          hours_per_month, approved_by))


@command(waiver_app, "list")
def waiver_list(ctx: typer.Context,
                expiring_within: Annotated[Optional[int], typer.Option("--expiring-within", min=0, max=36500, help="Only waivers ending within this many days.")] = None,
                json_flag: JsonFlag = False) -> None:
    """List waivers."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.waivers(store.db, store.today(), expiring_within=expiring_within),
         [("id", N_("ID")), ("org_name", N_("Organization")), ("hub", N_("Hub")),
          ("kind", N_("Kind")), ("start", N_("From")), ("end", N_("To")),
          ("monthly_value", N_("Yuan per month")), ("hours_per_month", N_("Hours per month")),
          ("approved_by", N_("Approved by"))],
         shown=lambda row: dict(row, kind=enum_label(row["kind"])))


service_app = group("service", "Service hours delivered in exchange for rent.")


@command(service_app, "log")
def service_log(ctx: typer.Context, org: OrgArg,
                month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
                hours: Annotated[float, typer.Option("--hours", help="Hours delivered that month.")]) -> None:
    """Record the service hours an organization delivered in a month."""
    open_store(ctx).log_service(org, month, hours)
    typer.echo(_("Saved"))


@command(service_app, "ledger")
def service_ledger(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Hours owed against hours delivered, with shortfalls."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.service_ledger(store.db, store.today()),
         [("org_name", N_("Organization")), ("start", N_("From")), ("end", N_("To")),
          ("owed", N_("Hours owed")), ("delivered", N_("Hours delivered")),
          ("shortfall", N_("Shortfall"))])
