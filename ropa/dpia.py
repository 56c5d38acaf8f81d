"""DPIA screening (Art. 35): does an activity need a data protection impact assessment?

The answers live with the activity (``dpia.screening``: criterion -> yes/no/unanswered and a
note). The rule, in order: any Art. 35(3) case, or a match on Datatilsynet's Art. 35(4) list of
processing that always requires a DPIA (:data:`ropa.vocab.DPIA_LIST_NO`), makes a DPIA
*required*; two or more of the nine WP248 rev.01 criteria make one *likely needed* ("in most
cases ... the controller can consider that ... a DPIA is required"); exactly one makes it one to
*consider* (WP248: "in some cases, a data controller can consider that a processing meeting only
one of these criteria requires a DPIA"); none, with every question answered, *not needed*;
otherwise the screening is *incomplete*. The result always names the answers or list items that
led to it, so a DPO can defend it to the supervisory authority.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ropa import vocab

RESULTS = vocab.DPIA_RESULTS
WP248_THRESHOLD = 2  # WP248 rev.01 III.B.a: two criteria or more


@dataclass(frozen=True)
class Screening:
    """The outcome of a screening: the result code and the answers behind it."""

    result: str  # a key of RESULTS
    art35_3: tuple[str, ...] = ()  # Art. 35(3) cases answered yes
    criteria: tuple[str, ...] = ()  # WP248 criteria answered yes
    unanswered: tuple[str, ...] = field(default=())
    listed: tuple[str, ...] = ()  # items of Datatilsynet's Art. 35(4) list that match

    @property
    def dpia_expected(self) -> bool:
        return self.result in ("required", "likely")

    def label(self, lang: str = "en") -> str:
        return RESULTS[self.result].label(lang)

    def explain(self, lang: str = "en") -> str:
        """One sentence: the result and why, in the user's language."""
        nb = lang == "nb"
        names = lambda keys: ", ".join(vocab.DPIA_CRITERIA[k].display(lang) for k in keys)  # noqa: E731
        listed = "; ".join(vocab.DPIA_LIST[k].label(lang) for k in self.listed)
        if self.result == "required" and not self.art35_3:
            why = (
                f"på Datatilsynets liste over behandlinger som alltid krever DPIA (art. 35 nr. 4): {listed}"
                if nb
                else f"on Datatilsynet's list of processing that always requires a DPIA (Art. 35(4)): {listed}"
            )
        elif self.result == "required":
            why = f"{'Art. 35(3)-tilfelle' if nb else 'Art. 35(3) case'}: {names(self.art35_3)}"
            if listed:
                why += f"; og på Datatilsynets liste (art. 35 nr. 4): {listed}" if nb else f"; and on Datatilsynet's list (Art. 35(4)): {listed}"
        elif self.result == "likely":
            n = len(self.criteria)
            why = (
                f"{n} av de ni WP248-kriteriene er oppfylt: {names(self.criteria)}" if nb else f"{n} of the nine WP248 criteria are met: {names(self.criteria)}"
            )
        elif self.result == "consider":
            why = (
                f"1 av de ni WP248-kriteriene er oppfylt: {names(self.criteria)}; WP248 sier at også ett kriterium kan "
                "gjøre DPIA nødvendig, så vurder det og dokumenter hvorfor eller hvorfor ikke"
                if nb
                else f"1 of the nine WP248 criteria is met: {names(self.criteria)}; WP248 says one criterion can be "
                "enough for a DPIA, so consider it and record why or why not"
            )
        elif self.result == "not_needed":
            n = len(self.criteria)
            why = (
                f"alle kriterier er besvart, og {n} av de ni WP248-kriteriene er oppfylt (terskelen er {WP248_THRESHOLD})"
                if nb
                else f"every criterion is answered and {n} of the nine WP248 criteria are met (the threshold is {WP248_THRESHOLD})"
            )
        else:
            why = f"{len(self.unanswered)} spørsmål er ikke besvart" if nb else f"{len(self.unanswered)} questions are not answered"
        return f"{self.label(lang)}: {why}."


def _answer(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value.get("answer")
    return getattr(value, "answer", None)


_ALL_UNANSWERED = Screening("incomplete", unanswered=tuple(vocab.DPIA_CRITERIA))


def _implied(activity: Optional[Mapping[str, Any]]) -> set[str]:
    """Items of Datatilsynet's list the activity's data categories already are (e.g. genetic data)."""
    if not activity:
        return set()
    categories = [*(activity.get("data_categories") or []), *(activity.get("special_categories") or [])]
    return {
        item.key for item in vocab.DPIA_LIST_NO if item.categories and any(c.startswith(item.categories) and c != "user.biometric.voice" for c in categories)
    }


def screen(answers: Mapping[str, Any], activity: Optional[Mapping[str, Any]] = None) -> Screening:
    """Judge a screening: ``answers`` maps criterion keys to ``{"answer": bool|None, "note": ...}``
    (or ScreeningAnswer objects). With ``activity``, its data categories count for the items of
    Datatilsynet's list they are (genetic, biometric, location data) unless answered no."""
    implied = _implied(activity)
    if not answers and not implied:
        return _ALL_UNANSWERED  # the usual case in a large register: answer nothing, learn nothing
    given = {k: _answer(v) for k, v in (answers or {}).items()}
    for k in implied:
        if given.get(k) is None:
            given[k] = True
    yes = {k for k, v in given.items() if v is True}
    unanswered = tuple(k for k in vocab.DPIA_CRITERIA if given.get(k) is None)
    art35 = tuple(k for k in vocab.ART35_3_CASES if k in yes)
    criteria = tuple(k for k in vocab.WP248_CRITERIA if k in yes)
    listed = tuple(item.key for item in vocab.DPIA_LIST_NO if item.key in yes and (not item.with_another or any(c not in item.not_another for c in criteria)))
    if art35 or listed:
        result = "required"
    elif len(criteria) >= WP248_THRESHOLD:
        result = "likely"
    elif len(criteria) == 1:
        result = "consider"
    elif not unanswered:
        result = "not_needed"
    else:
        result = "incomplete"
    return Screening(result, art35, criteria, unanswered, listed)


def suggest(activity: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Answers the register already implies, for the editor to offer (never stored unasked):
    special categories or criminal-offence data are WP248 criterion 4."""
    special = set(activity.get("special_categories") or []) | (set(activity.get("data_categories") or []) & vocab.SPECIAL_CATEGORY_KEYS)
    criminal = bool(activity.get("criminal_data")) or bool(set(activity.get("data_categories") or []) & vocab.CRIMINAL_CATEGORY_KEYS)
    out: dict[str, dict[str, Any]] = {}
    if special or criminal:
        what = ", ".join(sorted(special)) or "Art. 10"
        out["sensitive_data"] = {"answer": True, "note": f"recorded: {what}"}
    return out
