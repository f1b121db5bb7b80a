"""A one-sentence search split over a form of several criteria (``browserflow.plan.facets``)."""

from __future__ import annotations

import pytest

from browserflow.plan.facets import split_query
from tests.plan.test_ground import box, button, decide, el, page

QUERY = "action movies directed by Bowen from year 1998"


def _split(query: str, *labels: str) -> dict[str, str] | None:
    got = split_query(query, [box(f"f{i}", label) for i, label in enumerate(labels)])
    return None if got is None else {e.label: part for e, part in got}


@pytest.mark.parametrize("labels", [("Genre", "Director", "Year"), ("Year", "Genre", "Director Name"),
                                    ("Director:", "Year:", "Genre:"),
                                    ("Released Date", "Director Name", "Movie Genre")])  # a year is a date
def test_each_field_takes_the_words_after_its_name_and_the_rest_takes_the_lead(labels: tuple[str, ...]) -> None:
    got = _split(QUERY, *labels)
    assert got is not None
    assert sorted(got.values()) == ["1998", "Bowen", "action"]
    assert got[next(lab for lab in labels if lab.startswith("Director"))] == "Bowen"


@pytest.mark.parametrize(("query", "labels"), [
    (QUERY, ("Movie Genre", "Director Name", "Rating")),  # two fields unnamed: no guess
    (QUERY, ("Genre", "Director")),  # the year would be left over
    ("action movies", ("Genre", "Director")),  # a field the query never names
    ("movies by Bowen", ("Director",)),  # one field is not a form of criteria
    ("directed by Bowen and Coen from year 1998", ("Director", "Year", "Genre")),
    ("directed by Bowen directed by Coen", ("Director", "Year")),
])
def test_no_clean_split_is_no_split(query: str, labels: tuple[str, ...]) -> None:
    assert _split(query, *labels) is None


def test_the_search_fills_each_criterion_then_presses_the_forms_search_button() -> None:
    snap = page(box("g", "", context="Genre"), box("d", "", context="Director"), box("y", "", context="Year"),
                el("go", "div", static=True, pointer=True, name="Submit"),
                el("q", "div", static=True, name="Search for action movies directed by Bowen from year 1998."))
    d, _ = decide("Search for action movies directed by Bowen from year 1998.", snap)
    fills = {a.ref: a.value for a in d.actions if a.kind == "fill"}
    assert fills == {"g": "action", "d": "Bowen", "y": "1998"}
    assert d.actions[-1].ref == "go"
    assert all('goal literal "' in a.describe() for a in d.actions if a.kind == "fill")


def test_a_single_search_box_still_takes_the_whole_query() -> None:
    snap = page(box("s", "Search"), button("b", "Search"))
    d, _ = decide("Search for action movies directed by Bowen", snap)
    assert [(a.ref, a.value) for a in d.actions if a.kind == "fill"] == [("s", "action movies directed by Bowen")]
