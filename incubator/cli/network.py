"""The network: creating a replica, the demo, settings, rubric, this device and members."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..domain.device import parse_device_id, short_device_id
from ..domain.errors import N_, DomainError
from ..domain.models import Role, parse_enum
from ..domain.months import month_of, parse_month
from ..domain.rubric import parse_item_spec, rubric_for
from ..domain.settings import parse_changes
from ..i18n import _
from ..present.labels import enum_label, setting_label
from ..present.qr import qr_matrix
from ..store import files, queries
from ..store.commands import Store
from ..store.home import replica_path
from ..store.identity import Card, environment_passphrase
from ..sync.transport import parse_address
from .args import JsonFlag
from .output import emit, print_json, print_table, wants_json
from .root import app, command, group, open_app, open_store, session


@command(app, "init")
def init(
    ctx: typer.Context,
    hub_name: Annotated[Optional[str], typer.Option("--hub-name", help="Start a new network whose first hub is this device's.")] = None,
    join: Annotated[Optional[str], typer.Option("--join", help="Join a network: the card of the hub device to sync with first.")] = None,
    device_name: Annotated[Optional[str], typer.Option("--device-name", help="A name for this device.")] = None,
    hub_category: Annotated[Optional[str], typer.Option("--hub-category", help="The hub's specialty category.")] = None,
) -> None:
    """Create this device's replica: a new network (--hub-name) or a joining device (--join)."""
    home = session(ctx).home
    if bool(hub_name) == bool(join):
        raise DomainError("Give either --hub-name (a new network) or --join CARD (an existing one)")
    if join:
        card = Card.decode(join)
        store = Store.join(home, card, device_name or card.name + "-" + _("device"))
        typer.echo(_("Created a replica in {home} that will sync first with {name} ({device})")
                   .format(home=home, name=card.name, device=short_device_id(card.device_id)))
        typer.echo(_("Ask a hub to run: incubator member add CARD --role field, with this card:"))
        typer.echo(Card.of(store.identity).encode())
        return
    store = Store.init(home, hub_name, device_name, hub_category)
    typer.echo(_("Created a new network in {home}").format(home=home))
    typer.echo(_("Device ID: {device_id}").format(device_id=store.identity.device_id))


@command(app, "demo")
def demo(
    ctx: typer.Context,
    orgs: Annotated[Optional[int], typer.Option("--orgs", min=4, max=5000, help="Organizations to generate (default 60, or 3,630 with --district).")] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=240, help="Months of score history.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 7,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Only build the demo; do not open the app.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing demo replica in this home.")] = False,
    district: Annotated[bool, typer.Option("--district", help="A whole district: 3,630 organizations (2,610 rural), ~100 in the hubs, two years of activities and visits.")] = False,
) -> None:
    """Build a deterministic demo replica (four hubs, Chinese names, two years of scores)."""
    from ..demo import DISTRICT_ORGS, build_demo, build_district

    home = session(ctx).home
    if replica_path(home).exists():
        if not replace:
            if no_tui:
                raise DomainError("A replica already exists in {home}; use --replace to rebuild it",
                                  home=str(home))
            typer.echo(_("Opening the existing replica in {home}").format(home=home))
            open_app(ctx)
            return
        files.remove(home)
    if district:
        store = build_district(home, orgs=orgs or DISTRICT_ORGS, months=months, seed=seed)
    else:
        store = build_demo(home, orgs=orgs or 60, months=months, seed=seed)
    summary = queries.summary(store.db, store.today())
    typer.echo(_("Demo replica in {home}: {hubs} hubs, {organizations} organizations, "
                 "{scores} monthly scores, {waivers} waivers").format(home=home, **summary))
    store.close()
    if not no_tui:
        open_app(ctx)


settings_app = group("settings", "Thresholds and weights shared by the whole network.")


@command(settings_app, "show")
def settings_show(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help="The version in force that month (YYYY-MM; default this month).")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Show every setting in force (this month or another), and since when."""
    store = open_store(ctx)
    wanted = parse_month(month) if month else month_of(store.today())
    timeline = store.timeline()
    values = timeline.at(wanted).to_mapping()
    rows = [{"key": k, "value": v, "since": timeline.since(k, wanted) or _("the beginning"),
             "label": setting_label(k)} for k, v in values.items()]
    if wants_json(ctx, json_flag):
        print_json(values)
    else:
        print_table(rows, [("key", N_("Key")), ("value", N_("Value")), ("since", N_("Since")),
                           ("label", N_("Meaning"))],
                    title=_("Settings in force in {month}").format(month=wanted))


@command(settings_app, "set")
def settings_set(ctx: typer.Context,
                 changes: Annotated[list[str], typer.Argument(help="KEY VALUE, or KEY=VALUE pairs changed together (e.g. the review weights).")],
                 from_month: Annotated[Optional[str], typer.Option("--from", help="First month the change applies to (YYYY-MM; default and earliest: next month; a review year follows its December).")] = None) -> None:
    """Change settings from a month on (this month and the past keep theirs; every replica after sync)."""
    texts = parse_changes(changes)
    updated = open_store(ctx).set_settings(texts, from_month)
    for key in texts:
        typer.echo(_("Saved {key} = {value}").format(key=key, value=getattr(updated, key)))


rubric_app = group("rubric", "The monthly-score rubric and its versions.")


@command(rubric_app, "show")
def rubric_show(ctx: typer.Context,
                month: Annotated[Optional[str], typer.Option("--month", help="Show the version in force that month (YYYY-MM).")] = None,
                json_flag: JsonFlag = False) -> None:
    """Show the rubric versions (or the one in force for a month)."""
    versions = queries.rubric_versions(open_store(ctx).db)
    if month:
        versions = [rubric_for(versions, parse_month(month))]
    data = [{"from": v.from_month, "max_total": v.max_total,
             "items": [{"key": i.key, "label": i.label, "maximum": i.maximum} for i in v.items]}
            for v in versions]
    if wants_json(ctx, json_flag):
        print_json(data)
        return
    for version in data:
        print_table(version["items"],
                    [("key", N_("Key")), ("label", N_("Item")), ("maximum", N_("Maximum"))],
                    title=_("Rubric from {month} (total {total})").format(
                        month=version["from"], total=version["max_total"]))


@command(rubric_app, "set")
def rubric_set(ctx: typer.Context,
               from_month: Annotated[str, typer.Option("--from", help="First month it applies to (YYYY-MM).")],
               item: Annotated[list[str], typer.Option("--item", help="KEY=MAX:LABEL, once per item.")]) -> None:
    """Add a rubric version that applies from a month on (past totals stay as they were)."""
    version = open_store(ctx).set_rubric(from_month, [parse_item_spec(i) for i in item])
    typer.echo(_("Rubric from {month} saved: {count} items, total {total}").format(
        month=version.from_month, count=len(version.items), total=version.max_total))


device_app = group("device", "This device's identity.")


@command(device_app, "id")
def device_id(ctx: typer.Context) -> None:
    """Print this device's ID."""
    typer.echo(open_store(ctx).identity.device_id)


@command(device_app, "protect")
def device_protect(ctx: typer.Context) -> None:
    """Encrypt this device's private keys with a passphrase (asked for when syncing)."""
    store = open_store(ctx)
    passphrase = environment_passphrase() or typer.prompt(
        _("New passphrase"), hide_input=True, confirmation_prompt=True)
    store.protect_keys(passphrase)
    typer.echo(_("The keys of this device are now protected by the passphrase"))


@command(device_app, "card")
def device_card(
    ctx: typer.Context,
    address: Annotated[str, typer.Option("--address", help="HOST:PORT where this device serves sync.")] = "",
    qr: Annotated[bool, typer.Option("--qr", help="Show the card as a QR code.")] = False,
) -> None:
    """Print this device's card: one line to pair it with another device."""
    if address:
        parse_address(address)
    card = Card.of(open_store(ctx).identity, address).encode()
    if qr:
        typer.echo(qr_text(card, sys.stdout.isatty()))
    typer.echo(card)


def qr_text(text: str, terminal: bool) -> str:
    """A QR code drawn with two-column cells: reverse-video spaces on a terminal
    (no ambiguous-width block glyphs), `##` otherwise."""
    dark, light = ("\x1b[40m  \x1b[0m", "\x1b[47m  \x1b[0m") if terminal else ("##", "  ")
    return "\n".join("".join(dark if cell else light for cell in row)
                     for row in qr_matrix(text))


member_app = group("member", "The devices of the network and their roles.")


@command(member_app, "add")
def member_add(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="The new device's card (incubator device card).")],
    role: Annotated[str, typer.Option("--role", help="hub, field, evaluator or viewer.")],
    name: Annotated[Optional[str], typer.Option("--name", help="A name for the device (default: the card's).")] = None,
    scope: Annotated[str, typer.Option("--scope", help="Only part of the network for a field or viewer device: town:NAME, village:NAME, org:ORG, separated by commas.")] = "",
) -> None:
    """Add a device to the network (every replica learns it on sync)."""
    parsed = Card.decode(card)
    open_store(ctx).add_member(parsed, role, name, scope)
    typer.echo(_("Added member {device} as {role}").format(
        device=short_device_id(parsed.device_id), role=enum_label(parse_enum(Role, role).value)))
    if scope:
        typer.echo(_("It holds only: {scope}").format(scope=scope))


@command(member_app, "scope")
def member_scope(
    ctx: typer.Context,
    device: Annotated[str, typer.Argument(help="The member's device ID.")],
    scope: Annotated[str, typer.Argument(help="town:NAME, village:NAME, org:ORG separated by commas; all for the whole network.")],
) -> None:
    """Set what part of the network a field or viewer device holds (hubs only)."""
    text = open_store(ctx).set_member_scope(device, scope)
    typer.echo(_("{device} now holds: {scope}").format(
        device=short_device_id(parse_device_id(device)),
        scope=text or _("the whole network")))


@command(member_app, "list")
def member_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List the network's member devices."""
    emit(ctx, json_flag, queries.members(open_store(ctx).db),
         [("name", N_("Device")), ("role", N_("Role")), ("device_id", N_("Device ID")),
          ("address", N_("Address")), ("scope", N_("Scope")), ("revoked_at", N_("Revoked"))],
         shown=lambda row: {**row, "role": enum_label(row["role"]),
                            "scope": row["scope"] or _("the whole network")})


@command(member_app, "revoke")
def member_revoke(
    ctx: typer.Context,
    device: Annotated[str, typer.Argument(help="The device ID to revoke.")],
) -> None:
    """Revoke a member: it is refused from the next connection on."""
    open_store(ctx).revoke_member(device)
    typer.echo(_("Revoked {device}").format(device=short_device_id(parse_device_id(device))))
