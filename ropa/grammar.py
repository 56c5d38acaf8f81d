"""Small grammar helpers so sentences read right in both languages: "1 organisation" and
"2 organisations", "the United States' adequacy decision", "AP-06 uses it"."""

from __future__ import annotations


def plural(n: int, one: str, many: str) -> str:
    """``one`` for exactly 1 (and -1), ``many`` otherwise (0 takes the plural in both languages)."""
    return one if abs(n) == 1 else many


def count(n: int, one: str, many: str) -> str:
    """ "1 organisation", "3 organisations"."""
    return f"{n} {plural(n, one, many)}"


def count_in(lang: str, n: int, nb: tuple[str, str], en: tuple[str, str]) -> str:
    """``count`` in the language: ``count_in("nb", 2, ("aktivitet", "aktiviteter"), ("activity", "activities"))``."""
    one, many = nb if lang == "nb" else en
    return count(n, one, many)


def possessive(name: str, lang: str = "en") -> str:
    """English "Japan's", "the United States'" (a plural name ending in s takes only the apostrophe);
    bokmål "Japans", "USAs", "Hellas'" (a name ending in s, x or z takes an apostrophe)."""
    if lang == "nb":
        return f"{name}'" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"
    if name.endswith("s") and (
        name.startswith("the ")
        or name.endswith(("States", "Islands", "Emirates", "Netherlands", "Philippines", "Bahamas", "Maldives", "Seychelles", "Comoros"))
    ):
        return f"{name}'"
    return f"{name}'s"


def agree(n: int, singular_verb: str, plural_verb: str) -> str:
    """The verb that agrees with a count of subjects: "1 activity uses it", "2 activities use it"."""
    return singular_verb if n == 1 else plural_verb
