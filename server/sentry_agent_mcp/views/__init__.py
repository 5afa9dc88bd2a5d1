"""Compact, agent-facing views of Sentry objects, one module per entity family.

A view is declared with its pair in the catalog (``Pair.view``) and applied in one place, the
executor, so the MCP server, the CLI and the Python API all return the same shapes. ``detail:
'full'`` returns Sentry's raw object, ``fields=[...]`` a projection of it.
"""

from .base import GENERIC, View, select_fields, tidy
from .cutting import size_of
from .options import COMPACT, OPTION_NAMES, OPTIONS_SCHEMA, ViewOptions
from .render import as_columns, fit_object, shape_item

__all__ = [
    "COMPACT",
    "GENERIC",
    "OPTIONS_SCHEMA",
    "OPTION_NAMES",
    "View",
    "ViewOptions",
    "as_columns",
    "fit_object",
    "select_fields",
    "shape_item",
    "size_of",
    "tidy",
]
