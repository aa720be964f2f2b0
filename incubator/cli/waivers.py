"""Fee waivers and service-for-rent hours."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..domain.errors import N_
from ..i18n import _
from ..present.labels import end_reason_text, enum_label
from ..store import queries
from .args import JsonFlag, OrgArg
from .output import emit, print_json, print_table, wants_json
from .root import command, group, open_store

waiver_app = group("waiver", "Fee waivers: rent-free, low rent, utilities, service in exchange for rent.")


@command(waiver_app, "add")
def waiver_add(
    ctx: typer.Context,
    org: OrgArg,
    kind: Annotated[str, typer.Option("--kind", help="rent-free, low-rent, utilities or service-for-rent.")],
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="The person who approved it (not the device).")],
    monthly_value: Annotated[Optional[float], typer.Option("--monthly-value", help="Yuan waived per month (low rent: the standard rent less the rent charged).")] = None,
    rent_charged: Annotated[Optional[float], typer.Option("--rent-charged", help="Low rent: the rent charged per month in yuan.")] = None,
    standard_rent: Annotated[Optional[float], typer.Option("--standard-rent", help="Low rent: the standard rent per month in yuan.")] = None,
    hours_per_month: Annotated[Optional[float], typer.Option("--hours-per-month", help="Service hours owed per month (service-for-rent).")] = None,
    timebank: Annotated[bool, typer.Option("--timebank", help="Service-for-rent: the time-bank hours its volunteers bank through the organization count as delivered.")] = False,
) -> None:
    """Grant a fee waiver."""
    typer.echo(open_store(ctx).add_waiver(org, kind, start, end, monthly_value,
                                          hours_per_month, approved_by,
                                          rent_charged=rent_charged, standard_rent=standard_rent,
                                          timebank=timebank))


@command(waiver_app, "end")
def waiver_end(
    ctx: typer.Context,
    waiver: Annotated[str, typer.Argument(metavar="WAIVER", help="Waiver id or id prefix (waiver list).")],
    on: Annotated[Optional[str], typer.Option("--on", help="First day without the waiver (default today).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it ends early.")] = None,
) -> None:
    """End a waiver early."""
    open_store(ctx).end_waiver(waiver, on, reason)
    typer.echo(_("Saved"))


@command(waiver_app, "list")
def waiver_list(ctx: typer.Context,
                expiring_within: Annotated[Optional[int], typer.Option("--expiring-within", min=0, max=36500, help="Only residents' waivers ending within this many days.")] = None,
                json_flag: JsonFlag = False) -> None:
    """List waivers, ended ones with the day they ended."""
    store = open_store(ctx)
    emit(ctx, json_flag, queries.waivers(store.db, store.today(), expiring_within=expiring_within),
         [("id", N_("ID")), ("org_name", N_("Organization")), ("hub", N_("Hub")),
          ("kind", N_("Kind")), ("start", N_("From")), ("last_day", N_("To")),
          ("monthly_value", N_("Yuan per month")), ("rents", N_("Rent charged / standard")),
          ("hours_per_month", N_("Hours per month")), ("approved_by", N_("Approved by")),
          ("ended", N_("Ended early"))],
         shown=lambda row: dict(
             row, kind=enum_label(row["kind"]),
             rents=f"{row['rent_charged']:g} / {row['standard_rent']:g}"
             if row["rent_charged"] is not None else None,
             ended=" ".join(filter(None, (row["ended_on"], end_reason_text(row))))
             if row["ended_on"] else None))


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
    """Hours owed and delivered per month, with what is left undone and what is over."""
    store = open_store(ctx)
    ledgers = queries.service_ledger(store.db, store.today())
    if wants_json(ctx, json_flag):
        print_json(ledgers)
        return
    lines = []
    for ledger in ledgers:
        lines += [{"org_name": ledger["org_name"], **month} for month in ledger["months"]]
        lines.append({"org_name": ledger["org_name"], "month": _("total"), **{
            key: ledger[key] for key in ("owed", "delivered", "shortfall", "surplus")}})
    print_table([{key: f"{value:g}" if isinstance(value, float) else value
                  for key, value in line.items()} for line in lines],
                [("org_name", N_("Organization")), ("month", N_("Month")),
                 ("owed", N_("Hours owed")), ("delivered", N_("Hours delivered")),
                 ("carried_in", N_("Carried over")), ("shortfall", N_("Shortfall")),
                 ("surplus", N_("Surplus"))])
    totals = {key: sum(ledger[key] for ledger in ledgers)
              for key in ("owed", "delivered", "shortfall", "surplus")}
    typer.echo(_("Total: owed {owed:g} − delivered {delivered:g} = shortfall {shortfall:g} − "
                 "surplus {surplus:g}").format(**totals))
