"""newsgraph: news reports in, a sourced and queryable record of who did what, and who says so, out."""

from __future__ import annotations

__version__ = "0.1.0"
