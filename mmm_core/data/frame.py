"""The MFF frame as read, before interpretation: the canonical columns, header matching, and ``RawFrame``.

Shared by the long reader (``data.read``) and the wide one (``data.wide``), which is why it lives apart from both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

# The canonical MFF columns, in file order, and the names used in the store and in frames.
MFF_COLUMNS = ("Period", "Geography", "Product", "Campaign", "Outlet", "Creative", "VariableName", "VariableValue")
FRAME_NAMES = dict(
    zip(MFF_COLUMNS, ("period", "geography", "product", "campaign", "outlet", "creative", "variable_name", "value"))
)
REQUIRED_COLUMNS = ("Period", "VariableName", "VariableValue")
DIMENSION_COLUMNS = ("Geography", "Product", "Campaign", "Outlet", "Creative")


@dataclass
class RawFrame:
    """The file's rows, not yet interpreted. ``frame`` has the FRAME_NAMES columns plus ``line``."""

    frame: pd.DataFrame
    file: str
    fmt: str
    # Original header text per canonical column (for messages); wide files map variables to their own column.
    headers: dict[str, str] = field(default_factory=dict)
    decimal_comma: bool = False  # a ';'-delimited file: values may use decimal commas (checked when parsed)
    warnings: list[str] = field(default_factory=list)

    def column_label(self, canonical: str, variable: str | None = None) -> str:
        """The column as the user wrote it, so messages point at their header."""
        if self.fmt == "wide" and canonical == "VariableValue" and variable is not None:
            return variable
        return self.headers.get(canonical, canonical)


def normalise_header(name: str) -> str:
    """Header key insensitive to case, spaces, underscores and hyphens: 'Variable Name' -> 'variablename'."""
    return re.sub(r"[\s_\-]+", "", name.strip().lstrip("\ufeff")).lower()
