"""Metadata read from a page: title, author, date, language; never a value the page lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clean_articles import Cleaner
from clean_articles.metadata import dates_in, extract, month

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "raw"
BODY = (
    "The city council voted on Tuesday to close the old library on Main Street for good after years of debate.\n"
    "Council members said the library building needs repairs the city cannot afford this year or the next.\n"
    "Readers of the library will be served by the new branch on the river, which opens in the spring.\n"
    "The library staff will move to the new branch, the council said in a statement after the vote.\n"
)


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner()


def page(*head: str) -> str:
    return "Home\nNews\nSport\nWeather\n\n" + "\n".join(head) + "\n\n" + BODY


def test_title_is_the_headline_above_the_body(cleaner):
    found = extract(cleaner.clean(page("Council votes to close the old library", "", "By Jane Doe | March 3, 2025")))
    assert found["title"] == {"text": "Council votes to close the old library", "line": 6}


@pytest.mark.parametrize(
    "byline, author",
    [
        ("By Jane Doe | March 3, 2025", "Jane Doe"),
        ("Written by Jane Doe", "Jane Doe"),
        ("Author: Jane van der Berg", "Jane van der Berg"),
        ("Posted on March 3, 2025 by jdoe", "jdoe"),
        ("Jane Doe · March 3, 2025", "Jane Doe"),
    ],
)
def test_bylines(cleaner, byline, author):
    found = extract(cleaner.clean(page("Council votes to close the old library", byline)))
    assert found["author"] is not None and found["author"]["text"] == author


def test_label_alone_names_the_next_line(cleaner):
    found = extract(cleaner.clean(page("Council votes to close the old library", "By:", "Jane Doe", "March 3, 2025")))
    assert found["author"] == {"text": "Jane Doe", "line": 8}


def test_a_title_by_something_is_no_byline(cleaner):
    found = extract(cleaner.clean(page("Library closures ranked by City")))
    assert found["author"] is None


@pytest.mark.parametrize(
    "line, text, iso",
    [
        ("March 3, 2025", "March 3, 2025", "2025-03-03"),
        ("Published: 3 March 2025", "3 March 2025", "2025-03-03"),
        ("Sept. 3rd, 2025 5:50 pm", "Sept. 3rd, 2025 5:50 pm", "2025-09-03T17:50"),
        ("2025-03-04", "2025-03-04", "2025-03-04"),
        ("Updated 25/12/2024", "25/12/2024", "2024-12-25"),
        ("03/04/2025", "03/04/2025", None),  # month/day or day/month: not guessed
        ("by Jill Barshay August 25, 2025August 29, 2025", "August 25, 2025", "2025-08-25"),
    ],
)
def test_date_forms(line, text, iso):
    assert dates_in(line)[0] == (text, iso)


def test_no_date_in_numbers_and_words():
    assert dates_in("Top 7 Blockchain 2025 picks, 31 February 2025 and 1,234 readers") == [("31 February 2025", None)]
    assert month("Mayo") is None and month("Dec") == 12


def test_published_date_beats_updated(cleaner):
    found = extract(
        cleaner.clean(
            page("Council votes to close the old library", "Updated March 5, 2025", "Published March 3, 2025")
        )
    )
    assert found["date"]["iso"] == "2025-03-03"


def test_nothing_there_gives_none(cleaner):
    found = extract(cleaner.clean(BODY))
    assert found["author"] is None and found["date"] is None
    assert found["language"]["code"] == "en"
    empty = extract(cleaner.clean(""))
    assert empty == {"title": None, "author": None, "date": None, "language": None}


def test_language_of_a_german_article(cleaner):
    text = (
        "Der Rat der Stadt hat am Dienstag beschlossen, die alte Bibliothek in der Hauptstraße zu schließen, weil sie zu teuer ist.\n"
        * 3
    )
    assert extract(cleaner.clean(text))["language"]["code"] == "de"


def test_odd_spaces_give_the_raw_text(cleaner):
    found = extract(
        cleaner.clean(page("Council votes to close the old library", "By Jane\u00a0Doe | March\u00a03, 2025"))
    )
    assert found["author"]["text"] == "Jane\u00a0Doe" and found["date"]["text"] == "March\u00a03, 2025"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_never_a_value_not_in_its_line(cleaner, path):
    result = cleaner.clean(path.read_text(encoding="utf-8"))
    found = extract(result)
    for key in ("title", "author", "date"):
        value = found[key]
        if value is not None:
            assert value["text"] and value["text"] in result.doc.lines[value["line"] - 1]
    if found["date"] is not None and found["date"]["iso"]:
        assert dates_in(found["date"]["text"])[0][1] == found["date"]["iso"]


def test_json_output_carries_the_metadata_with_its_lines(runner, tmp_path):
    from clean_articles.cli import main

    raw = page("Council votes to close the old library", "", "By Jane Doe | March 3, 2025")
    got = json.loads(runner.invoke(main, ["--format", "json"], input=raw).stdout)
    assert got["title"] == {"text": "Council votes to close the old library", "line": 6}
    assert got["author"]["text"] == "Jane Doe" and got["date"]["iso"] == "2025-03-03" and got["date"]["line"] == 8
    assert got["language"]["code"] == "en"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(raw)
    runner.invoke(main, ["batch", str(tmp_path / "in"), str(tmp_path / "out"), "--format", "jsonl", "-j", "1"])
    row = json.loads((tmp_path / "out" / "clean-articles.jsonl").read_text())
    assert {k: row[k] for k in ("title", "author", "date")} == {k: got[k] for k in ("title", "author", "date")}
