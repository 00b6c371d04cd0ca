"""Scripts of texts, as `bookmaker inspect` reports them and faces will be chosen by."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bookmaker.cli import main
from bookmaker.scripts import dominant_script, scripts_of

SAMPLE = Path(__file__).resolve().parent.parent / "volumes" / "how-the-revolution-armed-1918"


def test_dominant_script_of_real_sentences():
    assert dominant_script("The revolution is on the march.") == "Latin"
    assert dominant_script("Революция в опасности! Все на фронт.") == "Cyrillic"
    assert dominant_script("Η επανάσταση προχωρεί.") == "Greek"
    assert dominant_script("革命正在前进，全体同志到前线去。") == "Han"
    assert dominant_script("革命は前進している。すべての同志は前線へ。") == "Japanese"
    assert dominant_script("الثورة تتقدم إلى الأمام") == "Arabic"
    assert dominant_script("क्रांति आगे बढ़ रही है") == "Devanagari"
    assert dominant_script("1918, 30.") == ""


def test_mixed_text_lists_each_script_most_used_first():
    text = "Trotsky wrote: «Революция в опасности» to the soldiers of the Red Army."
    assert scripts_of(text) == ["Latin", "Cyrillic"]


def test_inspect_shows_each_documents_language_and_script(tmp_path, capsys):
    folder = tmp_path / "vol"
    shutil.copytree(SAMPLE, folder)
    (folder / "texts" / "prikaz.md").write_text(
        "---\ntitle: Приказ\n---\n\nРеволюция в опасности! Все на фронт.\n", "utf-8")
    manifest = folder / "volume.toml"
    text = manifest.read_text("utf-8")
    manifest.write_text(text.replace(
        "[[part]]", '[[part]]\ntitle = "Русский"\n'
        'documents = [{ path = "texts/prikaz.md", language = "ru" }]\n\n[[part]]', 1), "utf-8")
    assert main(["inspect", str(folder), "--json"]) == 0
    documents = json.loads(capsys.readouterr().out)["documents"]
    prikaz = next(doc for doc in documents if doc["path"] == "texts/prikaz.md")
    assert (prikaz["language"], prikaz["script"]) == ("ru", "Cyrillic")
    others = [doc for doc in documents if doc["path"] != "texts/prikaz.md"]
    assert {(doc["language"], doc["script"]) for doc in others} == {("en", "Latin")}


def test_a_document_in_another_language_says_so_in_the_epub(tmp_path):
    import zipfile

    folder = tmp_path / "vol"
    shutil.copytree(SAMPLE, folder)
    (folder / "texts" / "prikaz.md").write_text(
        "---\ntitle: Приказ\n---\n\nРеволюция в опасности! Все на фронт.\n", "utf-8")
    manifest = folder / "volume.toml"
    manifest.write_text(manifest.read_text("utf-8").replace(
        "[[part]]", '[[part]]\ntitle = "Русский"\n'
        'documents = [{ path = "texts/prikaz.md", language = "ru" }]\n\n[[part]]', 1), "utf-8")
    assert main(["build", str(folder), "-f", "epub", "-o", str(tmp_path / "out")]) == 0
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as epub:
        pages = {name: epub.read(name).decode() for name in epub.namelist()
                 if name.endswith(".xhtml")}
    prikaz = [text for text in pages.values() if "Революция в опасности" in text]
    assert len(prikaz) == 1 and 'xml:lang="ru"' in prikaz[0]
    english = [text for text in pages.values() if "A Necessary Statement</h" in text]
    assert english and all('xml:lang="en"' in text for text in english)
