"""The demo register is faithful to the five seed notices (../shared/seeds)."""

from __future__ import annotations

import re
from pathlib import Path

from ropa.demo import demo_document, demo_files
from ropa.validation import parse_document

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def orgs():
    return {o["name"]: o for o in demo_document()["organisations"]}


def acts(name):
    return {a["ref"]: a for a in orgs()[name]["activities"]}


def test_five_organisations_at_least_25_activities_all_valid():
    assert len(demo_files()) == 5
    doc, problems = parse_document(demo_document())
    assert doc is not None and [p for p in problems if p.severity == "error"] == []
    assert len(doc.organisations) == 5
    assert sum(len(o.activities) for o in doc.organisations) >= 25


def test_every_description_cites_the_notice():
    for org in orgs().values():
        for a in org["activities"]:
            assert re.search(r"pkt\.|avsnitt|Personvernerklæringen", a["description"], re.I), (org["name"], a["ref"])


def test_vague_and_silent_notices_stay_vague():
    # EnterTalkPro 10.2: "bare så lenge det er nødvendig" — no period invented.
    for a in acts("EnterTalkPro Ltd").values():
        assert a["retention"]["period"] is None and "så lenge det er nødvendig" in a["retention"]["text"]
    # Guangzhou: "servere ... i Kina eller Singapore"; no mechanism is named.
    gz = acts("Ukjent selskap, Panyu District, Guangzhou")["GZP-01"]
    assert {(t["country"], t["mechanism"]) for t in gz["transfers"]} == {("CN", "unknown"), ("SG", "unknown")}
    # "Generelt sett vil vi bevare din informasjon i3 år."
    assert (gz["retention"]["period"], gz["retention"]["unit"]) == (3, "years")
    # Immediate Connect names no country.
    assert orgs()["Immediate Connect"]["country"] is None


def test_janteloppet_retention_and_special_categories():
    jl = acts("Janteloppet")
    # "til slutten av året for den siste avsløringen av informasjon pluss 6 år"
    assert jl["JL-01"]["retention"]["period"] == 6 and "slutten av året" in jl["JL-01"]["retention"]["trigger"]
    # "kostholdskrav (hvis det inkluderer helseopplysninger ... basert på ditt samtykke)"
    assert jl["JL-07"]["special_categories"] == ["user.health_and_medical"]
    assert [c["code"] for c in jl["JL-07"]["art9_conditions"]] == ["art9_2_a"]


def test_quotes_in_the_demo_are_in_the_seed_texts():
    if not SEEDS.exists():
        return
    seeds = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    seeds = re.sub(r"\s+", " ", seeds).casefold()
    quoted = []
    for org in orgs().values():
        for a in org["activities"]:
            texts = [a["description"], a["retention"]["text"] or ""] + [b["note"] or "" for b in a["legal_bases"]]
            quoted += re.findall(r"«([^»]+)»", " ".join(texts))
    assert len(quoted) >= 15
    for q in quoted:
        assert re.sub(r"\s+", " ", q).strip(" .").casefold() in seeds, q
