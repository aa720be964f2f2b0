"""`--help` of every command in Chinese (Click's own words too), and in English with --lang en."""

import inspect

from typer.main import get_command
from typer.testing import CliRunner

from incubator import i18n
from incubator.cli import app

from ..chinese_text import english_words

runner = CliRunner()


def commands(command=None, context=None):
    """(context, command) of the root, every group and every command: the tree Typer
    builds once (a CliRunner run builds it anew, 0.3 s each)."""
    command = command or get_command(app)
    context = context or command.context_class(command, info_name="incubator",
                                               terminal_width=80)
    yield context, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, sub.context_class(sub, info_name=name, parent=context))


def names(command) -> set[str]:
    """The command's own words as typed: its subcommands' and its options' names."""
    found = set(getattr(command, "commands", {}))
    for param in command.params:
        found |= {param.name, *param.opts, *param.secondary_opts}
    return found


def test_every_help_text_has_chinese():
    i18n.set_language("zh")
    texts = {inspect.cleandoc(text) for _context, command in commands()
             for text in (command.help, *(getattr(p, "help", None) for p in command.params))
             if text}
    assert len(texts) > 200
    assert sorted(text for text in texts if i18n._(text) == text) == []


def test_every_help_is_chinese_but_for_data():
    """No English word in any --help but command and option names and accepted values."""
    i18n.set_language("zh")
    every_name = set().union(*(names(command) for _context, command in commands()))
    english, shown = {}, 0
    for context, command in commands():
        text = command.get_help(context)  # what --help prints
        assert text.startswith(f"用法：{context.command_path}")
        words = english_words(text, every_name)
        if words:
            english[context.command_path] = words
        shown += 1
    assert english == {} and shown > 80
    assert runner.invoke(app, ["--help"]).output.startswith("用法：incubator [选项] 命令")


def test_lang_en_shows_the_help_in_english():
    shown = runner.invoke(app, ["--lang", "en", "org", "list", "--help"]).output
    assert shown.startswith("Usage: incubator org list [OPTIONS]")
    assert "Show this message and exit." in shown and "At most this many rows." in shown
    assert "[at least 1]" in shown and "--sort <text>" in shown
    shown = runner.invoke(app, ["--lang", "en", "score", "set", "--help"]).output
    assert "Arguments:" in shown and "organization <text>" in shown and "[required]" in shown


def test_chinese_help_is_wrapped_by_cells():
    """A Chinese character takes two cells: no line of --help is wider than the terminal."""
    from rich.cells import cell_len

    shown = runner.invoke(app, ["org", "list", "--help"], terminal_width=80).output
    assert max(cell_len(line) for line in shown.splitlines()) <= 80
    assert "默认：name" in shown and "不小于 1" in shown and "显示本帮助并退出。" in shown
