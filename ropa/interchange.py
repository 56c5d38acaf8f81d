"""Compatibility: this module is now :mod:`ropa.register.interchange`; the names stay importable
from here for code written before the move. New code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.register.interchange import (
    ImportReport as ImportReport,
    MAX_DIGITS as MAX_DIGITS,
    MAX_JSON_BYTES as MAX_JSON_BYTES,
    _HugeInt as _HugeInt,
    __all__ as __all__,
    _compact as _compact,
    _conflict as _conflict,
    _huge_numbers as _huge_numbers,
    _import_organisation as _import_organisation,
    _int as _int,
    _organisation_docs as _organisation_docs,
    _write as _write,
    dumps as dumps,
    export_document as export_document,
    import_document as import_document,
    read_json as read_json,
    write_json as write_json,
)
