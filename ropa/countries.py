"""Countries: ISO 3166 codes from pycountry with their Norwegian names, EEA membership, the
adequacy decisions in force (both their dates) and the country search of the editor.

The adequacy table below is the one place to update when the Commission adopts, renews or
withdraws a decision. Last checked 2026-12-02. Each decision keeps both of its dates: the
Commission's adoption, and its incorporation into the EEA Agreement (an EEA Joint Committee
decision; None where no source for it was found, see the note above the table). Which one a
judgement relies on depends on where the exporter is established
(:meth:`AdequacyDecision.relied_on`):

- in the EU, or in Norway: the Commission's adoption. In Norway a decision under Art. 45 applies
  from the same time as in the EU under personopplysningsforskriften § 2 (regjeringen.no's
  EEA note on (EU) 2022/254: "Etter personopplysningsforskriften §2 gjelder beslutningen fra samme
  tidspunkt også i Norge"), whenever the Joint Committee incorporates it;
- in Iceland or Liechtenstein: the EEA incorporation where it is recorded, otherwise the
  Commission's adoption (Art. 45(1a) as adapted by JCD No 154/2018 lets an EFTA State apply a
  decision pending its incorporation).

Every finding that cites a decision says which date it relied on, and, when only the adoption is
known, that the incorporation date is not recorded (:meth:`AdequacyDecision.date_note`).
"""

from __future__ import annotations

import gettext
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache
from typing import Optional

import pycountry

from ropa.terms import _terms

# --- Countries -----------------------------------------------------------------------------------


class CountryStatus(str, Enum):
    EEA = "eea"
    ADEQUATE = "adequate"
    ADEQUATE_CONDITIONAL = "adequate_conditional"
    THIRD_COUNTRY = "third_country"


COUNTRY_STATUSES = _terms(
    ("eea", "EEA", "EØS"),
    ("adequate", "Adequacy decision", "Adekvansbeslutning", "Art. 45"),
    ("adequate_conditional", "Adequacy with conditions", "Adekvans med vilkår", "Art. 45"),
    ("third_country", "Third country", "Tredjestat"),
)

EEA_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",  # the 27 EU member states
        "IS",
        "LI",
        "NO",  # EEA EFTA states
    }
)


@dataclass(frozen=True)
class AdequacyDecision:
    """A Commission decision under Art. 45 (or Directive 95/46 Art. 25(6), kept by Art. 45(9)).

    ``confirm`` says when a transfer must confirm that the importer is covered: ``"recipient"``
    for every importer (the United States: only organisations certified under the DPF; Canada:
    only commercial organisations subject to PIPEDA), None where the decision covers the importers
    the register can tell apart (Korea's exclusion, credit information held by financial
    institutions, is not one the register records). ``not_for`` names the recipient kinds a
    decision never covers, whatever is confirmed: a public authority in Canada (PIPEDA is the
    private-sector law), Japan (the APPI's business operators) or the United States (only DPF
    organisations, which public bodies cannot be).
    """

    country: str
    decision: str
    adopted: date
    conditional: bool
    scope_en: str
    scope_nb: str
    eea_incorporated: Optional[date] = None  # EEA Joint Committee decision; None: no source found, not recorded
    confirm: Optional[str] = None
    not_for: tuple[str, ...] = ()  # recipient kinds the decision never covers (e.g. public authorities)

    def scope(self, lang: str = "en") -> str:
        return self.scope_nb if lang == "nb" else self.scope_en

    def excludes(self, recipient_kind: Optional[str]) -> bool:
        """Whether the decision cannot cover this kind of importer (see ``not_for``)."""
        return bool(recipient_kind) and recipient_kind in self.not_for

    def needs_confirmation(self, recipient_kind: Optional[str]) -> bool:
        """Whether a transfer to this importer must confirm it is covered (see ``confirm``)."""
        if self.confirm == "recipient":
            return True
        return self.confirm == "public_authority" and recipient_kind == "public_authority"

    def relied_on(self, efta_state: Optional[str] = None) -> tuple[str, date]:
        """Which date governs the decision for an exporter established in ``efta_state`` (an EEA
        EFTA state's code, or None for one in the EU): ("eea", incorporation) for Iceland or
        Liechtenstein when recorded; otherwise ("adoption", the Commission's adoption date), which
        is also Norway's date whatever the incorporation (personopplysningsforskriften § 2)."""
        if efta_state in _INCORPORATION_STATES and self.eea_incorporated:
            return "eea", self.eea_incorporated
        return "adoption", self.adopted

    def date_note(self, efta_state: Optional[str] = None, lang: str = "en") -> str:
        """The date a judgement relied on, in words, e.g. "Commission Implementing Decision (EU)
        2023/1795, adopted by the Commission on 2023-07-10 (the date relied on: the Commission's
        adoption, from which it applies in Norway too under personopplysningsforskriften § 2; the
        EEA incorporation date is not recorded)" for an exporter in Norway."""
        which, when = self.relied_on(efta_state)
        nb = lang == "nb"
        if which == "eea":
            return (
                f"{self.decision}, innlemmet i EØS-avtalen {when.isoformat()} (datoen som er lagt til grunn: "
                f"innlemmelsen i EØS-avtalen; Kommisjonen vedtok den {self.adopted.isoformat()})"
                if nb
                else f"{self.decision}, incorporated into the EEA Agreement on {when.isoformat()} (the date relied on: "
                f"the EEA incorporation; the Commission adopted it on {self.adopted.isoformat()})"
            )
        if not efta_state:
            return (
                f"{self.decision}, vedtatt av Kommisjonen {when.isoformat()} (datoen som er lagt til grunn: Kommisjonens vedtak)"
                if nb
                else f"{self.decision}, adopted by the Commission on {when.isoformat()} (the date relied on: the Commission's adoption)"
            )
        why_en = why_nb = ""
        if efta_state == "NO":
            why_en = ", from which it applies in Norway too under personopplysningsforskriften § 2"
            why_nb = ", som den etter personopplysningsforskriften § 2 også gjelder fra i Norge"
        if self.eea_incorporated:
            eea_en = f"incorporated into the EEA Agreement on {self.eea_incorporated.isoformat()}"
            eea_nb = f"innlemmet i EØS-avtalen {self.eea_incorporated.isoformat()}"
        else:
            eea_en, eea_nb = "the EEA incorporation date is not recorded", "datoen for innlemmelse i EØS-avtalen er ikke registrert"
        return (
            f"{self.decision}, vedtatt av Kommisjonen {when.isoformat()} (datoen som er lagt til grunn: Kommisjonens vedtak{why_nb}; {eea_nb})"
            if nb
            else f"{self.decision}, adopted by the Commission on {when.isoformat()} (the date relied on: the Commission's adoption{why_en}; {eea_en})"
        )


# The EEA EFTA states where a decision binds from its incorporation into the EEA Agreement (Norway
# applies it from the Commission's adoption, personopplysningsforskriften § 2).
_INCORPORATION_STATES = frozenset({"IS", "LI"})


def _ad(
    country: str,
    decision: str,
    adopted: date,
    scope_en: str,
    scope_nb: str,
    conditional: bool = False,
    eea_incorporated: Optional[date] = None,
    confirm: Optional[str] = None,
    not_for: tuple[str, ...] = (),
) -> AdequacyDecision:
    return AdequacyDecision(country, decision, adopted, conditional, scope_en, scope_nb, eea_incorporated, confirm, not_for)


# The EEA incorporation dates (EEA Joint Committee decisions amending Annex XI). Searched for (EFTA,
# regjeringen.no's EØS-notatbase, europalov.no, EUR-Lex, Datatilsynet) on 2026-11-24 and 2026-12-02;
# one was found stated in a source, for the Republic of Korea, (EU) 2022/254: europalov.no,
# "Beskyttelse av personopplysninger ved datautveksling med Sør-Korea"
# (https://www.europalov.no/rettsakt/beskyttelse-av-personopplysninger-ved-datautveksling-med-sor-korea/id-30086):
# "EØS-komitebeslutning 8.7.2022 om innlemmelse i EØS-avtalen" (the decision's number is not given
# there). For every other decision no date was found and None is recorded. (Of the decisions under
# Directive 95/46, europalov.no's page on 2003/821/EC, Guernsey, id-2241, says they "alle er innlemmet
# i EØS-avtalen", without dates.) JCD No 144/2017 of 7 July
# 2017 (hsfnotes.com) incorporated the Privacy Shield decision (EU) 2016/1250, invalidated in
# Schrems II and not in this table. Record a date here only with its source beside it.
# Why the adoption date is sound where no incorporation is recorded: for Norway,
# personopplysningsforskriften § 2 (regjeringen.no, EØS-notat on (EU) 2022/254,
# https://www.regjeringen.no/no/sub/eos-notatbasen/notatene/2022/mars/kommisjonsbeslutning-om-tilstrekkelig-beskyttelsesniva-for-personopplysninger-i-korea/id2913172/:
# "Etter personopplysningsforskriften §2 gjelder beslutningen fra samme tidspunkt også i Norge");
# for Iceland and Liechtenstein, JCD No 154/2018 of 6 July 2018 (incorporating the GDPR; German
# text at gesetze.li, LGBl. 2018/154), adaptation (e), inserts an Art. 45(1a): "Bis ein Beschluss des
# Gemeinsamen EWR-Ausschusses über die Aufnahme eines gemäss den Abs. 3 oder 5 dieses Artikels
# erlassenen Durchführungsrechtsakts in das EWR-Abkommen vorliegt, kann ein E[FTA-Staat] ..."
# (pending incorporation an EFTA State may apply it).
_ALL = ("All transfers under the GDPR.", "Alle overføringer etter personvernforordningen.")
ADEQUACY_DECISIONS: dict[str, AdequacyDecision] = {
    d.country: d
    for d in (
        _ad("AD", "Commission Decision 2010/625/EU", date(2010, 10, 19), *_ALL),
        _ad("AR", "Commission Decision 2003/490/EC", date(2003, 6, 30), *_ALL),
        _ad("BR", "Commission Implementing Decision (EU) 2026/179", date(2026, 1, 26), *_ALL),
        _ad(
            "CA",
            "Commission Decision 2002/2/EC",
            date(2001, 12, 20),
            "Only commercial organisations subject to PIPEDA (Personal Information Protection and Electronic Documents Act).",
            "Bare kommersielle virksomheter som er omfattet av PIPEDA (kanadisk personvernlov for privat sektor).",
            True,
            confirm="recipient",
            not_for=("public_authority",),
        ),
        _ad("CH", "Commission Decision 2000/518/EC", date(2000, 7, 26), *_ALL),
        _ad("FO", "Commission Decision 2010/146/EU", date(2010, 3, 5), *_ALL),
        _ad(
            "GB",
            "Commission Implementing Decision (EU) 2021/1772",
            date(2021, 6, 28),
            "All transfers under the GDPR; renewed by the Commission on 2025-12-19 until 2031-12-27.",
            "Alle overføringer etter personvernforordningen; fornyet av Kommisjonen 19.12.2025 til 27.12.2031.",
        ),
        _ad("GG", "Commission Decision 2003/821/EC", date(2003, 11, 21), *_ALL),
        _ad("IL", "Commission Decision 2011/61/EU", date(2011, 1, 31), *_ALL),
        _ad("IM", "Commission Decision 2004/411/EC", date(2004, 4, 28), *_ALL),
        _ad("JE", "Commission Decision 2008/393/EC", date(2008, 5, 8), *_ALL),
        _ad(
            "JP",
            "Commission Implementing Decision (EU) 2019/419",
            date(2019, 1, 23),
            "Only private-sector business operators subject to the APPI (Act on the Protection of Personal Information).",
            "Bare private virksomheter som er omfattet av APPI (japansk personopplysningslov).",
            True,
            not_for=("public_authority",),
        ),
        _ad(
            "KR",
            "Commission Implementing Decision (EU) 2022/254",
            date(2021, 12, 17),
            "Organisations subject to PIPA; not e.g. personal credit information processed by financial institutions under the Credit Information Act.",
            "Virksomheter omfattet av PIPA; ikke f.eks. kredittopplysninger som finansinstitusjoner behandler etter Credit Information Act.",
            True,
            eea_incorporated=date(2022, 7, 8),  # EEA Joint Committee decision of 8.7.2022: europalov.no/rettsakt/.../id-30086
        ),
        _ad("NZ", "Commission Implementing Decision 2013/65/EU", date(2012, 12, 19), *_ALL),
        _ad(
            "US",
            "Commission Implementing Decision (EU) 2023/1795",
            date(2023, 7, 10),
            "Only organisations certified under the EU-US Data Privacy Framework (DPF).",
            "Bare virksomheter som er sertifisert under EU-US Data Privacy Framework (DPF).",
            True,
            confirm="recipient",
            not_for=("public_authority",),
        ),
        _ad("UY", "Commission Implementing Decision 2012/484/EU", date(2012, 8, 21), *_ALL),
    )
}


def adequacy(code: Optional[str]) -> Optional[AdequacyDecision]:
    return ADEQUACY_DECISIONS.get(code or "")


@cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code: Optional[str]) -> bool:
    """A valid ISO 3166-1 alpha-2 code (upper case)."""
    return bool(code) and code in _alpha2()


EEA_EFTA_COUNTRIES = frozenset({"IS", "LI", "NO"})


def adequacy_in_force(code: Optional[str], on: Optional[date] = None, *, efta_state: Optional[str] = None) -> bool:
    """Whether ``code`` has an adequacy decision in force on ``on`` (any date when None), judged
    by the date :meth:`AdequacyDecision.relied_on` picks for an exporter in ``efta_state``."""
    decision = ADEQUACY_DECISIONS.get(code or "")
    if decision is None:
        return False
    return on is None or decision.relied_on(efta_state)[1] <= on


@cache
def country_status(code: Optional[str], on: Optional[date] = None, *, efta_state: Optional[str] = None) -> Optional[CountryStatus]:
    """EEA, adequate, adequate with conditions, or third country; None for no/unknown code.

    A decision not yet in force on ``on`` does not count (to judge a transfer as of a date): for an
    exporter in Iceland or Liechtenstein (``efta_state``) from its incorporation into the EEA
    Agreement where recorded, otherwise (and in the EU and Norway) from the Commission's adoption.
    """
    if not code or not is_country(code):
        return None
    if code in EEA_COUNTRIES:
        return CountryStatus.EEA
    decision = ADEQUACY_DECISIONS.get(code)
    if decision and adequacy_in_force(code, on, efta_state=efta_state):
        return CountryStatus.ADEQUATE_CONDITIONAL if decision.conditional else CountryStatus.ADEQUATE
    return CountryStatus.THIRD_COUNTRY


def country_status_label(code: Optional[str], lang: str = "en") -> str:
    """E.g. "Adequacy with conditions: Only organisations certified under the EU-US DPF"."""
    status = country_status(code)
    if status is None:
        return ""
    label = COUNTRY_STATUSES[status.value].label(lang)
    decision = adequacy(code)
    if status == CountryStatus.ADEQUATE_CONDITIONAL and decision:
        return f"{label}: {decision.scope(lang)}"
    return label


@cache
def _nb_catalogue() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nb_NO", "nb"])
    except OSError:  # pragma: no cover - pycountry always ships nb_NO
        return gettext.NullTranslations()


# Where pycountry's catalogue gives the formal name, the name Norwegians write.
_NB_COMMON = {
    "US": "USA",
    "KR": "Sør-Korea",
    "KP": "Nord-Korea",
    "RU": "Russland",
    "TW": "Taiwan",
    "IR": "Iran",
    "VN": "Vietnam",
    "SY": "Syria",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "LA": "Laos",
    "CZ": "Tsjekkia",
}


@cache
def country_name(code: Optional[str], lang: str = "en") -> str:
    """The country's name in English or bokmål; the code itself if unknown (cached: exports and
    checks ask for the same few countries hundreds of thousands of times)."""
    if not code:
        return ""
    if lang == "nb" and code in _NB_COMMON:
        return _NB_COMMON[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    if lang != "nb":
        return english
    translated = _nb_catalogue().gettext(country.name)
    return translated if translated != country.name or not hasattr(country, "common_name") else english


def _sort_key(text: str) -> tuple[int, ...]:
    # Norwegian order: æ, ø, å after z.
    order = {"æ": 27, "ø": 28, "å": 29}
    return tuple(order.get(ch, ord(ch) - 96 if "a" <= ch <= "z" else 30 + ord(ch)) for ch in _strip_accents(text.lower()))


def _strip_accents(text: str) -> str:
    keep = {"æ", "ø", "å"}
    return "".join(ch if ch in keep else c for ch in text for c in unicodedata.normalize("NFKD", ch)[:1])


@cache
def countries(lang: str = "en") -> list[tuple[str, str]]:
    """Every country as (code, name in the language), in that language's alphabetical order."""
    items = [(c.alpha_2, country_name(c.alpha_2, lang)) for c in pycountry.countries]
    return sorted(items, key=lambda item: _sort_key(item[1]))


_ALIASES = {
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "amerika": "US",
    "america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "storbritannia": "GB",
    "det forente kongerike": "GB",
    "south korea": "KR",
    "korea": "KR",
    "sør-korea": "KR",
    "sor-korea": "KR",
    "republic of korea": "KR",
    "russia": "RU",
    "russland": "RU",
    "hong kong": "HK",
    "hongkong": "HK",
    "taiwan": "TW",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "czech republic": "CZ",
    "tsjekkia": "CZ",
    "holland": "NL",
    "nederland": "NL",
}


def _fold(text: str) -> str:
    return " ".join(_strip_accents(text.strip().casefold()).split())


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None), country_name(c.alpha_2, "nb")):
            if name:
                index.setdefault(_fold(name), c.alpha_2)
        index.setdefault(_fold(c.alpha_3), c.alpha_2)
    for alias, code in _ALIASES.items():
        index[_fold(alias)] = code
    return index


def fold_name(text: str) -> str:
    """A name as the country index compares it: lower case, accents off (æ ø å kept), spaces collapsed."""
    return _fold(text)


def country_names() -> dict[str, str]:
    """Every name, code and alias a country is written with (folded, see :func:`fold_name`) -> its ISO code."""
    return _name_index()


def find_country(text: Optional[str]) -> Optional[str]:
    """A country code from a code, alpha-3 code, English or bokmål name or common alias; else None."""
    if not text or not text.strip():
        return None
    raw = text.strip()
    if len(raw) == 2 and is_country(raw.upper()):
        return raw.upper()
    return _name_index().get(_fold(raw))


# --- Country search ------------------------------------------------------------------------------------

# What people type for a country that its names do not start with (either language).
_SEARCH_ALIASES = {
    **_ALIASES,
    "kina": "CN",
    "folkerepublikken kina": "CN",
    "prc": "CN",
    "amerikas forente stater": "US",
    "statene": "US",
    "sveits": "CH",
    "tyskland": "DE",
    "frankrike": "FR",
    "spania": "ES",
    "nederland": "NL",
    "sør-afrika": "ZA",
    "emiratene": "AE",
    "uae": "AE",
    "de forente arabiske emirater": "AE",
}


@cache
def _search_index(lang: str) -> list[tuple[str, tuple[str, ...]]]:
    """(code, folded names) in the language's order: the name in the language first, then the other
    language's, the English official name, the alpha-3 code and aliases."""
    other = "en" if lang == "nb" else "nb"
    aliases: dict[str, list[str]] = {}
    for alias, code in _SEARCH_ALIASES.items():
        aliases.setdefault(code, []).append(_fold(alias))
    out = []
    for code, name in countries(lang):
        c = pycountry.countries.get(alpha_2=code)
        names = [name, country_name(code, other), getattr(c, "official_name", None) or "", c.name if c else ""]
        folded = tuple(dict.fromkeys(n for n in (*(_fold(x) for x in names if x), *aliases.get(code, ())) if n))
        out.append((code, folded))
    return out


def search_countries(query: Optional[str], lang: str = "en", limit: Optional[int] = None) -> list[str]:
    """Country codes matching what a person typed, best first: the ISO code (alpha-2 or alpha-3) or a
    whole name or alias ("USA", "UK", "Kina"), then names starting with it, then names with a word
    starting with it, then names containing it; ties in the language's alphabetical order. An empty
    query gives every country in that order."""
    q = _fold(query or "")
    index = _search_index(lang)
    if not q:
        codes = [code for code, _ in index]
        return codes[:limit] if limit else codes
    exact_code = q.upper() if len(q) == 2 and is_country(q.upper()) else None
    alpha3 = pycountry.countries.get(alpha_3=q.upper()) if len(q) == 3 and q.isalpha() else None
    ranked: list[tuple[int, int, str]] = []
    for position, (code, names) in enumerate(index):
        if code == exact_code or (alpha3 is not None and code == alpha3.alpha_2) or q in names:
            rank = 0
        elif any(n.startswith(q) for n in names):
            rank = 1 if names[0].startswith(q) else 2
        elif any(w.startswith(q) for n in names for w in n.replace("-", " ").split()):
            rank = 3
        elif any(q in n for n in names):
            rank = 4
        else:
            continue
        ranked.append((rank, position, code))
    codes = [code for _, _, code in sorted(ranked)]
    return codes[:limit] if limit else codes
