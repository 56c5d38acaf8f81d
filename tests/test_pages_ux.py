"""The dashboard as a new user meets it (issue 18): settings that keep the app private and
quiet, every word in the user's language, an editor that guides, lists and figures that read
well. AppTest on the demo register."""

from __future__ import annotations

import tomllib
from pathlib import Path

from conftest import ROOT, app_page

from ropa import interchange
from ropa.excel import reader


def _config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_streamlit_config_keeps_the_app_private_and_minimal():
    config = _config()
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "minimal"  # no Deploy button, no developer menu
    assert config["client"]["showErrorDetails"] is False
    assert config["theme"]["primaryColor"].startswith("#")


def test_one_upload_limit_for_the_uploader_and_the_importers():
    mb = _config()["server"]["maxUploadSize"]
    assert mb * 2**20 == reader.MAX_BYTES == interchange.MAX_JSON_BYTES


def test_import_page_names_the_upload_limit_in_both_languages(demo_url):
    for lang, words in (("nb", "høyst 50 MB"), ("en", "at most 50 MB")):
        at = app_page("import", lang)
        uploader = at.get("file_uploader")[0]
        assert words in uploader.proto.label and "50 MB" in uploader.proto.help
