"""Entity resolution: names in questions resolve to the data's entities only with strong evidence (exact,
separators, category synonyms, close spelling), brands never map onto a differently named channel, two close
candidates ask a question, and unknown names are reported — on channels, controls, geographies and metrics."""

from __future__ import annotations

import pytest

from agent.models.entities import Catalog, find_channels, resolve
from agent.models.router import route

CAT = Catalog(
    channels=("Search", "Social", "Local", "Email", "TV", "Radio", "Paid_Display"),
    controls=("Price", "Promo", "Holiday"),
    geographies=("North", "South", "New York"),
    products=("Widget",),
    metrics=("Sales",),
)


def _names(text: str, kind: str = "channel") -> list[str]:
    return resolve(text, CAT).of_kind(kind)


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("roi of tv", "channel", ["TV"]),  # case
        ("spend on paid display", "channel", ["Paid_Display"]),  # separator
        ("spend on PaidDisplay", "channel", ["Paid_Display"]),  # spacing
        ("how efficient is television", "channel", ["TV"]),  # category synonym
        ("what about paid search", "channel", ["Search"]),
        ("newsletter roi", "channel", ["Email"]),
        ("roi of raido", "channel", ["Radio"]),  # one swap
        ("what's the roi of serach", "channel", ["Search"]),
        ("socail vs emial", "channel", ["Social", "Email"]),
        ("is sarech worth the money", "channel", ["Search"]),  # same letters, out of order
        ("does soacil keep working", "channel", ["Social"]),
        ("a special offer", "channel", []),  # two edits from Social but different letters: a word
        ("effect of price on sales", "control", ["Price"]),
        ("sales in new york", "geography", ["New York"]),
        ("ROI North vs South", "geography", ["North", "South"]),
        ("widget sales", "product", ["Widget"]),
        ("total sales", "metric", ["Sales"]),
    ],
)
def test_resolves_with_strong_evidence(text: str, kind: str, expected: list[str]) -> None:
    assert _names(text, kind) == expected


@pytest.mark.parametrize(
    "text, unknown",
    [
        ("What is the ROI of TikTok?", ["TikTok"]),
        ("ROAS of facebook", ["facebook"]),
        ("is YouTube better than Search?", ["YouTube"]),
        ("how did Instagram do", ["Instagram"]),
        ("What's the ROI of billboards?", ["billboards"]),  # a category the data does not have
        ("ROI of podcasts", ["podcasts"]),
        ("contribution of the weather", ["weather"]),
        ("compare Snapchat and Search", ["Snapchat"]),
        ("move 10% from Pinterest to Search", ["Pinterest"]),
    ],
)
def test_brands_and_unknown_names_are_reported_not_mapped(text: str, unknown: list[str]) -> None:
    res = resolve(text, CAT)
    assert res.unknown == unknown
    assert "Social" not in res.channels and "Display" not in res.channels  # never a different name's channel


def test_brand_qualifying_a_category_word_resolves_to_the_category() -> None:
    res = resolve("move 200k from TV to Google Search", CAT)
    assert res.channels == ["TV", "Search"] and res.unknown == []


def test_words_that_are_one_edit_from_a_name_stay_words() -> None:
    # ratio/radio and loyal/local are one edit apart: ordinary words are never spell-corrected into names.
    assert _names("what is the ratio of spend to sales") == []
    assert _names("loyal customers") == []
    assert resolve("which channel has the lowest return", CAT).unknown == []
    assert resolve("what is the return on investment", CAT).unknown == []


def test_two_close_candidates_ask_one_question() -> None:
    cat = Catalog(channels=("Brand Search", "Generic Search", "Social"))
    res = resolve("ROI of search", cat)
    assert res.ambiguous == {"search": ["Brand Search", "Generic Search"]}
    r = route("ROI of search", list(cat.channels))
    assert r.intent == "clarify" and set(r.args["candidates"]) == {"Brand Search", "Generic Search"}
    # Equally close spellings: "pint" is one edit from both Print and Pinto → ambiguous, not a guess.
    assert resolve("roi of pint", Catalog(channels=("Print", "Pinto"))).ambiguous == {"pint": ["Print", "Pinto"]}


def test_category_phrases_are_read_whole() -> None:
    assert resolve("what's the roi of linear tv", CAT).channels == ["TV"] and resolve("linear tv", CAT).unknown == []
    # A category phrase whose family the data lacks is unknown (not "Social" via "social", not a guess).
    assert resolve("What is the ROI of paid social?", Catalog(channels=("Search", "TV"))).unknown == ["paid social"]
    # A capitalised name after "in" is a place or segment the question restricts to.
    assert resolve("ROI of TV in Texas", CAT).unknown == ["Texas"]
    assert resolve("ROI of TV in North", CAT).of_kind("geography") == ["North"]


def test_a_brand_resolves_when_the_data_has_that_channel() -> None:
    cat = Catalog(channels=("YouTube", "Meta Ads", "TV"))
    assert resolve("ROI of YouTube", cat).channels == ["YouTube"]
    assert resolve("is it better than Meta Ads?", cat).channels == ["Meta Ads"]
    assert resolve("how is meta doing", cat).channels == ["Meta Ads"]  # a distinctive word of one name


def test_find_channels_is_the_channel_view() -> None:
    m = find_channels("compare TikTok with paid search", ["Search", "Social"])
    assert m.found == ["Search"] and m.unknown == ["TikTok"]


@pytest.mark.parametrize(
    "text, intent, args",
    [
        ("What is the ROI of TikTok?", "not_in_data", {"names": ["TikTok"]}),
        ("compare TikTok and Search", "not_in_data", {"names": ["TikTok"]}),
        ("what's the roi of raido", "roi", {"channel": "Radio"}),
        ("ROI of television", "roi", {"channel": "TV"}),
    ],
)
def test_router_refuses_unknown_names(text: str, intent: str, args: dict) -> None:
    r = route(text, list(CAT.channels), catalog=CAT)
    assert r.intent == intent and all(r.args.get(k) == v for k, v in args.items()), (r.intent, r.args)
    if intent == "not_in_data":
        assert r.args["have"]["channels"] == list(CAT.channels)


def test_typos_of_ordinary_words_and_adjectives_are_not_names() -> None:
    for text in ("TV ads vs paid search — which has the higehr ROI?", "are we seeing diminishing returns on tv",
                 "show me the respnose curve for Search"):  # fmt: skip
        assert resolve(text, CAT).unknown == [], text
    assert resolve("What is the Podcast ROI?", CAT).unknown == ["Podcast"]


def test_region_breakdowns() -> None:
    for text in ("which region has the best ROI?", "which reigon has the best ROI?"):
        r = route(text, list(CAT.channels), catalog=CAT)
        assert r.intent == "roi" and r.args == {"geos": ["North", "South", "New York"]}, text
    for text in ("which region has the best ROI for TV?", "which geo has the highest ROI for TV?"):
        r = route(text, list(CAT.channels), catalog=CAT)  # kept to the channel asked about
        assert r.intent == "roi" and r.args == {"channel": "TV", "geos": ["North", "South", "New York"]}, text
    national = Catalog(channels=CAT.channels)
    r = route("which region has the best ROI?", list(CAT.channels), catalog=national)
    assert r.intent == "not_in_data" and r.args["kind"] == "geography"
    many = Catalog(channels=CAT.channels, geographies=tuple(f"G{i:02d}" for i in range(12)))
    assert route("ROI by region", list(CAT.channels), catalog=many).args["kind"] == "choose_geos"


def test_two_channels_get_the_table_that_names_both() -> None:
    assert route("what's the return on print and social?", ["Print", "Social", "TV"]).args == {
        "only": ["Print", "Social"]
    }
    assert route("how much did search and TV contribute", ["Search", "TV", "Social"]).args == {
        "by": "channel",
        "only": ["Search", "TV"],
    }
