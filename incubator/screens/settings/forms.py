"""The two forms of the rules area: a new rubric version from a month, and settings
changed from a month on (`rubric set`, `settings set`: the same store calls and checks)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from ...domain.months import parse_month
from ...domain.rubric import RubricVersion, parse_item_spec
from ...domain.settings import KINDS, RATING_SCALES, Settings, parse_values
from ...i18n import N_, _, render_summary
from ...present.labels import setting_label
from ..widgets.checks import DomainCheck
from ..widgets.form import Field, FormScreen

SPARE_ROWS = 3  # empty item rows a new rubric version offers beyond the current items


def month_input(value: str, id: str | None = None, compact: bool = False) -> Input:
    """A `YYYY-MM` month, past or future (a rule may be set to apply later)."""
    return Input(value, placeholder="YYYY-MM", max_length=7, id=id, compact=compact,
                 validators=[DomainCheck(parse_month)])


def setting_text(value: object) -> str:
    """A setting's value as a person types it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class RubricForm(FormScreen):
    """A new version of the rubric from a month: one row per item (key, name, maximum),
    the version in force first and a few empty rows; a row left empty is not an item."""

    AUTO_FOCUS = "#from"

    def __init__(self, shown: RubricVersion, from_month: str,
                 save: Callable[[str, list], RubricVersion]) -> None:
        rows = [(item.key, item.label, f"{item.maximum:g}") for item in shown.items]
        rows += [("", "", "")] * SPARE_ROWS
        self.rows = len(rows)
        fields: list[Field] = [("from", N_("From month"), month_input(from_month))]
        for number, (key, label, maximum) in enumerate(rows, 1):
            fields += [
                (f"key-{number}", _("Item {number}: key").format(number=number),
                 Input(key, max_length=40, classes="item-key")),
                (f"label-{number}", _("Item {number}: name").format(number=number),
                 Input(label, max_length=40, classes="item-label")),
                (f"max-{number}", _("Item {number}: maximum").format(number=number),
                 Input(maximum, max_length=6, classes="item-max")),
            ]
        super().__init__(_("A new rubric version"), fields,
                         lambda values: save(values["from"], self.items(values)),
                         lambda version: _("Rubric from {month} saved: {count} items, total "
                                           "{total}").format(month=version.from_month,
                                                             count=len(version.items),
                                                             total=version.max_total))

    def items(self, values: dict) -> list:
        """The rows typed, as the CLI's KEY=MAX:LABEL items (its parser and messages)."""
        specs = []
        for number in range(1, self.rows + 1):
            key, label, maximum = (values[f"{part}-{number}"].strip()
                                   for part in ("key", "label", "max"))
            if key or label or maximum:
                specs.append(parse_item_spec(f"{key}={maximum}:{label}"))
        return specs

    def compose(self) -> ComposeResult:
        """The month, then the items as a table of rows (key, name, maximum)."""
        widgets = {field_id: widget for field_id, _t, widget in self.fields}
        for field_id, _title, widget in self.fields:
            widget.id = field_id
            widget.compact = True
        with VerticalScroll(classes="form rubric-form"):
            yield Label(self.title_text, classes="area-title")
            yield Horizontal(Label(_("From month"), classes="field-label"), widgets["from"],
                             classes="field")
            yield Horizontal(Label("", classes="field-label"),
                             Label(_("Key"), classes="item-key"),
                             Label(_("Item"), classes="item-label"),
                             Label(_("Maximum"), classes="item-max"), classes="field")
            for number in range(1, self.rows + 1):
                yield Horizontal(
                    Label(_("Item {number}").format(number=number), classes="field-label"),
                    widgets[f"key-{number}"], widgets[f"label-{number}"],
                    widgets[f"max-{number}"], classes="field item-row")
            yield Static(_("Keys: lowercase letters, digits, - or _ (e.g. safety). Clear a "
                           "row to drop the item. Scores already entered keep the version they "
                           "were entered with."), classes="hint")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(_("Save"), variant="primary", id="save", compact=True)


def setting_widget(key: str, value: object) -> Input | Select:
    """A yes/no or a rating scale is chosen, every other setting typed (and checked as
    the store will)."""
    if KINDS[key] == "bool":
        return Select([(_("yes"), "yes"), (_("no"), "no")], value=setting_text(value),
                      allow_blank=False)
    if key == "rating_scale":
        return Select([(scale, scale) for scale in RATING_SCALES], value=value,
                      allow_blank=False)
    return Input(setting_text(value), max_length=2000 if KINDS[key] == "str" else 12,
                 validators=[DomainCheck(lambda text: parse_values({key: text}))])


class SettingsForm(FormScreen):
    """Every setting, with the values in force in `from_month`; saves the ones changed,
    together (the review weights must still add up to 100), from that month on."""

    AUTO_FOCUS = "#from"

    def __init__(self, in_force: Settings, from_month: str,
                 save: Callable[[dict[str, str], str], Settings]) -> None:
        self.opened = {key: setting_text(value) for key, value in in_force.to_mapping().items()}
        fields: list[Field] = [("from", N_("From month"), month_input(from_month))]
        fields += [(key, setting_label(key), setting_widget(key, value))
                   for key, value in in_force.to_mapping().items()]
        super().__init__(_("Change settings from a month on"), fields, self.write_changes,
                         self.saved_text)
        self.save_settings = save

    def changes(self, values: dict) -> dict[str, str]:
        return {key: str(values[key]) for key in self.opened
                if key in values and str(values[key]) != self.opened[key]}

    def write_changes(self, values: dict) -> tuple[str, dict[str, object]]:
        changed = self.changes(values)
        month = parse_month(values["from"])
        updated = self.save_settings(changed, month).to_mapping()
        return month, {key: updated[key] for key in changed}

    @staticmethod
    def saved_text(result: tuple[str, dict[str, object]]) -> str:
        month, values = result
        return render_summary("Changed settings from {month}: {changes}", {
            "month": month, "changes": ", ".join(
                f"{setting_label(key)}={setting_text(value)}" for key, value in values.items())})
