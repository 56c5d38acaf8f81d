"""The register: the one door to the tables.

``organisations``, ``recipients`` and ``activities`` read and write their kind of record, each
write checked (permissions, version) and audited (``audit``); ``bulk`` writes many activities
at once for imports, ``reader`` reads the whole register fast for exports and checks, and
``interchange`` is the JSON format's export and import. The record's shape is :mod:`ropa.records`'.
"""
