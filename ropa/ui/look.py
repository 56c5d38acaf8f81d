"""How severities and statuses look on every page: one colour and icon each, so an error, a
warning and a note are told apart at a glance (and not by colour alone: each has its icon)."""

from __future__ import annotations

from ropa import checks

SEVERITY_COLOURS = {"error": "red", "warning": "orange", "info": "blue"}  # Streamlit's Markdown colours
SEVERITY_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def severity(sev: str, lang: str, text: str | None = None) -> str:
    """Markdown for a severity in its colour with its icon: ":red[:material/error: Feil]"."""
    label = text if text is not None else checks.severity_label(sev, lang).capitalize()
    return f":{SEVERITY_COLOURS.get(sev, 'gray')}[{SEVERITY_ICONS.get(sev, '')} {label}]"


# Plain-text signs for table cells and their legend. Not the emoji "⛔" (U+26D4): only colour-emoji
# fonts have it, and a browser without one (Debian's Chromium on a server, many Linux desktops)
# draws an empty box; these three are in the common text fonts (DejaVu, Segoe UI Symbol, Apple's).
BADGE_SIGNS = {"error": "✖", "warning": "⚠", "info": "ℹ"}


def badge(counts: dict[str, int]) -> str:
    """Plain text for a table cell: "✖ 2  ⚠ 1  ℹ 3" (what is there only)."""
    return "  ".join(f"{BADGE_SIGNS[s]} {counts[s]}" for s in ("error", "warning", "info") if counts.get(s))
