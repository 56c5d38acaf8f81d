"""Recipients and transfers read from cells (Art. 30(1)(d) and (e)): a recipient with its kind in
brackets, a transfer from a country, a mechanism and a recipient in words, and a yes/no column
for transfers beside free text naming where the data go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from ropa import records, vocab
from ropa.excel import parse
from ropa.excel.cells import NONE_WORDS, Context, Note, _find_term, _not_yes_no, _short, keep_as_note, say, text

_RECIPIENT_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def parse_recipient(item: str) -> dict[str, Any]:
    """'Name (kind, country)' as our workbook writes it; parentheses that say something else stay in the name."""
    m = _RECIPIENT_PAREN.match(item)
    out: dict[str, Any] = {"name": item.strip(), "kind": None, "country": None}
    if not m or not m.group(1).strip():
        return out
    kind = country = None
    for part in (p.strip() for p in m.group(2).split(",")):
        k = _find_term(vocab.RECIPIENT_KINDS, part)
        if k and not kind:
            kind = k
            continue
        c, _ = parse.parse_country(part)
        if c and not country:
            country = c
            continue
        return out
    return {"name": m.group(1).strip(), "kind": kind, "country": country}


def _names(items: list[str]) -> list[str]:
    """A cell naming recipients with commas, as tools export them ("Salesforce, Mailchimp, Zendesk (processor)"): one
    each, when every part is a short name; an address or a company form ("Zendesk, Inc.", "Mailer Pte Ltd, 22 Harbour
    Road, Singapore") stays one item."""
    if len(items) != 1 or "," not in items[0]:
        return items
    parts = [p.strip() for p in items[0].split(",")]
    if any(not p or len(p.split()) > 4 or re.search(r"\d", p) or _COMPANY.match(" " + p) or parse.countries_in_text(p) for p in parts):
        return items
    return parts


def _recipients_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    before = {r["name"]: r for r in act.get("recipients") or []}
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    items = parse.split_list(value if isinstance(value, str) else text(value))
    for item in items if ctx.strict else _names(items):
        if parse.fold(item) in NONE_WORDS:
            continue
        p = parse_recipient(item)
        if p["name"] in names:
            continue
        names.add(p["name"])
        known = before.get(p["name"]) or ctx.recipients.get(p["name"]) or {}
        out.append(
            {
                "name": p["name"],
                "kind": p["kind"] or known.get("kind") or records.RECIPIENT_KIND,
                "country": p["country"] or known.get("country"),
                "agreement": known.get("agreement"),
            }
        )
    act["recipients"] = out
    # Transfers naming a recipient that is gone lose the link rather than fail.
    for t in act.get("transfers") or []:
        if t.get("recipient") and t["recipient"] not in names:
            t["recipient"] = None


def _mechanism_prefix(rest: str) -> tuple[Optional[str], str]:
    """Our own rendering "Art. 46(2)(c) – standardpersonvernbestemmelser (SCC) (Recipient)": the code and what follows."""
    for code, term in vocab.MECHANISMS.items():
        for shown in (term.display("nb"), term.display("en"), term.nb, term.en):
            if rest.startswith(shown):
                return code, rest[len(shown) :].strip()
    return None, rest


def parse_transfer(item: str) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """One destination: 'USA', 'Kina: SCC', 'India – standard contractual clauses (Vendor)'.
    Returns the transfer (mechanism None when not stated) and the words not understood."""
    raw = item.strip()
    if parse.fold(raw) in NONE_WORDS:
        return None, None
    t = records.empty_transfer()
    t["mechanism"] = None
    country, _ = parse.parse_country(raw)
    if country:
        t["country"] = country
        return t, None
    m = re.match(r"^(.*?)\s*(?::|\s[–—-]\s|\()\s*(.*)$", raw)
    head, rest = (m.group(1), m.group(2)) if m else (raw, "")
    if m and raw[m.end(1) :].lstrip().startswith("("):
        rest = "(" + rest
    country, _ = parse.parse_country(head)
    if country:
        t["country"] = country
    else:
        t["international_organisation"] = head.strip() or raw
    if rest:
        code, after = _mechanism_prefix(rest)
        if code:
            t["mechanism"] = code
            pm = re.match(r"^\((.*)\)$", after)
            if pm:
                t["recipient"] = pm.group(1).strip() or None
            elif after:
                t["note"] = raw
        else:
            pm = re.match(r"^(.*?)\s*\(([^()]*)\)$", rest)
            code, _ = parse.parse_mechanism(rest)
            if code:
                t["mechanism"] = code
            elif pm and parse.parse_mechanism(pm.group(1))[0]:
                t["mechanism"] = parse.parse_mechanism(pm.group(1))[0]
                t["recipient"] = pm.group(2).strip() or None
            elif country and re.fullmatch(r"\(([^()]+)\)", rest.strip()) and len(rest.split()) <= 6:
                t["recipient"] = rest.strip()[1:-1].strip()  # "USA (Mailchimp)": the recipient there
            else:
                t["note"] = raw
    unknown = None if country else raw
    return t, unknown


# "No transfers", "None outside the EEA", "EEA only", "Kun innenfor EØS": no transfer to a third country.
_NO_TRANSFER = re.compile(
    r"^(?:(?:no|none|nei|ingen|nej|inga|non|nein|keine|aucun|aucune)\b(?!.*\b(?:except|unntatt|but|men)\b).*|"
    r"(?:only |kun |bare )?(?:within |in |innenfor |i )?(?:the )?(?:eea|eu|eøs|eu/eøs|eu/eea|european union|european economic area|"
    r"europe|europa)(?: only| kun)?\.?)$"
)


def transfer_from_text(words: str, recipient_text: Optional[str] = None) -> Optional[dict[str, Any]]:
    """A transfer from free text: the country named inside it ('Mailer Pte Ltd, 22 Harbour Road, Singapore' -> SG,
    recipient 'Mailer Pte Ltd'), the mechanism from its wording ('BCRs approved by the CNIL' -> BCR), or an
    international organisation named as one; None when it names no destination."""
    t = records.empty_transfer()
    t["mechanism"] = None
    countries = parse.countries_in_text(words) or (parse.countries_in_text(recipient_text) if recipient_text else [])
    if countries:
        t["country"] = countries[0]
    elif parse.is_international_organisation(words):
        t["international_organisation"] = words.strip()
    else:
        return None
    code, _ = parse.parse_mechanism(words)
    if code and code not in ("none", "unknown"):
        t["mechanism"] = code
    name_from = recipient_text or words
    first = re.split(r",|\n| – | - ", name_from.strip())[0].strip(" ;:")
    if (
        first
        and not parse.countries_in_text(first) == [t["country"]]
        and vocab.find_country(first) is None
        and not parse.parse_mechanism(first)[0]
        and len(first.split()) <= 8
        and t["country"]
    ):
        t["recipient"] = first
    if len(countries) > 1:
        t["note"] = words.strip()
    return t


_YES_PREFIX = re.compile(r"^(?:ja|yes|y|j|oui)\b\s*[-–—:,]?\s*(?=\S)", re.IGNORECASE)
_AND = re.compile(r",|/|\s+(?:og|and|&|und|et|och|samt)\s+", re.IGNORECASE)


def _destinations(item: str) -> list[str]:
    """'USA, India', 'Storbritannia og USA', 'USA (Microsoft), UK': one item per country, when every part names one;
    'Yes – USA': the destination without the answer."""
    item = _YES_PREFIX.sub("", item)
    parts = [p.strip() for p in _AND.split(item)]
    if len(parts) < 2 or not all(parts):
        return [item]
    for p in parts:
        t, unknown = parse_transfer(p)
        if t is None or unknown or not t.get("country"):
            return [item]
    return parts


def _transfers_field(act: dict[str, Any], value: Any, ctx: Context, notes: list[Note], key: str) -> None:
    before = list(act.get("transfers") or [])
    out: list[dict[str, Any]] = []
    items = parse.split_list(value if isinstance(value, str) else text(value))
    if not ctx.strict:
        items = [d for i in items for d in _destinations(i)]
    for item in items:
        if parse.is_empty(item) or _NO_TRANSFER.match(parse.fold(item)):
            continue
        t, unknown = parse_transfer(item)
        if t is None:
            continue
        if unknown:
            found = transfer_from_text(item)
            if found is None and not ctx.strict and (len(item.split()) > 3 or re.search(r"[,\d]", item)):
                keep_as_note(act, ctx.labels.get(key, key), item)
                notes.append(
                    Note(
                        key,
                        "no_country",
                        say(
                            f"no country found in '{_short(item)}'; kept as note in the description",
                            f"fant ikke noe land i '{_short(item)}'; beholdt som merknad i beskrivelsen",
                        ),
                    )
                )
                continue
            if found is None:
                notes.append(
                    Note(
                        key,
                        "unknown_country",
                        say(
                            f"'{_short(unknown)}' is not a country (write its name in English or Norwegian, or its ISO 3166 code) "
                            "nor an international organisation",
                            f"'{_short(unknown)}' er ikke et land (skriv navnet på norsk eller engelsk, eller ISO 3166-koden) "
                            "eller en internasjonal organisasjon",
                        ),
                        "error",
                    )
                )
                continue
            t = found
        elif t.get("note"):
            notes.append(
                Note(
                    key,
                    "kept_as_note",
                    say(
                        f"'{_short(item)}': transfer mechanism not recognised, kept as note",
                        f"'{_short(item)}': overføringsgrunnlaget ble ikke gjenkjent; beholdt som merknad",
                    ),
                )
            )
        if not ctx.strict and t.get("country") in vocab.EEA_COUNTRIES and (ctx.org.get("country") or "NO") in vocab.EEA_COUNTRIES:
            # A register's "Country" column naming where recipients are: within the EEA that is no transfer (Art. 44).
            keep_as_note(act, ctx.labels.get(key, key), item)
            notes.append(
                Note(
                    key,
                    "eea_not_transfer",
                    say(
                        f"'{_short(item)}' is in the EEA: not a transfer to a third country (kept as note in the description)",
                        f"'{_short(item)}' er i EØS: ikke en overføring til tredjestat (beholdt som merknad i beskrivelsen)",
                    ),
                )
            )
            continue
        # The same destination as before keeps its details (safeguard, TIA, frequency …).
        match = next(
            (
                b
                for b in before
                if b.get("country") == t["country"]
                and b.get("international_organisation") == t["international_organisation"]
                and (t["recipient"] is None or b.get("recipient") == t["recipient"])
            ),
            None,
        )
        if match is not None:
            before.remove(match)
            merged = dict(match)
            if t["mechanism"]:
                merged["mechanism"] = t["mechanism"]
            if t["recipient"]:
                merged["recipient"] = t["recipient"]
            if t["note"] and not merged.get("note"):
                merged["note"] = t["note"]
            out.append(merged)
        else:
            out.append(t)
    names = {r["name"] for r in act.get("recipients") or []}
    for t in out:
        if not ctx.strict:
            t["recipient"] = same_recipient(act, t["recipient"])
        if t["recipient"] and t["recipient"] not in names:
            known = ctx.recipients.get(t["recipient"]) or {}
            act.setdefault("recipients", []).append(
                {
                    "name": t["recipient"],
                    "kind": known.get("kind") or records.RECIPIENT_KIND,
                    "country": known.get("country") or t["country"],
                    "agreement": known.get("agreement"),
                }
            )
            names.add(t["recipient"])
            notes.append(
                Note(
                    key,
                    "added_recipient",
                    say(
                        f"recipient '{t['recipient']}' of a transfer was added to the recipients",
                        f"mottakeren '{t['recipient']}' av en overføring ble lagt til mottakerne",
                    ),
                )
            )
    act["transfers"] = out


_FLAG_YES = re.compile(r"^(ja|yes|y|j|true|x|✓|✔|oui)\b", re.IGNORECASE)
_FLAG_NO = re.compile(r"^(nei|no|n|false|none|ingen|nej|non|nein|inga|keine|aucun)\b", re.IGNORECASE)


def _flagged_transfers(act: dict[str, Any], values: dict[str, Any], ctx: Context, notes: list[Note]) -> None:
    """A yes/no column for transfers beside free text for the destination or the recipient's name and address."""
    raw_flag = text(values.get("transfers.flag"))
    who = text(values.get("transfers.recipient"))
    flag: Optional[bool] = None
    if raw_flag is not None:
        folded = parse.fold(raw_flag)
        flag = True if _FLAG_YES.match(folded) else False if _FLAG_NO.match(folded) else None
        if flag is None and not parse.countries_in_text(raw_flag):
            notes.append(_not_yes_no("transfers.flag", raw_flag))
            return
        if flag is None:  # "Yes – USA" or just the destination written in the flag column
            flag = True
            if not act.get("transfers") and "transfers" not in values:
                values = {**values, "transfers": raw_flag}
    if flag is False:
        if act.get("transfers") or who:
            shown = who or ", ".join(t.get("country") or t.get("international_organisation") or "" for t in act["transfers"])
            notes.append(
                Note(
                    "transfers.flag",
                    "flag_no",
                    say(
                        f"says no transfer, so none is recorded (the row also names '{_short(shown)}': check it)",
                        f"sier ingen overføring, så ingen registreres (raden nevner også '{_short(shown)}': sjekk det)",
                    ),
                )
            )
        act["transfers"] = []
        return
    transfers = act.get("transfers") or []
    if not transfers and (flag or who):
        words = text(values.get("transfers")) or who or ""
        t = transfer_from_text(words, who) if words else None
        if t is None:
            if words:
                keep_as_note(act, ctx.labels.get("transfers.recipient", ctx.labels.get("transfers.flag", "transfer")), words)
                notes.append(
                    Note(
                        "transfers.recipient" if who else "transfers.flag",
                        "no_country",
                        say(
                            f"a transfer, but no country found in '{_short(words)}'; kept as note in the description",
                            f"en overføring, men fant ikke noe land i '{_short(words)}'; beholdt som merknad i beskrivelsen",
                        ),
                    )
                )
            elif flag:
                notes.append(
                    Note(
                        "transfers.flag",
                        "no_country",
                        say("says yes, but the row names no destination country", "sier ja, men raden nevner ikke noe mottakerland"),
                    )
                )
            return
        transfers = act["transfers"] = [t]
    if who:
        name = re.split(r",|\n| – ", who)[0].strip(" ;:")
        if name and vocab.find_country(name) is None:
            for t in transfers:
                t["recipient"] = t.get("recipient") or name
    for t in transfers:  # "Zendesk Inc., 989 Market St, …" beside the recipient "Zendesk (processor)": the same one
        t["recipient"] = same_recipient(act, t.get("recipient"))
    add_transfer_recipients(act, transfers, ctx.recipients)


_COMPANY = re.compile(
    r"[,.]?\s+\b(inc|incorporated|ltd|limited|llc|plc|corp|corporation|co|company|as|asa|ab|aps|a/s|gmbh|ag|sa|sas|sarl|bv|nv|pte|oy|oyj|srl|spa)\.?$",
    re.IGNORECASE,
)


def _bare(name: str) -> str:
    out = name.strip()
    for _ in range(2):  # "Acme Holdings Ltd." / "Zendesk, Inc."
        out = _COMPANY.sub("", out).strip(" ,.")
    return parse.fold(out)


def same_recipient(act: dict[str, Any], name: Optional[str]) -> Optional[str]:
    """The activity's recipient a transfer's importer is, when its name differs only by a company form
    ("Zendesk Inc." and "Zendesk"); else the name as it is."""
    if not name:
        return name
    bare = _bare(name)
    for r in act.get("recipients") or []:
        if r.get("name") != name and _bare(r.get("name") or "") == bare:
            return str(r["name"])
    return name


def add_transfer_recipients(act: dict[str, Any], transfers: list[dict[str, Any]], known: Mapping[str, dict[str, Any]]) -> None:
    """A transfer's importer is one of the activity's recipients (Art. 30(1)(d)): add each one the
    activity does not list yet, with what the register knows of it (kind, country, agreement)."""
    names = {r["name"] for r in act.get("recipients") or []}
    for t in transfers:
        if t.get("recipient") and t["recipient"] not in names:
            found = known.get(t["recipient"]) or {}
            act.setdefault("recipients", []).append(
                {
                    "name": t["recipient"],
                    "kind": found.get("kind") or records.RECIPIENT_KIND,
                    "country": found.get("country") or t.get("country"),
                    "agreement": found.get("agreement"),
                }
            )
            names.add(t["recipient"])
