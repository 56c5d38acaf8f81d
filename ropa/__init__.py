"""ROPA registry: the GDPR Art. 30 record of processing activities, as a library.

Everything the dashboard and the CLI do is a plain function in this package, so it can be
scripted, tested and reused without Streamlit.
"""

import os

# The workbook writer (ropa.excel.export) streams rows through openpyxl's standard-library XML
# writer. openpyxl switches to lxml whenever lxml is importable (python-docx brings it), and its
# lxml writer has no raw stream to write to: keep openpyxl on the standard one. Set before any
# module of ours imports openpyxl; ropa.excel.export checks that it took effect.
os.environ["OPENPYXL_LXML"] = "False"

__version__ = "0.1.0"
