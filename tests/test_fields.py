"""The one field table covers the whole format, in both languages, without clashes."""

from __future__ import annotations

import typing

from ropa import fields, vocab
from ropa.schema import ActivityDoc, OrganisationDoc, RecipientDoc, TransferDoc

# A copy's version is bookkeeping the workbook carries in its hidden JSON, not a field a person edits.
BOOKKEEPING = {"version"}


def _leaf_keys(model, nested=("retention", "dpia", "transparency")):
    keys = set()
    for name, info in model.model_fields.items():
        if name in BOOKKEEPING:
            continue
        if name in nested:
            sub = next(a for a in (info.annotation, *typing.get_args(info.annotation)) if hasattr(a, "model_fields"))
            keys |= {f"{name}.{k}" for k in sub.model_fields}
        else:
            keys.add(name)
    return keys


def test_every_activity_field_has_labels():
    covered = {f.key for f in fields.ACTIVITY_FIELDS}
    assert _leaf_keys(ActivityDoc) == covered


def test_every_organisation_recipient_transfer_field_has_labels():
    org = _leaf_keys(OrganisationDoc, nested=("dpo", "representative")) - {"activities", "recipients"}
    assert {f.key for f in fields.ORGANISATION_FIELDS} == org
    assert {f.key for f in fields.RECIPIENT_FIELDS} == set(RecipientDoc.model_fields) - BOOKKEEPING
    assert {f.key for f in fields.TRANSFER_FIELDS} == set(TransferDoc.model_fields)


def test_labels_are_unique_per_language_and_vocabularies_exist():
    for table in (fields.ACTIVITY_FIELDS, fields.ORGANISATION_FIELDS, fields.RECIPIENT_FIELDS, fields.TRANSFER_FIELDS):
        for lang in ("en", "nb"):
            labels = [f.label(lang) for f in table]
            assert len(labels) == len(set(labels)), (lang, labels)
        for f in table:
            if f.vocab and f.vocab != "countries":
                assert isinstance(getattr(vocab, f.vocab), dict), f.vocab


def test_authority_words_are_the_headers():
    nb = {f.nb for f in fields.ACTIVITY_FIELDS}
    assert {
        "Formålene med behandlingen",
        "Kategorier av registrerte",
        "Kategorier av personopplysninger",
        "Kategorier av mottakere",
        "Overføring til tredjestat eller internasjonal organisasjon",
        "Planlagte tidsfrister for sletting",
        "Generell beskrivelse av tekniske og organisatoriske sikkerhetstiltak",
    } <= nb
    en = {f.en for f in fields.ACTIVITY_FIELDS}
    assert {"Purposes of processing", "Categories of individuals", "Categories of personal data", "Categories of recipients"} <= en
