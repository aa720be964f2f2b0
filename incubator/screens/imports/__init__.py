"""导入: a roster, a month's score sheet or activity records read from a file, previewed
as the CLI's dry run prints it, then written."""

from .form import ImportForm, open_import
from .preview import ImportPreview

__all__ = ["ImportForm", "ImportPreview", "open_import"]
