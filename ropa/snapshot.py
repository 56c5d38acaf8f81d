"""Compatibility: this module is now :mod:`ropa.register.reader`; the names stay importable
from here for code written before the move. New code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.register.reader import (
    A as A,
    B as B,
    L as L,
    ORG as ORG,
    R as R,
    T as T,
    _ACTIVITY_COLUMNS as _ACTIVITY_COLUMNS,
    _build as _build,
    _fetch as _fetch,
    _raw as _raw,
    gc_paused as gc_paused,
    iter_activities as iter_activities,
    iter_for_checks as iter_for_checks,
    organisations as organisations,
    recipients as recipients,
)
