"""One registry of the app's actions and their keys (footer, `?` help, command palette).

Every screen and form takes its keys from here (`ACTIONS`, then `BINDINGS =
bindings(ACTIONS)`), and the command palette offers what the registry lists for the
screen it was opened on. Descriptions are English msgids; `translate_bindings()` puts a
node's bindings into the current language when the node is created, so a language
chosen after import still reaches the footer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from ..i18n import N_, _


@dataclass(frozen=True)
class Action:
    keys: str  # comma-separated Textual key names; "" for one the palette alone offers
    action: str
    description: str  # an English msgid
    show: bool = True
    key_display: str | None = None
    priority: bool = False
    palette: bool = True  # offered by the command palette


AREAS: tuple[tuple[str, str, str], ...] = (
    # (mode, key, msgid of its title): F1–F10 work everywhere, the digit only where nothing
    # takes typing (`takes_typing`)
    ("dashboard", "1", N_("Dashboard")),
    ("organizations", "2", N_("Organizations")),
    ("scoring", "3", N_("Monthly scoring")),
    ("warnings", "4", N_("Warnings")),
    ("spaces", "5", N_("Space map")),
    ("waivers", "6", N_("Waivers")),
    ("review", "7", N_("Annual review and star rating")),
    ("graduation", "8", N_("Graduation")),
    ("sync", "9", N_("Sync")),
    ("district", "0", N_("District")),
)


# Areas without a digit: (mode, function key, msgid of its title); the palette names them too
MORE_AREAS: tuple[tuple[str, str, str], ...] = (
    ("settings", "f12", N_("Rules and rubric")),
)
# venture-philanthropy rounds: an area of its own, reached by ctrl+r or the palette (the
# digits 0-9 are taken)
ROUNDS_MODE = "rounds"
ROUNDS_TITLE = N_("Venture-philanthropy rounds")


def function_key(key: str) -> str:
    """An area's function key from its digit: F1–F9, and F10 for 0."""
    return f"f{int(key) or 10}"


FORM_FIELDS = "form-fields"  # the CSS class of a container whose fields take typing

APP_ACTIONS: tuple[Action, ...] = (
    *(Action(function_key(key), f"switch_mode('{mode}')", title, show=False,
             key_display=f"{function_key(key).upper()}/{key}", palette=False)
      for mode, key, title in AREAS),
    *(Action(key, f"switch_mode('{mode}')", title, show=False, key_display=key.upper(),
             palette=False) for mode, key, title in MORE_AREAS),
    Action("ctrl+r", f"switch_mode('{ROUNDS_MODE}')", ROUNDS_TITLE, show=False,
           key_display="^r"),
    *(Action(key, f"area_key('{mode}')", title, show=False, palette=False)
      for mode, key, title in AREAS),
    # priority: the focus moves before the keys typed after Tab are delivered
    Action("tab", "focus_next", "", show=False, priority=True, palette=False),
    Action("shift+tab", "focus_previous", "", show=False, priority=True, palette=False),
    Action("question_mark", "help", N_("Help"), key_display="?"),
    Action("ctrl+z", "undo", N_("Undo the last change"), show=False, key_display="^z"),
    Action("q", "quit", N_("Quit")),
    Action("ctrl+q", "quit", N_("Quit"), show=False),
    # the footer shows the palette key on its own, docked right
    Action("ctrl+p", "command_palette", N_("Commands"), show=False, key_display="^p",
           priority=True, palette=False),
    # the front desk's first tasks, by name from any screen (their keys: n on the
    # organizations list, h on the space map)
    Action("", "register_organization", N_("Register an organization")),
    Action("", "add_hub", N_("Add a hub")),
    Action("", "import_sheet", N_("Import a spreadsheet")),
)

ORGANIZATIONS_ACTIONS: tuple[Action, ...] = (
    # priority: the keys typed right after `/` must find the search box focused
    Action("slash", "focus_search", N_("Search"), key_display="/", priority=True),
    # priority: Enter in the search box moves to the results before the next key is
    # delivered (a second Enter then opens the highlighted organization)
    Action("enter", "show_results", "", show=False, priority=True, palette=False),
    Action("s", "sort_next", N_("Sort: ascending, descending, next column")),
    Action("n", "app.register_organization", N_("Register an organization")),
    Action("i", "app.import_sheet", N_("Import a spreadsheet")),
)

DETAIL_ACTIONS: tuple[Action, ...] = (
    # every action on one organization (on the highlighted row of its tab); the footer
    # shows the commonest, `?` and the palette every one
    Action("escape", "app.pop_screen", N_("Back"), key_display="esc"),
    Action("e", "edit", N_("Edit profile")),
    Action("a", "assign", N_("Assign a space")),
    Action("w", "add_waiver", N_("Add waiver")),
    Action("f", "release", N_("Release a space"), show=False),
    Action("t", "end_waiver", N_("End waiver"), show=False),
    Action("h", "log_service", N_("Log service hours"), show=False),
    Action("s", "correct_score", N_("Correct the score"), show=False),
    Action("delete", "delete_score", N_("Delete the score"), show=False, key_display="del"),
    Action("i", "interview", N_("Record interview"), show=False),
    Action("c", "close_case", N_("Close interview"), show=False),
    Action("d", "dismiss_case", N_("Dismiss"), show=False),
    Action("x", "order_exit", N_("Order exit"), show=False),
    Action("l", "leave", N_("Leave the centre"), show=False),
    Action("g", "graduate", N_("Graduate"), show=False),
    Action("y", "review", N_("Annual review"), show=False),
    Action("r", "resolve", N_("Resolve conflict"), show=False),
)

SCORING_ACTIONS: tuple[Action, ...] = (
    Action("ctrl+s", "save", N_("Save all")),
    Action("pagedown", "page(1)", N_("Next page"), priority=True),
    Action("pageup", "page(-1)", N_("Previous page"), priority=True),
)

WARNINGS_ACTIONS: tuple[Action, ...] = (
    Action("i", "interview", N_("Record interview")),
    Action("c", "close", N_("Close interview")),
    Action("d", "dismiss", N_("Dismiss")),
    Action("x", "exit", N_("Order exit")),
)

SPACES_ACTIONS: tuple[Action, ...] = (
    Action("a", "assign", N_("Assign")),
    Action("r", "release", N_("Release")),
    Action("n", "add_space", N_("Add a space")),
    Action("e", "edit_space", N_("Edit the space")),
    Action("x", "retire_space", N_("Retire the space")),
    Action("h", "app.add_hub", N_("Add a hub"), show=False),
)

SPACE_MAP_ACTIONS: tuple[Action, ...] = (
    # priority: each arrow moves from where the one before it left the focus
    Action("left", "move(-1, 0)", "", show=False, priority=True, palette=False),
    Action("right", "move(1, 0)", "", show=False, priority=True, palette=False),
    Action("up", "move(0, -1)", "", show=False, priority=True, palette=False),
    Action("down", "move(0, 1)", "", show=False, priority=True, palette=False),
)

WAIVERS_ACTIONS: tuple[Action, ...] = (
    Action("a", "add", N_("Add waiver")),
    Action("e", "end", N_("End waiver")),
    Action("h", "log_service", N_("Log service hours")),
)

REVIEW_ACTIONS: tuple[Action, ...] = (
    Action("ctrl+s", "save", N_("Save review")),
)

GRADUATION_ACTIONS: tuple[Action, ...] = (
    Action("g", "graduate", N_("Graduate")),
)

SYNC_ACTIONS: tuple[Action, ...] = (
    Action("n", "sync_now", N_("Sync now")),
    Action("v", "toggle_serve", N_("Serving on or off")),
    Action("x", "export_bundle", N_("Export a bundle")),
    Action("i", "import_bundle", N_("Import a bundle")),
    # not in the footer (it has no room at 80 columns): the screen's hint names them
    Action("c", "card", N_("This device's card and QR code"), show=False),
    Action("a", "add_member", N_("Add a member"), show=False),
    Action("r", "revoke", N_("Revoke a member"), show=False),
    Action("b", "backup", N_("Back up now"), show=False),
    Action("f", "toggle_folder", N_("Watch a shared folder"), show=False),
)

SETTINGS_ACTIONS: tuple[Action, ...] = (
    Action("r", "new_rubric", N_("New rubric version")),
    Action("e", "edit_settings", N_("Change settings")),
    Action("m", "choose_month", N_("Choose the month shown")),
)

CARD_ACTIONS: tuple[Action, ...] = (
    Action("escape", "close", N_("Close"), palette=False),
)

IMPORT_PREVIEW_ACTIONS: tuple[Action, ...] = (
    Action("escape", "cancel", N_("Back"), palette=False),
)

CONFIRM_ACTIONS: tuple[Action, ...] = (
    Action("escape", "cancel", N_("Cancel"), palette=False),
)

# Actions the palette offers on every screen (by name, with the area they open)
PALETTE_ANYWHERE: tuple[tuple[str, Action], ...] = (
    *(("sync", a) for a in SYNC_ACTIONS if a.action in ("card", "add_member", "backup")),
    *(("settings", a) for a in SETTINGS_ACTIONS if a.action in ("new_rubric", "edit_settings")),
)

DISTRICT_ACTIONS: tuple[Action, ...] = (
    Action("enter", "select_cursor", N_("Open organization"), show=False, palette=False),
)

ROUNDS_ACTIONS: tuple[Action, ...] = (
    Action("n", "need", N_("Record a need")),
    Action("l", "project", N_("Library project")),
    Action("o", "open_round", N_("Open a round")),
    Action("a", "apply", N_("Application")),
    Action("s", "review", N_("Review score")),
    Action("f", "fund", N_("Fund")),
    Action("e", "evaluate", N_("Evaluate")),
    Action("x", "export", N_("Export the round"), show=False),
)

FORM_ACTIONS: tuple[Action, ...] = (
    Action("escape", "cancel", N_("Cancel"), palette=False),
    Action("ctrl+s", "submit", N_("Save"), palette=False),
)

CHOICE_ACTIONS: tuple[Action, ...] = (
    Action("escape", "cancel", N_("Cancel"), palette=False),
    # priority: the arrows drive the list while the filter box has the focus (typing and
    # Enter there: `ChoiceScreen.take_key`; Enter on the list is the list's own)
    Action("up", "move(-1)", "", show=False, priority=True, palette=False),
    Action("down", "move(1)", "", show=False, priority=True, palette=False),
)

# priority: Enter opens the list at once, so the keys typed after it reach its filter
PICKER_ACTIONS: tuple[Action, ...] = (
    Action("enter", "open_list", N_("Choose"), show=False, priority=True, palette=False),
)

HELP_ACTIONS: tuple[Action, ...] = (
    Action("escape,q,question_mark", "dismiss", "", show=False, palette=False),
)


# Descriptions of Textual's own screen bindings, listed here so the catalog translates them.
TEXTUAL_DESCRIPTIONS = (N_("Focus Next"), N_("Focus Previous"), N_("Copy selected text"),
                        N_("Dismiss menu"))


def takes_typing(screen: Screen) -> bool:
    """Whether a digit typed now belongs to what has the focus, not to the area keys:
    in any modal screen, and anywhere inside a container of class `FORM_FIELDS`."""
    if isinstance(screen, ModalScreen):
        return True
    focused = screen.focused
    return focused is not None and any(node.has_class(FORM_FIELDS)
                                       for node in focused.ancestors_with_self)


def area_title(mode: str) -> str:
    return _(next(title for name, _key, title in (*AREAS, *MORE_AREAS) if name == mode))


def bindings(actions: tuple[Action, ...]) -> list[Binding]:
    """Textual bindings for `actions`; F-keys (area switches) win even inside inputs."""
    return [Binding(key, a.action, a.description, show=a.show, key_display=a.key_display,
                    priority=a.priority or (key[0] == "f" and key[1:].isdigit()))
            for a in actions for key in a.keys.split(",") if key]


def translate_bindings(node: DOMNode) -> None:
    """Describe `node`'s bindings in the current language (msgids become text).

    Textual merges a class's bindings once, when the class is created, and offers no
    public way to describe them again: this is the one place that edits its map."""
    table = node._bindings.key_to_bindings
    for key, found in table.items():
        table[key] = [replace(b, description=_(b.description) if b.description else "",
                              tooltip=_(b.tooltip) if b.tooltip else "") for b in found]


def palette_actions(node: DOMNode) -> list[tuple[str, str]]:
    """(description, action) of what the registry offers on `node` (its `ACTIONS`),
    translated."""
    return [(_(action.description), action.action)
            for action in getattr(node, "ACTIONS", ()) if action.palette]
