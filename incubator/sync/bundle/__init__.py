"""Signed, encrypted sync bundles for a USB stick: the file format and what goes in it."""

from .contents import BundleDoc, BundleError, ImportSummary
from .format import ExportSummary, export_bundle, import_bundle, inspect_bundle

__all__ = ["BundleDoc", "BundleError", "ExportSummary", "ImportSummary", "export_bundle",
           "import_bundle", "inspect_bundle"]
