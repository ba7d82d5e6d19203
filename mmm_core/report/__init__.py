"""The narrative report: data collection, charts, rendering (HTML/Markdown) and prose checks."""

from mmm_core.report.build import (  # the public API of this package
    FIXED_PROSE,
    SECTIONS,
    Rewriter,
    build_report,
    check_prose,
    report,
)

__all__ = ["FIXED_PROSE", "Rewriter", "SECTIONS", "build_report", "check_prose", "report"]
