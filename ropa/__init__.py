"""ROPA registry: the GDPR Art. 30 record of processing activities, as a library.

Everything the dashboard and the CLI do is a plain function in this package, so it can be
scripted, tested and reused without Streamlit.
"""

import os

# python-docx (the Word documents) brings lxml, and openpyxl switches its XML writer to lxml's
# when it finds it; the workbook export streams rows through the standard library's writer.
# Keep openpyxl on that writer (before anything imports openpyxl) unless someone chose otherwise.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
