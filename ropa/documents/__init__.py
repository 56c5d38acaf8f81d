"""Documents made from the register: the Art. 30 record (PDF, DOCX), privacy notices drafted
from it (Art. 13 and 14) and a public register (static HTML).

All of them read the register as the JSON format's dicts (:func:`load`) through one
presentation layer (:mod:`ropa.documents.present`), so a value is worded the same in every
document and in both languages; the templates live in ``templates/`` beside this file.
"""
