"""`--help` in the current language: our help texts and Click's and Typer's own words
(Usage, Options, Show this message and exit, default, required, type names) through the
one gettext catalog, laid out by terminal cells (a Chinese character takes two).

The help texts stay English msgids in the code (docstrings and `help=`), as everywhere
else; `tests/cli/test_help.py` checks that every one of them has Chinese.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

from rich.cells import cell_len
from typer._click import Context, HelpFormatter
from typer.core import TyperCommand, TyperGroup

from ..i18n import N_, _

# what Typer writes in angle brackets for an option's or an argument's type
TYPE_NAMES = {"str": N_("text"), "int": N_("integer"), "int range": N_("integer"),
              "float": N_("number"), "float range": N_("number"), "path": N_("path"),
              "list[str]": N_("texts")}
# the arguments' names as `--help` shows them (Typer shows the parameter's name)
ARGUMENT_NAMES = {
    "org": N_("organization"), "hub": N_("hub"), "space": N_("space"), "ref": N_("record"),
    "name": N_("name"), "field": N_("field"), "interview": N_("interview"),
    "waiver": N_("waiver"), "backup_file": N_("backup file"), "card": N_("card"),
    "changes": N_("changes"), "device": N_("device"), "item": N_("item"), "key": N_("key"),
    "path": N_("path"), "state": N_("state"), "round": N_("round"),
    "application": N_("application"), "project": N_("project"), "person": N_("person"),
    "file": N_("file"), "dir": N_("folder"), "folders": N_("folders"),
}
# Click's and Typer's own words, listed so that the catalog translates them
CLICK_WORDS = (N_("Options"), N_("Arguments"), N_("Commands"), N_("[OPTIONS]"),
               N_("COMMAND [ARGS]..."), N_("Show this message and exit."))
_RANGE = re.compile(r"(?:(?P<low>[-\d.]+)<=)?x(?:<=(?P<high>[-\d.]+)|>=(?P<min>[-\d.]+))?")
_CLOSING = set("，。、；：）！？」』”’》")  # never at the start of a line
_OPENING = set("（「『“‘《")  # never at the end of one
_TOKEN = re.compile(r"\s+|[\x21-\x7e]+|.")  # blanks, a run of ASCII, or one character


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """Lines of at most `width` cells: ASCII words stay whole, Chinese breaks between
    characters but never before closing punctuation; blanks between lines are dropped."""
    lines, line, blank = [], first, False
    start = len(first)
    for token in _TOKEN.findall(" ".join(text.split("\n"))):
        if token.isspace():
            blank = len(line) > start
            continue
        piece = (" " if blank else "") + token
        if len(line) > start and cell_len(line) + cell_len(piece) > width:
            # an opening bracket goes down with what follows it; closing punctuation
            # takes the character before it down too
            carried = _carried(line, token[0] in _CLOSING)
            if len(line) - len(carried) > start:
                lines.append(line[:len(line) - len(carried)])
                line, start, piece = rest, len(rest), carried + token
        line += piece
        blank = False
    if len(line) > start:
        lines.append(line)
    return lines


def _carried(line: str, before_closing: bool) -> str:
    """The end of `line` that must go down to the next line with what follows: an
    opening bracket, or before closing punctuation the closing punctuation already there
    and the word or character it closes."""
    if line[-1] in _OPENING:
        return line[-1]
    if not before_closing:
        return ""
    end = len(line)
    while end and line[end - 1] in _CLOSING:
        end -= 1
    word = re.search(r"[\x21-\x7e]+$", line[:end])
    return line[word.start() if word else max(end - 1, 0):]


class TranslatedFormatter(HelpFormatter):
    """Click's formatter, with headings translated and lines measured in cells."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{' ' * self.current_indent}{_('Usage: {command}').format(command=prog)} "
        indent = " " * min(cell_len(head), 40)
        self.write("\n".join(wrap(args, self.width, head, indent)) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{' ' * self.current_indent}{_('{heading}:').format(heading=_(heading))}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
            if number:
                self.write("\n")
            self.write("\n".join(wrap(paragraph, self.width, indent, indent)) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((cell_len(term) for term, _help in rows), default=0),
                        col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            if not text:
                self.write(f"{indent}{term}\n")
                continue
            if cell_len(term) <= first_col - col_spacing:
                head = f"{indent}{term}{' ' * (first_col - cell_len(term))}"
            else:
                self.write(f"{indent}{term}\n")
                head = " " * (first_col + self.current_indent)
            self.write("\n".join(wrap(text, self.width, head,
                                      " " * (first_col + self.current_indent))) + "\n")


class TranslatedContext(Context):
    formatter_class = TranslatedFormatter


def _type_name(text: str) -> str:
    """'<str>' → '<文本>'; anything else (a list of choices: data) stays as it is."""
    return re.sub(r"<([^<>]+)>", lambda m: f"<{_(TYPE_NAMES[m.group(1)])}>"
                  if m.group(1) in TYPE_NAMES else m.group(0), text)


def _argument_name(name: str) -> str:
    key = name.lower().rstrip(".")
    return _(ARGUMENT_NAMES[key]) + name[len(key):] if key in ARGUMENT_NAMES else name


def _extra(piece: str) -> str:
    """One item of the brackets after an option's help: default, required or a range."""
    if piece.startswith("default: "):
        return _("default: {default}").format(default=piece[len("default: "):])
    if piece == "required":
        return _("required")
    found = _RANGE.fullmatch(piece)
    if not found:
        return piece
    if found["min"] is not None:
        return _("at least {minimum}").format(minimum=found["min"])
    if found["low"] is None:
        return _("at most {maximum}").format(maximum=found["high"])
    return _("{minimum} to {maximum}").format(minimum=found["low"], maximum=found["high"])


def help_record(param, ctx: Context) -> tuple[str, str] | None:
    """An option's or argument's line of `--help` in the current language, from the one
    Typer writes in English: the term's type and name, the help, the bracketed extras."""
    record = param.get_help_record(ctx)
    if record is None:
        return None
    term, text = record
    own = param.help or ""
    rest = text[len(own):] if text.startswith(own) else text
    extras = re.fullmatch(r"\s*\[(.*)\]", rest)
    shown = _(own) if own else ""
    if extras:
        translated = _("; ").join(_extra(piece) for piece in extras.group(1).split("; "))
        shown = f"{shown}  [{translated}]" if shown else f"[{translated}]"
    if param.param_type_name == "argument":
        name, _blank, kind = term.partition(" ")
        term = f"{_argument_name(name)} {kind}".strip()
    return _type_name(term), shown


class TranslatedHelp:
    """What `--help` of a command or a group writes, in the current language."""

    context_class = TranslatedContext

    def get_short_help_str(self, limit: int = 45) -> str:
        text = _(inspect.cleandoc(self.short_help or self.help or "").partition("\f")[0])
        sentence = re.match(r"(.+?[.。；;])(\s|$)", text)
        if sentence and cell_len(sentence.group(1)) <= limit:
            return sentence.group(1)
        lines = wrap(text, limit - 1)
        return lines[0] + ("…" if len(lines) > 1 else "") if lines else ""

    def format_help_text(self, ctx: Context, formatter: HelpFormatter) -> None:
        text = _(inspect.cleandoc(self.help).partition("\f")[0]) if self.help else ""
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [_(piece) if piece in CLICK_WORDS else
                re.sub(r"\{([^{}]+)\}|^\[([^\[\]]+)\]$", lambda m: f"{{{_argument_name(m[1])}}}"
                       if m[1] else f"[{_argument_name(m[2])}]", piece)
                for piece in pieces]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = help_record(param, ctx)
            if record is not None:
                (arguments if param.param_type_name == "argument" else options).append(record)
        for title, records in ((N_("Arguments"), arguments), (N_("Options"), options)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)
        if hasattr(self, "format_commands"):
            self.format_commands(ctx, formatter)


class HelpCommand(TranslatedHelp, TyperCommand):
    """A command whose `--help` is in the current language."""


class HelpGroup(TranslatedHelp, TyperGroup):
    """A command group whose `--help` is in the current language."""
