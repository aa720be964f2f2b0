"""The `incubator` command: a thin Typer layer over `incubator.store`.

Every command validates through the store, prints in the chosen language and
exits 2 with a plain message on bad input, having changed nothing.
"""

import functools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer._click import exceptions as click  # the Click errors Typer vendors and raises
from typer.core import TyperGroup
from rich.console import Console
from rich.table import Table

from . import i18n
from .domain.categories import CATEGORIES, category_label
from .domain.errors import DomainError
from .domain.device import parse_device_id, short_device_id
from .domain.models import LABELS, Role, label, parse_enum
from .domain.rubric import parse_item_spec
from .i18n import N_, _
from .store import queries
from .store.home import replica_path, resolve_home, usable_file
from .store.identity import Card, environment_passphrase, use_passphrase_source
from .store.operations import ScoreEntry, Store
from .sync.transport import DEFAULT_PORT, parse_address

EXIT_BAD_INPUT = 2


@dataclass
class Session:
    """Global options and the store they open (lazily)."""

    home: Path
    json: bool
    _store: Optional[Store] = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            if not replica_path(self.home).exists():
                raise DomainError(
                    "No replica in {home}: run `incubator init` or `incubator demo` first",
                    home=str(self.home))
            self._store = Store.open(self.home)
        return self._store


def _has_surrogates(value: Any) -> bool:
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        return any("\udc80" <= ch <= "\udcff" for ch in value)
    if isinstance(value, (list, tuple)):
        return any(_has_surrogates(item) for item in value)
    return False


def guarded(command):
    """Turn bad input into a translated message and exit code 2."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        def err(text: str) -> None:
            typer.echo(text, err=True)

        try:
            if any(_has_surrogates(value) for value in kwargs.values()):
                raise DomainError("Input is not valid UTF-8 text")
            return command(*args, **kwargs)
        except DomainError as error:
            err(_("Error: {message}").format(message=error.render(_)))
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return run


def session(ctx: typer.Context) -> Session:
    return ctx.find_root().obj


def wants_json(ctx: typer.Context, local: bool) -> bool:
    return local or session(ctx).json


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def emit(ctx: typer.Context, json_flag: bool, rows: list[dict], columns: list[tuple[str, str]],
         shown=None, title: str | None = None) -> None:
    """JSON of the rows, or a table of them (each passed through `shown` first)."""
    if wants_json(ctx, json_flag):
        print_json(rows)
    else:
        print_table([shown(dict(row)) for row in rows] if shown else rows, columns, title)


def print_table(rows: list[dict], columns: list[tuple[str, str]], title: str | None = None) -> None:
    """Rows as a table; `columns` pairs a row key with an (untranslated) header."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for _key, header in columns:
        table.add_column(_(header))
    for row in rows:
        table.add_row(*["" if row.get(key) is None else str(row.get(key)) for key, _h in columns])
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)
    typer.echo(_("{count} rows").format(count=len(rows)))


def enum_label(value: Optional[str]) -> str:
    """The label of a stored enum value (stage, legal status, …) in the current language."""
    member = next((m for m in LABELS if m.value == value), None)
    return label(member, i18n.language()) if member else (value or "")


def category_text(key: Optional[str]) -> str:
    return category_label(key, i18n.language()) if key in CATEGORIES else (key or "")


def click_error_text(error: click.ClickException) -> str:
    """Click's own usage errors (missing or malformed options) in the current language."""
    ctx = getattr(error, "ctx", None)
    param = getattr(error, "param", None)
    hint = getattr(error, "param_hint", None) or (param.get_error_hint() if param else "")
    if i18n.language() != "zh":
        message = error.format_message()
    elif isinstance(error, click.MissingParameter):
        message = _("missing {what}").format(what=hint)
    elif isinstance(error, click.NoSuchOption):
        message = _("there is no option {option}").format(option=error.option_name)
    elif isinstance(error, click.BadParameter):
        message = _("invalid value for {what}").format(what=hint)
    elif error.format_message().startswith("No such command"):
        message = _("there is no command {name}").format(
            name=error.format_message().split(" ", 3)[-1].rstrip("."))
    else:
        message = error.format_message()
    text = _("Error: {message}").format(message=message)
    if ctx is not None:
        text += "\n" + _("See: {command} --help").format(command=ctx.command_path)
    return text


class TranslatedGroup(TyperGroup):
    """The root command: usage errors come out translated, with exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                  standalone_mode=False, **extra)
        except click.ClickException as error:
            if not standalone_mode:
                raise
            typer.echo(click_error_text(error), err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo(_("Aborted"), err=True)
            sys.exit(1)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result


app = typer.Typer(
    cls=TranslatedGroup,
    name="incubator",
    help="孵化中心管理 — incubation centre management. Run without a command to open the app.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    home: Annotated[Optional[Path], typer.Option("--home", help="Replica folder (default: INCUBATOR_HOME or the user data folder).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language: zh (default) or en.")] = "",
    json_output: Annotated[bool, typer.Option("--json", help="JSON output for listings and show commands.")] = False,
) -> None:
    """孵化中心管理 — incubation centre management."""
    if lang and lang not in i18n.LANGUAGES:
        typer.echo(f"--lang: zh | en ({lang}?)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    i18n.set_language(lang or None)
    use_passphrase_source(ask_passphrase)
    ctx.obj = Session(resolve_home(home), json_output)
    if ctx.invoked_subcommand is None:
        open_app(ctx)


def ask_passphrase() -> Optional[str]:
    """INCUBATOR_PASSPHRASE, else a hidden prompt when a person is at the terminal."""
    if environment_passphrase() or not sys.stdin.isatty():
        return environment_passphrase()
    return typer.prompt(_("Passphrase for this device's keys"), hide_input=True, err=True)


def open_app(ctx: typer.Context) -> None:
    from .app_launcher import launch

    launch(session(ctx).home)


# -- network -----------------------------------------------------------------------


@app.command("init")
@guarded
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
        typer.echo(Card.of(store.replica.identity).encode())
        return
    store = Store.init(home, hub_name, device_name, hub_category)
    typer.echo(_("Created a new network in {home}").format(home=home))
    typer.echo(_("Device ID: {device_id}").format(device_id=store.replica.identity.device_id))


@app.command("demo")
@guarded
def demo(
    ctx: typer.Context,
    orgs: Annotated[int, typer.Option("--orgs", min=4, max=5000, help="Organizations to generate.")] = 60,
    months: Annotated[int, typer.Option("--months", min=1, max=240, help="Months of score history.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same data).")] = 7,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Only build the demo; do not open the app.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing demo replica in this home.")] = False,
) -> None:
    """Build a deterministic demo replica (four hubs, Chinese names, two years of scores)."""
    from .demo import build_demo

    home = session(ctx).home
    if replica_path(home).exists():
        if not replace:
            if no_tui:
                raise DomainError("A replica already exists in {home}; use --replace to rebuild it",
                                  home=str(home))
            typer.echo(_("Opening the existing replica in {home}").format(home=home))
            open_app(ctx)
            return
        for suffix in ("", "-wal", "-shm"):
            Path(str(replica_path(home)) + suffix).unlink(missing_ok=True)
    store = build_demo(home, orgs=orgs, months=months, seed=seed)
    summary = queries.summary(store.db, store.today())
    typer.echo(_("Demo replica in {home}: {hubs} hubs, {organizations} organizations, "
                 "{scores} monthly scores, {waivers} waivers").format(home=home, **summary))
    store.close()
    if not no_tui:
        open_app(ctx)


@app.command("categories")
@guarded
def categories(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List category keys with their labels."""
    rows = [{"key": key, "zh": zh, "en": en} for key, (zh, en) in CATEGORIES.items()]
    emit(ctx, json_flag, rows, [("key", N_("Key")), ("zh", N_("Chinese")), ("en", N_("English"))])


settings_app = typer.Typer(help="Thresholds and weights shared by the whole network.")
app.add_typer(settings_app, name="settings")


@settings_app.command("show")
@guarded
def settings_show(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Show every setting with its value."""
    from .domain.settings import SETTING_LABELS

    values = session(ctx).store().settings().to_mapping()
    index = 0 if i18n.language() == "zh" else 1
    rows = [{"key": k, "value": v, "label": SETTING_LABELS.get(k, ("", ""))[index]}
            for k, v in values.items()]
    if wants_json(ctx, json_flag):
        print_json(values)
    else:
        print_table(rows, [("key", N_("Key")), ("value", N_("Value")), ("label", N_("Meaning"))])


@settings_app.command("set")
@guarded
def settings_set(ctx: typer.Context,
                 changes: Annotated[list[str], typer.Argument(help="KEY VALUE, or KEY=VALUE pairs changed together (e.g. the review weights).")]) -> None:
    """Change settings (they apply on every replica after sync)."""
    if len(changes) == 2 and "=" not in changes[0]:
        texts = {changes[0]: changes[1]}
    else:
        texts = {}
        for change in changes:
            key, sep, value = change.partition("=")
            if not sep:
                raise DomainError("Expected KEY=VALUE, got {value}", value=change)
            texts[key.strip()] = value.strip()
    session(ctx).store().set_settings(texts)
    for key, value in texts.items():
        typer.echo(_("Saved {key} = {value}").format(key=key, value=value))


rubric_app = typer.Typer(help="The monthly-score rubric and its versions.")
app.add_typer(rubric_app, name="rubric")


@rubric_app.command("show")
@guarded
def rubric_show(ctx: typer.Context,
                month: Annotated[Optional[str], typer.Option("--month", help="Show the version in force that month (YYYY-MM).")] = None,
                json_flag: JsonFlag = False) -> None:
    """Show the rubric versions (or the one in force for a month)."""
    from .domain.months import parse_month
    from .domain.rubric import rubric_for

    versions = queries.rubric_versions(session(ctx).store().db)
    if month:
        versions = [rubric_for(versions, parse_month(month))]
    data = [{"from": v.from_month, "max_total": v.max_total,
             "items": [{"key": i.key, "label": i.label, "maximum": i.maximum} for i in v.items]}
            for v in versions]
    if wants_json(ctx, json_flag):
        print_json(data)
        return
    for version in data:
        rows = version["items"]
        print_table(rows, [("key", N_("Key")), ("label", N_("Item")), ("maximum", N_("Maximum"))],
                    title=_("Rubric from {month} (total {total})").format(
                        month=version["from"], total=version["max_total"]))


@rubric_app.command("set")
@guarded
def rubric_set(ctx: typer.Context,
               from_month: Annotated[str, typer.Option("--from", help="First month it applies to (YYYY-MM).")],
               item: Annotated[list[str], typer.Option("--item", help="KEY=MAX:LABEL, once per item.")]) -> None:
    """Add a rubric version that applies from a month on (past totals stay as they were)."""
    version = session(ctx).store().set_rubric(from_month, [parse_item_spec(i) for i in item])
    typer.echo(_("Rubric from {month} saved: {count} items, total {total}").format(
        month=version.from_month, count=len(version.items), total=version.max_total))


# -- hubs and spaces ------------------------------------------------------------------------

hub_app = typer.Typer(help="Incubation hubs.")
app.add_typer(hub_app, name="hub")


@hub_app.command("add")
@guarded
def hub_add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Hub name.")],
            category: Annotated[Optional[str], typer.Option("--category", help="Specialty category (key or label).")] = None) -> None:
    """Add a hub."""
    hub_id = session(ctx).store().add_hub(name, category)
    typer.echo(hub_id)


@hub_app.command("list")
@guarded
def hub_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List hubs with residents and occupancy."""
    store = session(ctx).store()
    emit(ctx, json_flag, queries.hubs(store.db, store.today()), [("id", N_("ID")), ("name", N_("Hub")), ("category", N_("Category")),
                       ("residents", N_("Residents")), ("occupied", N_("Occupied")), ("spaces", N_("Spaces"))],
         shown=lambda row: dict(row, category=category_text(row["category"])))


space_app = typer.Typer(help="Rooms, desks and shared spaces, and who uses them.")
app.add_typer(space_app, name="space")


@space_app.command("add")
@guarded
def space_add(ctx: typer.Context, hub: Annotated[str, typer.Argument(help="Hub id or name.")],
              name: Annotated[str, typer.Argument(help="Space name, e.g. 201.")],
              kind: Annotated[str, typer.Option("--kind", help="room, desk or shared.")] = "room",
              area: Annotated[Optional[float], typer.Option("--area", help="Area in m².")] = None,
              capacity: Annotated[Optional[int], typer.Option("--capacity", help="Seats.")] = None) -> None:
    """Add a space to a hub."""
    typer.echo(session(ctx).store().add_space(hub, name, kind, area, capacity))


@space_app.command("list")
@guarded
def space_list(ctx: typer.Context,
               hub: Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")] = None,
               json_flag: JsonFlag = False) -> None:
    """List spaces with today's occupant."""
    store = session(ctx).store()
    hub_id = queries.resolve_hub(store.db, hub) if hub else None
    emit(ctx, json_flag, queries.spaces(store.db, store.today(), hub_id), [("id", N_("ID")), ("hub", N_("Hub")), ("name", N_("Space")), ("kind", N_("Kind")),
                       ("status", N_("Status")), ("org_name", N_("Occupant")), ("end", N_("Until"))],
         shown=lambda row: dict(row, kind=enum_label(row["kind"]),
                                status=_("occupied") if row["org_id"] else _("free")))


@space_app.command("assign")
@guarded
def space_assign(ctx: typer.Context, space: Annotated[str, typer.Argument(help="Space id or name.")],
                 org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
                 start: Annotated[Optional[str], typer.Option("--from", help="Start date (default today).")] = None,
                 end: Annotated[Optional[str], typer.Option("--to", help="End date (default open).")] = None) -> None:
    """Allocate a space to a resident organization."""
    typer.echo(session(ctx).store().assign_space(space, org, start, end))


@space_app.command("release")
@guarded
def space_release(ctx: typer.Context, space: Annotated[str, typer.Argument(help="Space id or name.")],
                  on: Annotated[Optional[str], typer.Option("--on", help="First free day (default today).")] = None) -> None:
    """Free a space: its allocation ends the day before (or is cancelled if not yet begun)."""
    session(ctx).store().release_space(space, on)
    typer.echo(_("Released"))


# -- organizations ----------------------------------------------------------------------------

org_app = typer.Typer(help="Community social organizations.")
app.add_typer(org_app, name="org")

ORG_COLUMNS = [("id", N_("ID")), ("name", N_("Name")), ("category", N_("Category")), ("hub", N_("Hub")),
               ("stage", N_("Stage")), ("legal_status", N_("Legal status")),
               ("last_score10", N_("Last score")), ("stars", N_("Stars"))]


@org_app.command("add")
@guarded
def org_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    category: Annotated[str, typer.Option("--category", help="Category key or label.")],
    hub: Annotated[str, typer.Option("--hub", help="Hub id or name.")],
    status: Annotated[str, typer.Option("--status", help="registered or filed.")] = "filed",
    entered: Annotated[Optional[str], typer.Option("--entered", help="Entry date (default today).")] = None,
    stage: Annotated[str, typer.Option("--stage", help="applicant, startup or growth.")] = "startup",
    community: Annotated[str, typer.Option("--community", help="Community served.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Contact person.")] = "",
    phone: Annotated[str, typer.Option("--phone", help="Contact phone.")] = "",
    members: Annotated[str, typer.Option("--members", help="Member count.")] = "0",
    party: Annotated[str, typer.Option("--party", help="Party organization: independent, joint or none.")] = "none",
) -> None:
    """Register an organization; prints its id."""
    typer.echo(session(ctx).store().add_org(
        name, category, hub, status=status, entered=entered, stage=stage, community=community,
        contact=contact, phone=phone, members=members, party=party))


@org_app.command("list")
@guarded
def org_list(
    ctx: typer.Context,
    hub: Annotated[Optional[str], typer.Option("--hub", help="Only this hub.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Only this stage.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="Only this category.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="Text in the name, id, community or contact.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="Column to sort by.")] = "name",
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List organizations, filtered and sorted in SQL."""
    from .domain.categories import resolve_category
    from .domain.models import Stage, parse_enum

    store = session(ctx).store()
    rows = queries.organizations(
        store.db, hub=hub, stage=parse_enum(Stage, stage).value if stage else None,
        category=resolve_category(category) if category else None, search=search, sort=sort,
        limit=limit)
    emit(ctx, json_flag, rows, ORG_COLUMNS, shown=lambda row: dict(
        row, category=category_text(row["category"]), stage=enum_label(row["stage"]),
        legal_status=enum_label(row["legal_status"])))


@org_app.command("show")
@guarded
def org_show(ctx: typer.Context, org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
             json_flag: JsonFlag = False) -> None:
    """Show one organization with its scores, waivers, interviews and reviews."""
    store = session(ctx).store()
    org_id = queries.resolve_org(store.db, org)
    row = queries.org_row(store.db, org_id)
    row.pop("doc_id", None)
    detail = {
        **row,
        "scores": queries.scores(store.db, org_id=org_id),
        "waivers": queries.waivers(store.db, store.today(), org_id=org_id),
        "interviews": [dict(r) for r in store.db.query(
            "SELECT id, on_date, deadline, outcome, note FROM interviews WHERE org_id = ?"
            " ORDER BY on_date", [org_id])],
        "reviews": [dict(r) for r in store.db.query(
            "SELECT year, self, peer, public, party, composite, stars FROM reviews"
            " WHERE org_id = ? ORDER BY year", [org_id])],
        "warning": queries.warning_state(store.db, org_id, store.settings(), store.today()).status,
    }
    if wants_json(ctx, json_flag):
        print_json(detail)
        return
    fields = [("id", N_("ID")), ("name", N_("Name")), ("category", N_("Category")), ("hub_id", N_("Hub")),
              ("stage", N_("Stage")), ("legal_status", N_("Legal status")), ("community", N_("Community")),
              ("contact", N_("Contact")), ("phone", N_("Phone")), ("members", N_("Members")),
              ("party_org", N_("Party organization")), ("entered", N_("Entered")),
              ("last_month", N_("Last scored month")), ("last_score10", N_("Last score")),
              ("stars", N_("Stars")), ("warning", N_("Warning status"))]
    shown = dict(detail, category=category_text(row["category"]),
                 stage=enum_label(row["stage"]), legal_status=enum_label(row["legal_status"]),
                 party_org=enum_label(row["party_org"]),
                 hub_id=queries.hub_name(store.db, row["hub_id"]))
    for key, header in fields:
        typer.echo(f"{_(header)}: {'' if shown.get(key) is None else shown[key]}")
    typer.echo(_("{count} monthly scores, {waivers} waivers, {reviews} annual reviews").format(
        count=len(detail["scores"]), waivers=len(detail["waivers"]),
        reviews=len(detail["reviews"])))


@org_app.command("edit")
@guarded
def org_edit(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    name: Annotated[Optional[str], typer.Option("--name")] = None,
    category: Annotated[Optional[str], typer.Option("--category")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="registered or filed.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="applicant, startup or growth.")] = None,
    community: Annotated[Optional[str], typer.Option("--community")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    members: Annotated[Optional[str], typer.Option("--members")] = None,
    party: Annotated[Optional[str], typer.Option("--party", help="independent, joint or none.")] = None,
    entered: Annotated[Optional[str], typer.Option("--entered")] = None,
    hub: Annotated[Optional[str], typer.Option("--hub", help="Move to another hub.")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes")] = None,
) -> None:
    """Change profile fields of an organization."""
    changed = session(ctx).store().edit_org(org, {
        "name": name, "category": category, "legal_status": status, "stage": stage,
        "community": community, "contact": contact, "phone": phone, "members": members,
        "party_org": party, "entered": entered, "hub": hub, "notes": notes})
    typer.echo(_("Saved: {fields}").format(fields=", ".join(sorted(changed))))


# -- waivers and service hours ------------------------------------------------------------------

waiver_app = typer.Typer(help="Fee waivers: rent, utilities, service in exchange for rent.")
app.add_typer(waiver_app, name="waiver")


@waiver_app.command("add")
@guarded
def waiver_add(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    kind: Annotated[str, typer.Option("--kind", help="rent, utilities or service-for-rent.")],
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    monthly_value: Annotated[float, typer.Option("--monthly-value", help="Value per month in yuan.")],
    hours_per_month: Annotated[Optional[float], typer.Option("--hours-per-month", help="Service hours owed per month (service-for-rent).")] = None,
    approved_by: Annotated[Optional[str], typer.Option("--approved-by", help="Who approved it (default this device's name).")] = None,
) -> None:
    """Grant a fee waiver."""
    typer.echo(session(ctx).store().add_waiver(org, kind, start, end, monthly_value,
                                               hours_per_month, approved_by))


@waiver_app.command("list")
@guarded
def waiver_list(ctx: typer.Context,
                expiring_within: Annotated[Optional[int], typer.Option("--expiring-within", min=0, max=36500, help="Only waivers ending within this many days.")] = None,
                json_flag: JsonFlag = False) -> None:
    """List waivers."""
    store = session(ctx).store()
    rows = queries.waivers(store.db, store.today(), expiring_within=expiring_within)
    emit(ctx, json_flag, rows, [("id", N_("ID")), ("org_name", N_("Organization")), ("hub", N_("Hub")),
                       ("kind", N_("Kind")), ("start", N_("From")), ("end", N_("To")),
                       ("monthly_value", N_("Yuan per month")), ("hours_per_month", N_("Hours per month")),
                       ("approved_by", N_("Approved by"))],
         shown=lambda row: dict(row, kind=enum_label(row["kind"])))


service_app = typer.Typer(help="Service hours delivered in exchange for rent.")
app.add_typer(service_app, name="service")


@service_app.command("log")
@guarded
def service_log(ctx: typer.Context, org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
                month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
                hours: Annotated[float, typer.Option("--hours", help="Hours delivered that month.")]) -> None:
    """Record the service hours an organization delivered in a month."""
    session(ctx).store().log_service(org, month, hours)
    typer.echo(_("Saved"))


@service_app.command("ledger")
@guarded
def service_ledger(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Hours owed against hours delivered, with shortfalls."""
    store = session(ctx).store()
    emit(ctx, json_flag, queries.service_ledger(store.db, store.today()), [("org_name", N_("Organization")), ("start", N_("From")), ("end", N_("To")),
                       ("owed", N_("Hours owed")), ("delivered", N_("Hours delivered")),
                       ("shortfall", N_("Shortfall"))])


# -- scores ---------------------------------------------------------------------------------------

score_app = typer.Typer(help="Monthly scores (月规范).")
app.add_typer(score_app, name="score")


@score_app.command("set")
@guarded
def score_set(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    item: Annotated[list[str], typer.Option("--item", help="ITEM=VALUE for every rubric item (key or label).")],
    note: Annotated[Optional[str], typer.Option("--note", help="A remark.")] = None,
) -> None:
    """Enter an organization's monthly score."""
    values: dict[str, float] = {}
    for spec in item:
        name, sep, text = spec.partition("=")
        try:
            values[name.strip()] = float(text)
        except ValueError:
            raise DomainError("Malformed item {item}: expected NAME=VALUE", item=spec) from None
        if not sep:
            raise DomainError("Malformed item {item}: expected NAME=VALUE", item=spec)
    saved, = session(ctx).store().set_scores([ScoreEntry(org, month, values, note)])
    typer.echo(_("Saved {month}: {total} / {max_total}").format(**saved))


@score_app.command("list")
@guarded
def score_list(ctx: typer.Context,
               month: Annotated[Optional[str], typer.Option("--month", help="Only this month.")] = None,
               org: Annotated[Optional[str], typer.Option("--org", help="Only this organization.")] = None,
               json_flag: JsonFlag = False) -> None:
    """List monthly scores, newest first."""
    from .domain.months import parse_month

    store = session(ctx).store()
    rows = queries.scores(store.db, month=parse_month(month) if month else None,
                          org_id=queries.resolve_org(store.db, org) if org else None)
    emit(ctx, json_flag, rows, [("month", N_("Month")), ("org_name", N_("Organization")), ("total", N_("Total")),
                       ("max_total", N_("Maximum")), ("note", N_("Note"))])


# -- warnings, interviews, reviews, graduation, exit ------------------------------------------------


@app.command("warnings")
@guarded
def warnings_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Low-score streaks, open warnings with deadlines, overdue rectifications."""
    store = session(ctx).store()
    found = queries.warning_states(store.db, store.settings(), store.today())
    rows = [{"org_id": org["id"], "name": org["name"], "hub": org["hub"], "status": state.status,
             "streak": list(state.streak),
             "deadline": state.interview.deadline.isoformat() if state.interview else None,
             "check_month": state.check_month}
            for org, state in found if state.status not in ("rectified", "exit")]
    status_labels = {"needs_interview": _("needs a warning interview"),
                     "open": _("rectification under way"), "overdue": _("rectification overdue"),
                     "failed": _("rectification failed: order an exit")}
    emit(ctx, json_flag, rows, [("org_id", N_("ID")), ("name", N_("Organization")), ("hub", N_("Hub")),
                       ("status", N_("Status")), ("streak", N_("Low months")), ("deadline", N_("Deadline"))],
         shown=lambda row: dict(row, status=status_labels.get(row["status"], row["status"]),
                                streak=" ".join(row["streak"])))


interview_app = typer.Typer(help="Warning interviews (约谈提醒) and their outcomes.")
app.add_typer(interview_app, name="interview")


@interview_app.command("record")
@guarded
def interview_record(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    on: Annotated[Optional[str], typer.Option("--date", help="Interview date (default today).")] = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="Rectification deadline (default one month later).")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="rectified or exit, if already known.")] = None,
    note: Annotated[Optional[str], typer.Option("--note")] = None,
) -> None:
    """Record a warning interview with its rectification deadline."""
    typer.echo(session(ctx).store().record_interview(org, on, deadline, outcome, note))


@interview_app.command("close")
@guarded
def interview_close(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    outcome: Annotated[str, typer.Option("--outcome", help="rectified or exit.")],
    on: Annotated[Optional[str], typer.Option("--date", help="Exit date when ordered to leave.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it is ordered to leave.")] = None,
) -> None:
    """Record the outcome of the open warning interview."""
    session(ctx).store().close_interview(org, outcome, on, reason)
    typer.echo(_("Saved"))


review_app = typer.Typer(help="Annual reviews and star ratings.")
app.add_typer(review_app, name="review")


def parse_yes_no(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("yes", "y", "true", "1", "是", "有"):
        return True
    if lowered in ("no", "n", "false", "0", "否", "无"):
        return False
    raise DomainError("Expected yes or no, got {value}", value=text)


@review_app.command("set")
@guarded
def review_set(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    year: Annotated[int, typer.Option("--year", min=1949, max=2200)],
    self_score: Annotated[float, typer.Option("--self", help="Self-evaluation, 0–100.")],
    peer: Annotated[float, typer.Option("--peer", help="Peer evaluation, 0–100.")],
    public: Annotated[float, typer.Option("--public", help="Public evaluation, 0–100.")],
    party: Annotated[str, typer.Option("--party", help="Party-building compliance: yes or no.")] = "yes",
) -> None:
    """Record an annual review; prints the stars and why."""
    result = session(ctx).store().set_review(org, year, self_score, peer, public,
                                             parse_yes_no(party))
    typer.echo(_("{stars} stars (composite {composite})").format(
        stars=result.stars, composite=result.composite))
    for reason in result.reasons:
        typer.echo(f"  - {reason.render(_)}")


@review_app.command("list")
@guarded
def review_list(ctx: typer.Context, year: Annotated[int, typer.Option("--year", min=1949, max=2200)],
                json_flag: JsonFlag = False) -> None:
    """List the year's reviews, best first."""
    emit(ctx, json_flag, queries.reviews(session(ctx).store().db, year), [("org_name", N_("Organization")), ("hub", N_("Hub")), ("self", N_("Self")),
                       ("peer", N_("Peer")), ("public", N_("Public")), ("composite", N_("Composite")),
                       ("stars", N_("Stars"))])


@app.command("graduate")
@guarded
def graduate(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    on: Annotated[Optional[str], typer.Option("--date", help="Graduation date (default today).")] = None,
    destination: Annotated[Optional[str], typer.Option("--destination", help="Where it goes next.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Graduate even with unmet criteria (needs --reason).")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the criteria are overridden.")] = None,
) -> None:
    """Graduate an organization (出壳); refuses with every unmet criterion."""
    overridden = session(ctx).store().graduate(org, on, destination, force, reason)
    typer.echo(_("Graduated"))
    for criterion in overridden:
        typer.echo(_("  overridden: {criterion}").format(criterion=criterion.text.render(_)))


@app.command("exit")
@guarded
def exit_org(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="Organization id, id prefix or name.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it leaves.")],
    on: Annotated[Optional[str], typer.Option("--date", help="Exit date (default today).")] = None,
    ordered: Annotated[bool, typer.Option("--ordered", help="An ordered exit (责令退出).")] = False,
) -> None:
    """Record that an organization leaves the centre; its spaces are released."""
    session(ctx).store().exit_org(org, reason, on, ordered)
    typer.echo(_("Exited"))


# -- history, conflicts, maintenance ------------------------------------------------------------


@app.command("history")
@guarded
def history(ctx: typer.Context,
            ref: Annotated[str, typer.Argument(help="Organization or hub (id, prefix or name), or 'network'.")],
            json_flag: JsonFlag = False) -> None:
    """Who changed what and when, newest first."""
    entries = session(ctx).store().history(ref)
    rows = [{"at": e.at, "device": e.device, "device_name": e.device_name,
             "summary": i18n.render_summary(e.summary, e.params), "fields": e.fields}
            for e in entries]
    emit(ctx, json_flag, rows, [("at", N_("When (UTC)")), ("device_name", N_("Device")), ("summary", N_("What"))])


conflicts_app = typer.Typer(help="Fields edited concurrently on two replicas.", invoke_without_command=True)
app.add_typer(conflicts_app, name="conflicts")


@conflicts_app.callback()
@guarded
def conflicts_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List unresolved conflicts with every concurrent value."""
    if ctx.invoked_subcommand is not None:
        return
    def shown(row: dict) -> dict:
        return dict(row, values="; ".join(f"{n}) {c['device_name']} {c['at']}: {c['value']}"
                                          for n, c in enumerate(row["candidates"], 1)))

    emit(ctx, json_flag, queries.conflicts(session(ctx).store().db), [("record", N_("Record")), ("field", N_("Field")), ("winner", N_("Current value")),
                       ("values", N_("Concurrent values"))], shown=shown)


@conflicts_app.command("resolve")
@guarded
def conflicts_resolve(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Organization or hub (id, prefix or name), or 'network'.")],
    field_name: Annotated[str, typer.Argument(metavar="FIELD", help="The field, e.g. profile/phone.")],
    keep: Annotated[Optional[int], typer.Option("--keep", help="Keep value number N (default the current one).")] = None,
) -> None:
    """Settle a conflict; the decision is itself a recorded change."""
    value = session(ctx).store().resolve_conflict(ref, field_name, keep)
    typer.echo(_("Resolved: {field} = {value}").format(field=field_name, value=value))


@app.command("reindex")
@guarded
def reindex(ctx: typer.Context) -> None:
    """Rebuild every query table from the Automerge documents."""
    count = session(ctx).store().replica.reindex()
    typer.echo(_("Reindexed {count} documents").format(count=count))


@app.command("verify")
@guarded
def verify(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Check SQLite integrity, that every document loads and the tables match them."""
    problems = session(ctx).store().replica.verify()
    if wants_json(ctx, json_flag):
        print_json({"ok": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            typer.echo(problem, err=True)
    else:
        typer.echo(_("Replica verified: no problems"))
    if problems:
        raise typer.Exit(1)


device_app = typer.Typer(help="This device's identity.")
app.add_typer(device_app, name="device")


@device_app.command("id")
@guarded
def device_id(ctx: typer.Context) -> None:
    """Print this device's ID."""
    typer.echo(session(ctx).store().replica.identity.device_id)


@device_app.command("protect")
@guarded
def device_protect(ctx: typer.Context) -> None:
    """Encrypt this device's private keys with a passphrase (asked for when syncing)."""
    store = session(ctx).store()
    passphrase = environment_passphrase() or typer.prompt(
        _("New passphrase"), hide_input=True, confirmation_prompt=True)
    store.protect_keys(passphrase)
    typer.echo(_("The keys of this device are now protected by the passphrase"))


@device_app.command("card")
@guarded
def device_card(
    ctx: typer.Context,
    address: Annotated[str, typer.Option("--address", help="HOST:PORT where this device serves sync.")] = "",
    qr: Annotated[bool, typer.Option("--qr", help="Show the card as a QR code.")] = False,
) -> None:
    """Print this device's card: one line to pair it with another device."""
    if address:
        parse_address(address)
    card = Card.of(session(ctx).store().replica.identity, address).encode()
    if qr:
        typer.echo(qr_text(card, sys.stdout.isatty()))
    typer.echo(card)


def qr_text(text: str, terminal: bool) -> str:
    """A QR code drawn with two-column cells: reverse-video spaces on a terminal
    (no ambiguous-width block glyphs), `##` otherwise."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    dark, light = ("\x1b[40m  \x1b[0m", "\x1b[47m  \x1b[0m") if terminal else ("##", "  ")
    return "\n".join("".join(dark if cell else light for cell in row)
                     for row in code.get_matrix())


member_app = typer.Typer(help="The devices of the network and their roles.")
app.add_typer(member_app, name="member")


@member_app.command("add")
@guarded
def member_add(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="The new device's card (incubator device card).")],
    role: Annotated[str, typer.Option("--role", help="hub, field or viewer.")],
    name: Annotated[Optional[str], typer.Option("--name", help="A name for the device (default: the card's).")] = None,
) -> None:
    """Add a device to the network (every replica learns it on sync)."""
    parsed = Card.decode(card)
    store = session(ctx).store()
    store.add_member(parsed, role, name)
    typer.echo(_("Added member {device} as {role}").format(
        device=short_device_id(parsed.device_id), role=enum_label(parse_enum(Role, role).value)))


@member_app.command("list")
@guarded
def member_list(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """List the network's member devices."""
    rows = queries.members(session(ctx).store().db)
    emit(ctx, json_flag, rows,
         [("name", N_("Device")), ("role", N_("Role")), ("device_id", N_("Device ID")),
          ("address", N_("Address")), ("revoked_at", N_("Revoked"))],
         shown=lambda row: {**row, "role": enum_label(row["role"])})


@member_app.command("revoke")
@guarded
def member_revoke(
    ctx: typer.Context,
    device: Annotated[str, typer.Argument(help="The device ID to revoke.")],
) -> None:
    """Revoke a member: it is refused from the next connection on."""
    session(ctx).store().revoke_member(device)
    typer.echo(_("Revoked {device}").format(device=short_device_id(parse_device_id(device))))


sync_app = typer.Typer(help="Peer-to-peer sync with the other hubs and laptops.")
app.add_typer(sync_app, name="sync")


@sync_app.command("serve")
@guarded
def sync_serve(
    ctx: typer.Context,
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT to listen on.")] = f"0.0.0.0:{DEFAULT_PORT}",
    every: Annotated[float, typer.Option("--every", min=0, help="Also sync with every reachable member every N minutes (0: never).")] = 0,
    announce: Annotated[bool, typer.Option("--announce/--no-announce", help="Announce this device on the local network (mDNS).")] = True,
) -> None:
    """Serve sync to member devices until Ctrl-C."""
    from .sync.service import serve_forever

    host, port = parse_address(listen, default_host="0.0.0.0")
    store = session(ctx).store()
    serve_forever(store.replica, host, port, every_minutes=every, announce=announce,
                  echo=lambda line: typer.echo(line, err=True))


@sync_app.command("now")
@guarded
def sync_now(
    ctx: typer.Context,
    peer: Annotated[Optional[str], typer.Option("--peer", help="Only this device ID.")] = None,
    address: Annotated[str, typer.Option("--address", help="HOST:PORT of that peer (with --peer).")] = "",
    discover: Annotated[float, typer.Option("--discover", min=0, max=30, help="Seconds to look for peers on the local network first (0: no).")] = 0,
    json_flag: JsonFlag = False,
) -> None:
    """Sync once with every reachable member (or the one named)."""
    from .sync.service import sync_round

    if address and not peer:
        raise DomainError("--address needs --peer")
    store = session(ctx).store()
    results = sync_round(store.replica, peer, address, discover_seconds=discover)
    rows = [result.as_dict() for result in results]
    if wants_json(ctx, json_flag):
        print_json(rows)
    else:
        print_table([{**row, "device_id": short_device_id(row["device_id"]),
                      "error": row["error"] or _("ok")} for row in rows],
                    [("name", N_("Device")), ("device_id", N_("Device ID")),
                     ("docs_received", N_("Docs in")), ("docs_sent", N_("Docs out")),
                     ("bytes_received", N_("Bytes in")), ("bytes_sent", N_("Bytes out")),
                     ("round_trips", N_("Round trips")), ("seconds", N_("Seconds")),
                     ("error", N_("Result"))])
    if any(result.error for result in results):
        raise typer.Exit(1)


@sync_app.command("status")
@guarded
def sync_status(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Peers, when each last synced, the last session's figures and errors."""
    store = session(ctx).store()
    rows = queries.sync_peers(store.db)
    emit(ctx, json_flag, rows,
         [("name", N_("Device")), ("role", N_("Role")), ("address", N_("Address")),
          ("last_sync", N_("Last sync")), ("docs_received", N_("Docs in")),
          ("docs_sent", N_("Docs out")), ("bytes_received", N_("Bytes in")),
          ("bytes_sent", N_("Bytes out")), ("last_error", N_("Last error"))],
         shown=lambda row: {**row, "role": enum_label(row["role"])})


bundle_app = typer.Typer(help="Signed, encrypted sync bundles for a USB stick.")
app.add_typer(bundle_app, name="bundle")


@bundle_app.command("export")
@guarded
def bundle_export(
    ctx: typer.Context,
    recipients: Annotated[list[str], typer.Option("--for", help="A recipient's device ID (repeat for several).")],
    out: Annotated[Path, typer.Option("--out", help="The bundle file to write (e.g. on the USB stick).")],
    full: Annotated[bool, typer.Option("--full", help="Everything, not only what the recipients lack.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Write what the recipients are not known to have, signed and encrypted to them."""
    from .sync.bundle import export_bundle, export_text

    summary = export_bundle(session(ctx).store().replica, recipients,
                            usable_file(out, must_exist=False), full=full)
    if wants_json(ctx, json_flag):
        print_json(summary.as_dict())
    else:
        typer.echo(export_text(summary))


@bundle_app.command("import")
@guarded
def bundle_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The bundle file.")],
    json_flag: JsonFlag = False,
) -> None:
    """Verify, decrypt and merge a bundle (all or nothing); print what it brought in."""
    from .sync.bundle import import_bundle, import_text

    summary = import_bundle(session(ctx).store().replica, path)
    if wants_json(ctx, json_flag):
        print_json(summary.as_dict())
    else:
        typer.echo(import_text(summary, shown=50))


@bundle_app.command("inspect")
@guarded
def bundle_inspect(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The bundle file.")],
    json_flag: JsonFlag = False,
) -> None:
    """Show a bundle's date, size, sender and recipients without merging anything."""
    from .sync.bundle import inspect_bundle

    replica = session(ctx).store().replica if replica_path(session(ctx).home).exists() else None
    info = inspect_bundle(path, replica)
    if wants_json(ctx, json_flag):
        print_json(info)
        return
    typer.echo(_("Bundle {path}: {bytes} bytes, written {created}, {count} recipients").format(
        path=info["path"], bytes=info["bytes"], created=info["created"],
        count=info["recipients_count"]))
    if info.get("readable"):
        typer.echo(_("From {name} ({device}), {documents} documents").format(
            name=info["sender_name"], device=short_device_id(info["sender"]),
            documents=info["documents"]))
        typer.echo(_("To: {names}").format(names="、".join(
            r["name"] or short_device_id(r["device_id"]) for r in info["recipients"])))
    else:
        typer.echo(_("Not addressed to this device: sender and recipients stay hidden"))


@app.command("backup")
@guarded
def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
) -> None:
    """A consistent copy of this replica, taken while it is in use."""
    store = session(ctx).store()
    store.replica.backup(usable_file(out, must_exist=False))
    typer.echo(_("Backed up to {path} ({size} bytes)").format(path=out, size=out.stat().st_size))


@app.command("restore")
@guarded
def restore(
    ctx: typer.Context,
    backup_file: Annotated[Path, typer.Argument(help="A file written by incubator backup.")],
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite the replica in this home.")] = False,
) -> None:
    """Put a backup in place; it continues under a new actor so it never collides with its past."""
    store = Store.restore(backup_file, session(ctx).home, replace=replace)
    problems = store.replica.verify()
    typer.echo(_("Restored {path}: sync with a peer to get back what changed since the backup")
               .format(path=backup_file))
    if problems:
        raise DomainError("The restored replica has problems: {problems}",
                          problems="; ".join(problems))


@app.command("tui")
@guarded
def tui(ctx: typer.Context) -> None:
    """Open the app (the same as running incubator with no command)."""
    open_app(ctx)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
