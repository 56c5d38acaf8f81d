"""Turn what people write in spreadsheet cells into the register's codes.

Each parser returns the codes it is sure of plus the text it could not place, so the importer
can keep that text in a note and warn ("'because we must' not recognised, kept as note")
instead of guessing or dropping it. Bokmål and English, article notations and plain words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Optional

from ropa import vocab

_BULLETS = "•●▪◦·‣○■□–—*"
_SPLIT = re.compile(r"\r\n|\r|\n|;|\u2022|\u25cf|\u25aa")


def fold(text: str) -> str:
    """Lower case, accents removed (but æ ø å kept as themselves), spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", text).strip()


def split_list(value: Any) -> list[str]:
    """A cell holding a list: one item per line, or separated by semicolons or bullets."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    items = []
    for part in _SPLIT.split(str(value)):
        part = part.strip().lstrip(_BULLETS).strip()
        part = re.sub(r"^(\d{1,2}[.)]|[a-z][.)])\s+", "", part)  # "1. ", "a) " numbering
        if part:
            items.append(part)
    return items


@dataclass
class Parsed:
    """Codes found in a cell, and the pieces of text that were not recognised."""

    codes: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # code -> the words written beside it


# --- Legal bases (Art. 6(1)) and Art. 9(2) conditions --------------------------------------------

# "Art. 6(1)(b)", "6.1.b", "artikkel 6 nr. 1 bokstav b", and as German, Danish, French and Swedish registers write
# it: "Art. 6 Abs. 1 S. 1 lit. b", "art. 6, stk. 1, litra b", "article 6-1-b", "artikel 6.1 b".
_PARA = r"(?:\(\s*{n}\s*\)|[.\-]\s*{n}|\s*,?\s*(?:nr\.?|no\.?|para\.?|abs\.?|stk\.?|paragraph|§)\s*{n}|\s{n})(?:\s*,?\s*(?:s\.|satz|uabs\.)\s*1)?\s*,?\s*"
_LETTER = r"(?:\(\s*([{a}])\s*\)|[.\-]?\s*(?:bokstav|letter|lit\.?|litra|litt\.?|pt\.?|point|punkt)?\s*([{a}])\b)"
_ART6 = re.compile(r"(?:art(?:ikkel|icle|ikel|\.)?\s*)?\b6\s*" + _PARA.format(n="1") + _LETTER.format(a="a-f"))
_ART9 = re.compile(r"(?:art(?:ikkel|icle|ikel|\.)?\s*)?\b9\s*" + _PARA.format(n="2") + _LETTER.format(a="a-j"))
# After a whole reference, more letters of the same paragraph: "art. 6 nr. 1 bokstav b (avtale) og c", "6(1)(b) and (f)".
_MORE_LETTERS = (
    r"^(?:\s*\([^()]*\))?\s*(?:,|og|and|&|/|\+|samt|und|et|och|eller|or)\s*(?:bokstav|letter|lit\.?|litra|point)?\s*"
    r"(?:\(\s*([{a}])\s*\)|([{a}])\b)(?=\s*(?:[)(,;.+&/–-]|og\b|and\b|und\b|et\b|och\b|$))"
)
_ART6_WORDS: list[tuple[str, str]] = [
    (
        "art6_1_f",
        r"legitimate interest|berettiget interesse|berettigede interesse|legitim(?:e)? interesse|intérêts? légitimes?|"
        r"berechtigte[sn]? interesse|berättigat intresse|berättigade intressen",
    ),
    (
        "art6_1_c",
        r"legal obligation|legal requirement|rettslig forpliktelse|juridisk(?:e)? forpliktelse|lovpålagt|lovkrav|rettslig plikt|"
        r"obligation légale|rechtliche[nr]? verpflichtung|retlig forpligtelse|rättslig förpliktelse",
    ),
    ("art6_1_b", r"contract|avtale|kontrakt|contrat|vertrag|aftale|avtal\b"),
    ("art6_1_d", r"vital interest|vitale interesse|intérêts? vitaux|lebenswichtige|vitale interesser|grundläggande intresse"),
    (
        "art6_1_e",
        r"public task|public interest|official authority|allmennhetens interesse|offentlig myndighet|offentlig oppgave|"
        r"intérêt public|öffentliche[nm]? interesse|öffentliche gewalt|samfundets interesse|offentlig myndighed|"
        r"allmänt intresse|myndighetsutövning",
    ),
    ("art6_1_a", r"consent|samtykke|consentement|einwilligung|samtycke"),
]
_ART9_WORDS: list[tuple[str, str]] = [
    ("art9_2_a", r"explicit consent|uttrykkelig samtykke|consentement explicite|ausdrückliche einwilligung|udtrykkeligt samtykke|uttryckligt samtycke"),
    ("art9_2_b", r"employment|social security|arbeidsrett|trygderett"),
    ("art9_2_f", r"legal claims|rettskrav"),
    ("art9_2_e", r"manifestly made public|åpenbart offentliggjort"),
    ("art9_2_h", r"health or social care|occupational medicine|helse- og omsorg|helsehjelp|arbeidsmedisin"),
    ("art9_2_i", r"public health|folkehelse"),
    ("art9_2_j", r"archiving|scientific|statistical|arkiv|forskning|statistikk"),
    ("art9_2_g", r"substantial public interest|viktige allmenne interesser"),
]


def _parse_bases(value: Any, article: re.Pattern[str], words: list[tuple[str, str]], prefix: str) -> Parsed:
    out = Parsed()
    for item in split_list(value):
        # Several bases may share one line: "Art. 6(1)(b) and (f)", "samtykke, avtale".
        pieces = [p for p in re.split(r",|/|\bog\b|\band\b|\+", item) if p.strip()] if not article.search(fold(item)) else [item]
        found_here: list[str] = []
        letters = "a-f" if prefix == "art6_1_" else "a-j"
        for piece in pieces:
            text = fold(piece)
            codes = [f"{prefix}{a or b}" for a, b in article.findall(text)]
            for m in article.finditer(text):
                rest_of = text[m.end() :]
                while True:
                    more = re.match(_MORE_LETTERS.format(a=letters), rest_of)
                    if not more:
                        break
                    codes.append(f"{prefix}{more.group(1) or more.group(2)}")
                    rest_of = rest_of[more.end() :]
            if not codes:
                for code, pattern in words:
                    if re.search(pattern, text):
                        codes.append(code)
                        break
            if codes:
                for code in codes:
                    if code not in out.codes:
                        out.codes.append(code)
                    found_here.append(code)
                rest = article.sub("", text).strip(" -–:.,()")
                if rest and codes and len(codes) == 1 and rest != text:
                    out.notes.setdefault(codes[0], piece.strip())
            else:
                out.unrecognised.append(piece.strip())
        if len(found_here) == 1 and item.strip() and fold(item) not in {"samtykke", "consent", "avtale", "contract"}:
            out.notes.setdefault(found_here[0], item.strip())
    return out


def parse_legal_bases(value: Any) -> Parsed:
    """'Art. 6(1)(b)', '6.1.b', 'artikkel 6 nr. 1 bokstav b', 'GDPR 6 (1) f', 'samtykke', 'legitimate interests' …"""
    return _parse_bases(value, _ART6, _ART6_WORDS, "art6_1_")


def parse_art9_conditions(value: Any) -> Parsed:
    """'Art. 9(2)(a)', '9.2.h', 'artikkel 9 nr. 2 bokstav a', 'explicit consent' …"""
    return _parse_bases(value, _ART9, _ART9_WORDS, "art9_2_")


# --- Transfer mechanisms -----------------------------------------------------------------------

_MECHANISM_WORDS: list[tuple[str, str]] = [
    ("art46_2_b", r"\bbcrs?\b|binding corporate rules|bindende virksomhetsregler|art(?:ikkel|\.)?\s*47"),
    (
        "art46_2_c",
        r"\bsccs?\b|standard contractual clauses|standard data protection clauses|standardpersonvernbestemmelser|"
        r"standardkontrakt|standard kontraktsklausuler|standardavtale|46\s*\(\s*2\s*\)\s*\(\s*c\s*\)",
    ),
    ("art45", r"\bdpf\b|data privacy framework|adequacy|adekvans|tilstrekkelig beskyttelsesnivå|art(?:ikkel|\.)?\s*45\b"),
    ("art46_2_e", r"code of conduct|atferdsnorm|bransjenorm"),
    ("art46_2_f", r"certification|sertifisering"),
    ("art49_1_a", r"explicit consent|uttrykkelig samtykke"),
    ("none", r"^(none|ingen|n/?a|nei|no)$"),
    ("unknown", r"^(unknown|ukjent|ikke oppgitt|not stated|\?)$"),
]
_MECHANISM_ARTICLE = re.compile(r"(4[569])\s*(?:\(\s*(\d)\s*\)|[.\-]\s*(\d)|\s*nr\.?\s*(\d))?\s*(?:\(\s*([a-g])\s*\)|[.\-]?\s*(?:bokstav\s*)?([a-g])\b)?")


def parse_mechanism(value: Any) -> tuple[Optional[str], Optional[str]]:
    """A mechanism code, or (None, the text) when it is not recognised."""
    if value is None or not str(value).strip():
        return None, None
    raw = str(value).strip()
    text = fold(raw)
    if text in vocab.MECHANISMS:
        return text, None
    for code, pattern in _MECHANISM_WORDS:
        if re.search(pattern, text):
            return code, None
    m = _MECHANISM_ARTICLE.search(text)
    if m:
        art, p1, p2, p3, l1, l2 = m.groups()
        para, letter = p1 or p2 or p3, l1 or l2
        candidate = f"art{art}" + (f"_{para}" if para else "") + (f"_{letter}" if letter else "")
        if candidate in vocab.MECHANISMS:
            return candidate, None
    return None, raw


def parse_country(value: Any) -> tuple[Optional[str], Optional[str]]:
    """An ISO code from a code or a name in English or bokmål (or French, German, Danish, Swedish); (None, text) otherwise."""
    if value is None or not str(value).strip():
        return None, None
    raw = str(value).strip()
    code = vocab.find_country(raw) or _other_names().get(vocab.fold_name(raw))
    return (code, None) if code else (None, raw)


@lru_cache(maxsize=1)
def _other_names() -> dict[str, str]:
    """Country names in French, German, Danish and Swedish (pycountry's translations), for registers written in them."""
    import gettext

    import pycountry

    out: dict[str, str] = {}
    for lang in ("fr", "de", "da", "sv"):
        try:
            t = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in pycountry.countries:
            for name in (c.name, getattr(c, "common_name", None)):
                if name:
                    out.setdefault(vocab.fold_name(t.gettext(name)), c.alpha_2)
    return out


# --- Retention -----------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "en": 1,
    "ett": 1,
    "one": 1,
    "a": 1,
    "to": 2,
    "two": 2,
    "tre": 3,
    "three": 3,
    "fire": 4,
    "four": 4,
    "fem": 5,
    "five": 5,
    "seks": 6,
    "six": 6,
    "sju": 7,
    "syv": 7,
    "seven": 7,
    "åtte": 8,
    "eight": 8,
    "ni": 9,
    "nine": 9,
    "ti": 10,
    "ten": 10,
    "tolv": 12,
    "twelve": 12,
}
_UNITS = [  # bokmål and English, and as CNIL, German, Danish and Swedish registers write them
    ("years", r"år|years?|yrs?|ans?|années?|jahre?n?|jahr"),
    ("months", r"måneder|måned|mnd\.?|months?|mths?|mois|monate?n?|monat|månader|månad"),
    ("weeks", r"uker|uke|weeks?|semaines?|wochen|woche|uger|uge|veckor|vecka"),
    ("days", r"dager|dag|døgn|days?|jours?|tage?n?|dage|dagar"),
]
_PERIOD = re.compile(  # digits may be glued to the word before ("i3 år"); number words may not
    r"(?:(?<!\d)(\d{1,4})|\b(" + "|".join(_NUMBER_WORDS) + r"))\s*(" + "|".join(p for _, p in _UNITS) + r")\b", re.IGNORECASE
)
_VAGUE = re.compile(
    r"as long as (?:is )?necessary|no longer than (?:is )?necessary|så lenge (?:det er |som )?nødvendig|"
    r"ikke lenger enn (?:det som er )?nødvendig|as long as required|så lenge det trengs",
    re.IGNORECASE,
)


@dataclass
class Retention:
    period: Optional[int] = None
    unit: Optional[str] = None
    trigger: Optional[str] = None
    action: Optional[str] = None
    text: Optional[str] = None
    recognised: bool = False  # a period was found
    vague: bool = False

    def as_doc(self) -> dict[str, Any]:
        return {"period": self.period, "unit": self.unit, "trigger": self.trigger, "action": self.action, "text": self.text}


def parse_retention(value: Any) -> Retention:
    """'3 år', '36 months', '6 years after the end of the contract',
    'til slutten av året for den siste avsløringen pluss 6 år' → period, unit, trigger; text always kept."""
    if value is None or not str(value).strip():
        return Retention()
    raw = re.sub(r"\s+", " ", str(value)).strip()
    out = Retention(text=raw, vague=bool(_VAGUE.search(raw)))
    m = _PERIOD.search(raw)
    if m:
        number = (m.group(1) or m.group(2)).lower()
        n = int(number) if number.isdigit() else _NUMBER_WORDS[number]
        unit = next(u for u, p in _UNITS if re.fullmatch(p, m.group(3), re.IGNORECASE))
        if unit == "weeks":
            n, unit = n * 7, "days"
        out.period, out.unit, out.recognised = n, unit, True
        before, after = raw[: m.start()].strip(), raw[m.end() :].strip()
        # "... pluss 6 år" / "... plus 6 years": the clock starts at what comes before.
        plus = re.search(r"\s*(?:pluss|plus|\+)\s*$", before, re.IGNORECASE)
        if plus:
            trigger = before[: plus.start()]
            trigger = re.sub(r"^(til|until|to|fram til|frem til)\s+", "", trigger, flags=re.IGNORECASE)
            out.trigger = trigger.strip(" ,.") or None
        else:
            t = re.match(
                r"^(?:etter|after|from|fra|regnet fra|counted from|following|après|à compter de|à partir de|nach|ab|efter|från)\s+(.*)$",
                after,
                re.IGNORECASE,
            )
            current = re.match(r"^(?:\+|pluss|plus|and|og)\s*(?:the\s+)?(current|inneværende|this|dette)\b\s*([^.;,]*)", after, re.IGNORECASE)
            if t:
                out.trigger = re.split(r"[.;]", t.group(1))[0].strip(" ,.") or None
            elif current:  # "3 years + current": the current year and three more
                nb = current.group(1).casefold() in ("inneværende", "dette")
                what = (current.group(2) or ("år" if nb else "year")).strip()
                out.trigger = f"utgangen av inneværende {what}" if nb else f"the end of the current {what}"
    folded = fold(raw)
    if re.search(r"anonymi", folded):
        out.action = "anonymise"
    elif re.search(r"slett|erase|delet|destroy|makuler", folded):
        out.action = "erase"
    elif re.search(r"vurder|review|gjennomg", folded):
        out.action = "review"
    elif out.recognised:
        out.action = None
    return out


# --- Small scalars -------------------------------------------------------------------------------

_TRUE = {"ja", "yes", "y", "j", "true", "sann", "x", "1", "✓", "✔", "oui"}
_FALSE = {"nei", "no", "n", "false", "usann", "0", "-", "", "non", "nein", "nej"}


def parse_bool(value: Any) -> tuple[Optional[bool], Optional[str]]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)):
        return bool(value), None
    text = fold(str(value))
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return (False, None) if text else (None, None)
    return None, str(value).strip()


def parse_date(value: Any) -> tuple[Optional[date], Optional[str]]:
    """A real date cell, ISO text, or Norwegian/European day.month.year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 36526 <= value < 73051:
        return date(1899, 12, 30) + timedelta(days=int(value)), None  # an Excel serial day (2000–2099) in a cell not formatted as a date
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    # Month names in English, bokmål, French, German, Danish and Swedish: "March 3, 2025", "1. mars 2025", "3 Mar 2025".
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\.?\s*([^\W\d]+)\.?,?\s*(\d{4})|([^\W\d]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})", text)
    if m:
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        folded = fold(month)
        number = (6 if folded.startswith("juin") else 7 if folded.startswith("juil") else _MONTHS.get(folded[:3])) if len(month) >= 3 else None
        if number:
            try:
                return date(int(year), number, int(day)), None
            except ValueError:
                pass
    return None, text


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%Y.%m.%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ",
)
# The first three letters of month names (en, nb, fr, de, da, sv) -> the month.
_MONTHS = {
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)},
    **{"mai": 5, "okt": 10, "des": 12, "dez": 12, "maj": 5, "mär": 3, "mrz": 3},
    **{"fév": 2, "fev": 2, "avr": 4, "aoû": 8, "aou": 8, "déc": 12},
}


def parse_int(value: Any) -> tuple[Optional[int], Optional[str]]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, str(value)
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value), None  # calamine gives whole numbers as floats
    try:
        return int(str(value).strip()), None
    except ValueError:
        return None, str(value).strip()


def parse_code(value: Any, codes: dict[str, vocab.Term]) -> tuple[Optional[str], Optional[str]]:
    """A code from the code itself or its label in either language (with or without article)."""
    if value is None or not str(value).strip():
        return None, None
    text = fold(str(value))
    for code, term in codes.items():
        if text in {fold(code), fold(term.en), fold(term.nb), fold(term.display("en")), fold(term.display("nb"))}:
            return code, None
    return None, str(value).strip()


# --- What people write for "nothing" ---------------------------------------------------------------

EMPTY_WORDS = frozenset(
    {
        "n/a",
        "na",
        "n.a.",
        "n.a",
        "n / a",
        "-",
        "--",
        "–",
        "—",
        "none",
        "ingen",
        "not applicable",
        "ikke relevant",
        "ikke aktuelt",
        "not relevant",
        "nil",
        "null",
        "ingenting",
        "nothing",
        "none identified",
        "none known",
        "ikke anvendelig",
        "i/a",
        "ia",
        "/",
        "x/a",
        "none.",
        "n/a.",
        "ingen.",
        "-.",
        "no data",
        "not used",
        "ikke i bruk",
        "tom",
        "empty",
        # as CNIL, German, Danish and Swedish registers write it
        "aucun",
        "aucune",
        "néant",
        "sans objet",
        "non applicable",
        "keine",
        "keiner",
        "entfällt",
        "nicht zutreffend",
        "nicht anwendbar",
        "inga",
        "ej tillämpligt",
        "ikke relevant.",
        "ikke aktuelt.",
    }
)


def is_empty(value: Any) -> bool:
    """Does a cell say "nothing" ('N/A', '-', '—', 'None', 'Ingen', 'Not applicable', 'Ikke relevant' …)?"""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    folded = fold(value).strip(" .;:")
    return not folded or folded in EMPTY_WORDS or fold(value) in EMPTY_WORDS


# --- Countries inside free text --------------------------------------------------------------------

# Names too common as words to be read as a country inside a sentence ("Chad", "Jersey" stay; these go).
_NOT_IN_TEXT = {"georgia", "jordan", "guinea", "niger", "turkey", "chad", "jersey", "china"}
_INTERNATIONAL = re.compile(
    r"\b(?:united nations|un|who|world health organi[sz]ation|oecd|nato|interpol|imf|international monetary fund|world bank|"
    r"unicef|unhcr|icrc|red cross|wto|ilo|unesco|fao|wipo|iaea|international organi[sz]ation|internasjonal organisasjon|"
    r"europol|eurojust|frontex|council of europe|europarådet|efta)\b",
    re.IGNORECASE,
)


def _country_pattern() -> re.Pattern[str]:
    names: dict[str, str] = {}
    for name, code in vocab.country_names().items():
        if len(name) >= 4 or name in ("usa", "uk", "u.s.", "u.k."):
            names[name] = code
    alternatives = sorted(names, key=len, reverse=True)
    body = "|".join(re.escape(n) for n in alternatives)
    return re.compile(r"(?<![\w])(" + body + r")(?![\w])", re.IGNORECASE)


_COUNTRY_IN_TEXT: Optional[re.Pattern[str]] = None


def countries_in_text(value: Any) -> list[str]:
    """The countries named inside free text, in order ('Mailer Pte Ltd, 22 Harbour Road, Singapore' -> ['SG']):
    English and bokmål names (pycountry, ropa.vocab) and common aliases, matched as whole words."""
    global _COUNTRY_IN_TEXT
    if value is None or not str(value).strip():
        return []
    if _COUNTRY_IN_TEXT is None:
        _COUNTRY_IN_TEXT = _country_pattern()
    raw = str(value)
    folded = vocab.fold_name(raw)
    out: list[str] = []
    for m in _COUNTRY_IN_TEXT.finditer(folded):
        name = m.group(1).casefold()
        code = vocab.country_names().get(name)
        if not code:
            continue
        # A common word that is also a country counts only as the text's last word or part ("…, Georgia").
        if name in _NOT_IN_TEXT and folded[m.end() :].strip(" .,;)") != "":
            continue
        if code not in out:
            out.append(code)
    if not out:
        for token in re.findall(r"\b[A-Z]{2}\b", raw):  # an ISO code written in capitals at the end: "Acme Inc., CA 9400, US"
            if raw.rstrip(" .").endswith(token) and vocab.is_country(token):
                out.append(token)
    return out


def is_international_organisation(value: Any) -> bool:
    return bool(value) and bool(_INTERNATIONAL.search(str(value)))
