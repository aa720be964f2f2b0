"""The 导出 menu: one command-palette entry per report, each opening a small export form."""

from .form import ExportForm, open_export

__all__ = ["ExportForm", "open_export"]
