"""The Streamlit dashboard: pages and small widgets. They call ``ropa`` functions and draw;
no business logic or SQL lives here."""
