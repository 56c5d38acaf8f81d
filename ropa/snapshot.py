"""Compatibility: this module is now :mod:`ropa.register.reader`; the names stay importable
from here for code written before the move. New code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.register.reader import (
    _ACTIVITY_COLUMNS as _ACTIVITY_COLUMNS,
)
from ropa.register.reader import (
    ORG as ORG,
)
from ropa.register.reader import (
    A as A,
)
from ropa.register.reader import (
    B as B,
)
from ropa.register.reader import (
    L as L,
)
from ropa.register.reader import (
    R as R,
)
from ropa.register.reader import (
    T as T,
)
from ropa.register.reader import (
    _build as _build,
)
from ropa.register.reader import (
    _fetch as _fetch,
)
from ropa.register.reader import (
    _raw as _raw,
)
from ropa.register.reader import (
    gc_paused as gc_paused,
)
from ropa.register.reader import (
    iter_activities as iter_activities,
)
from ropa.register.reader import (
    iter_for_checks as iter_for_checks,
)
from ropa.register.reader import (
    organisations as organisations,
)
from ropa.register.reader import (
    recipients as recipients,
)
