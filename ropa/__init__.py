"""ROPA registry: the GDPR Art. 30 record of processing activities, as a library.

Everything the dashboard and the CLI do is a plain function in this package, so it can be
scripted, tested and reused without Streamlit.
"""

__version__ = "0.1.0"
