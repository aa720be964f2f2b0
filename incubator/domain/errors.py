"""Messages that cross the domain boundary: an English msgid plus its parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def _identity(message: str) -> str:
    return message


def N_(message: str) -> str:
    """Mark a string as a msgid for extraction; translated where it is shown."""
    return message


@dataclass(frozen=True)
class Text:
    """A translatable message: `message` is the msgid, `params` fill its placeholders."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """The message in the caller's language; `Text` parameters are translated too."""
        params = {key: value.render(translate) if isinstance(value, Text) else value
                  for key, value in self.params.items()}
        return translate(self.message).format(**params)


class DomainError(ValueError):
    """Input the rules refuse; nothing has been changed."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.text = Text(message, params)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        return self.text.render(translate)

    def __str__(self) -> str:
        return self.render()
