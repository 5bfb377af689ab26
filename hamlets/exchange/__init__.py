"""Bulk import and export in the exchange format (spec/exchange-format.md)."""

from .exporter import export_path, export_tables
from .importer import ImportResult, Problem, import_path, import_sheets

__all__ = ["ImportResult", "Problem", "export_path", "export_tables", "import_path", "import_sheets"]
