"""Questions written as a user would ask them (session 10), each answered as a different question before: a cut of
"one and a half times" Print's budget simulated as a 50% cut, "spent minus 50k on TV" as 50k more, "which channel
shouldn't we cut?" not understood, "Compare TV with Radio and Search" withheld for dropping Search, "which drove
more sales, Social or Search?" answered with ROI, "was it amended?" read as a request to amend, one channel set
against "the rest" left out of the table as if excluded, "reduce TV to 20k per week" simulated as a cut *of* 20k."""

from __future__ import annotations

import pytest
from router_support import CATALOG, CHANNELS, route_in_world

from agent.models.entities import Catalog
from agent.models.router import route
from agent.models.scope import parse_question
from agent.question_check import check_answer


@pytest.mark.parametrize(
    ("q", "channel"),
    [
        ("what if we cut print by one and a half times its budget?", "Print"),
        ("cut Print by 1.5 times its budget", "Print"),
        ("reduce TV by 2x", "TV"),
        ("slash Search by three times its spend", "Search"),
        ("what if we spent minus 50k on TV?", "TV"),
    ],
)
def test_cuts_beyond_all_of_the_spend_and_negative_spend_are_refused_naming_the_channel(q, channel):
    r = route_in_world(q)
    assert r.intent == "impossible" and channel in r.args["reason"], r


@pytest.mark.parametrize(
    ("q", "move"),
    [
        ("move 1.5 million from TV to Search", {"from": "TV", "to": "Search", "amount": 1.5e6}),
        ("what if we spent a trillion dollars on TV?", {"channel": "TV", "amount": 1e12}),
        ("cut search by 20%", {"channel": "Search", "change": -0.2}),
    ],
)
def test_amounts_keep_their_size(q, move):
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move], r


def test_a_fraction_of_a_times_is_not_money():
    r = route_in_world("cut TV by 0.5 times")
    assert r.intent != "scenario" or all("amount" not in m for m in r.args["moves"]), r


@pytest.mark.parametrize(
    ("q", "move"),
    [
        ("What would TV's ROI be if we spent a trillion dollars?", {"channel": "TV", "amount": 1e12}),
        ("what's TV's ROI if we doubled it?", {"channel": "TV", "change": 1.0}),
        ("what would Search's return be if we cut it by 20%?", {"channel": "Search", "change": -0.2}),
    ],
)
def test_a_return_under_a_supposed_change_of_spend_is_that_what_if(q, move):
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move], r


def test_a_return_over_a_period_stays_a_return():
    r = route_in_world("what is the ROI of TV if we consider only 2023?")
    assert r.intent == "roi" and r.args["channel"] == "TV" and r.args["windows"][0]["label"] == "2023", r


@pytest.mark.parametrize(
    ("q", "order"),
    [
        ("Which channel shouldn't we cut?", "best"),
        ("Which channels should we not touch?", "best"),
        ("which channel must we never cut", "best"),
        ("which channel should we cut?", "worst"),
        ("which channel is best for the money", "best"),
    ],
)
def test_which_channel_to_keep_or_cut_is_the_ranking_from_that_end(q, order):
    r = route_in_world(q)
    assert r.intent == "rank" and r.args["order"] == order, r


@pytest.mark.parametrize(
    "q",
    [
        "Which channels recover their cost?",
        "which media recoup their spend?",
        "how many channels recover their investment",
    ],
)
def test_recovering_the_cost_is_payback(q):
    assert route_in_world(q).intent == "payback"


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("Is this the original spec or was it amended?", "disclosure"),
        ("Is there a record of changes to the model?", "disclosure"),
        ("show me the change log", "disclosure"),
        ("How do I know the model is right?", "health"),
        ("is the model wrong?", "health"),
    ],
)
def test_questions_about_the_analysis_itself(q, intent):
    assert route_in_world(q).intent == intent


def test_a_what_if_in_the_past_tense_is_not_a_question_about_amendments():
    assert route_in_world("what if TV was changed to 50k").intent == "scenario"


@pytest.mark.parametrize(
    "q",
    ["Compare TV with Radio and Search", "is TV better than Radio or Search?"],
)
def test_three_channels_compared_get_the_table_that_names_all_three(q):
    r = route_in_world(q)
    assert r.intent == "roi" and set(r.args["only"]) == set(r.channels) == {"TV", "Radio", "Search"}, r


@pytest.mark.parametrize(
    ("q", "pair"),
    [
        ("Between Social and Search, which drove more sales?", {"Social", "Search"}),
        ("How does Print stack up against TV on contribution?", {"Print", "TV"}),
        ("is TV or Search driving more revenue?", {"TV", "Search"}),
    ],
)
def test_two_channels_set_against_each_other_on_the_kpi_they_brought_are_their_contributions(q, pair):
    r = route_in_world(q)
    assert r.intent == "contribution" and set(r.channels) == pair and "channel" not in r.args, r


@pytest.mark.parametrize(
    "q",
    [
        "which gets more sales per dollar, TV or Radio?",
        "which brings more sales for the money, TV or Radio?",
        "which has the higher ROI, TV or Radio?",
    ],
)
def test_more_sales_per_unit_of_spend_stays_a_comparison_of_return(q):
    r = route_in_world(q)
    assert r.intent == "compare" and {r.args["a"], r.args["b"]} == {"TV", "Radio"}, r


def test_one_channel_against_the_rest_is_the_whole_table_with_nothing_left_out():
    r = route_in_world("is Search more effective than the rest?")
    assert r.intent == "roi" and "exclude" not in r.args, r
    assert route_in_world("ROI for everything except Social").args["exclude"] == ["Social"]


def test_places_the_data_lacks_set_against_each_other_are_refused():
    r = route_in_world("Is the South more responsive than the North?")
    assert r.intent == "not_in_data" and set(r.args["names"]) == {"South", "North"}, r
    assert route_in_world("Is TV more responsive than Radio?").intent == "compare"


@pytest.mark.parametrize("q", ["Give me the optimal budget split for Q1", "plan Q1 2025's budget"])
def test_a_plan_for_a_quarter_is_a_horizon_not_a_window_the_answer_must_name(q):
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args["periods"] == 13 and "windows" not in r.args, r
    question = parse_question(q, CATALOG, CHANNELS)
    answer = "No amount was given, so this plans today's total budget: 415,975 over the next 13 periods."
    assert check_answer(question, answer, {"intent": "optimize"}).ok
    # the same words in a question about results still need their period named
    assert not check_answer(parse_question("TV's ROI in Q1 2023", CATALOG, CHANNELS), "TV: 1.2", {"intent": "roi"}).ok


@pytest.mark.parametrize(
    ("q", "labels"),
    [
        ("Did Radio's ROI improve from 2022 to 2023?", ["2022", "2023"]),
        ("how did sales change from 2021 to 2023?", ["2021", "2023"]),
        ("did TV contribution grow between 2021 and 2022?", ["2021", "2022"]),
    ],
)
def test_a_change_from_one_year_to_another_sets_the_two_years_against_each_other(q, labels):
    assert [w["label"] for w in route_in_world(q).args["windows"]] == labels


@pytest.mark.parametrize("q", ["TV spend from 2021 to 2022", "ROI of TV from 2022 to 2023"])
def test_years_joined_without_a_change_stay_one_span(q):
    (w,) = route_in_world(q).args["windows"]
    assert w["start"][:4] != w["end"][:4], w


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("How many weeks of data are there?", "describe"),
        ("What's the date range?", "describe"),
        ("when does the data start?", "describe"),
        ("how many weeks does TV's effect last", "adstock"),
        ("Which KPI is the model explaining?", "show_spec"),
        ("Which channel is saturated?", "headroom"),
    ],
)
def test_questions_about_the_data_the_model_and_saturation(q, intent):
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "move", "periods"),
    [
        ("reduce TV to 20k per week", {"channel": "TV", "level": 20000.0}, 1),
        ("what if TV was changed to 50k", {"channel": "TV", "level": 50000.0}, 13),
        ("what if TV spend were 50k a week", {"channel": "TV", "level": 50000.0}, 1),
        ("what if TV were at 80k weekly", {"channel": "TV", "level": 80000.0}, 1),
        ("set TV to 50k per week", {"channel": "TV", "level": 50000.0}, 1),
        ("bring Search up to 100k a week", {"channel": "Search", "level": 100000.0}, 1),
        ("increase TV from 20k to 60k", {"channel": "TV", "level": 60000.0}, 13),
        ("cut Print to 5k", {"channel": "Print", "level": 5000.0}, 13),
    ],
)
def test_a_level_to_go_to_is_a_level_not_a_change_of_that_size(q, move, periods):
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move] and r.args["periods"] == periods, r


@pytest.mark.parametrize(
    ("q", "move"),
    [
        ("cut TV by 20k", {"channel": "TV", "amount": -20000.0}),
        ("add 50k to TV", {"channel": "TV", "amount": 50000.0}),
        ("what if TV spend was 50k more", {"channel": "TV", "amount": 50000.0}),
        ("raise TV by 50k a month", {"channel": "TV", "amount": 50000.0}),
    ],
)
def test_a_change_by_an_amount_stays_a_change(q, move):
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move], r


@pytest.mark.parametrize(
    ("q", "order"),
    [
        ("which channel has the lowest cost per acquisition?", "best"),
        ("which channel has the highest CPA?", "worst"),
        ("what's the cheapest channel per sale?", "best"),
        ("which channel is most expensive per conversion?", "worst"),
    ],
)
def test_a_cost_per_result_ranks_the_cheapest_as_best(q, order):
    r = route_in_world(q)
    assert r.intent == "rank" and r.args["order"] == order, r


def test_a_change_between_two_quarters_is_two_windows():
    r = route_in_world("how did TV spend change between Q1 and Q2 2023?")
    assert [w["label"] for w in r.args["windows"]] == ["Q1 2023", "Q2 2023"], r
    assert [w["label"] for w in route_in_world("TV spend between Q1 and Q3 2023").args["windows"]] == [
        "Q1 2023 to Q3 2023"
    ]


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("list all channels", "describe"),
        ("what's the R squared?", "health"),
        ("what priors did you use for TV?", "show_spec"),
        ("should we keep spending on print?", "curve"),
        ("what is saturation?", "headroom"),
        ("explain the hill curve", "headroom"),
    ],
)
def test_questions_about_the_model_and_keeping_a_channel(q, intent):
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "moved", "spared"),
    [
        ("what if we paused all media except search", {"TV", "Radio", "Print", "Social"}, "Search"),
        ("what if we cut all channels by 10% except TV", {"Radio", "Print", "Search", "Social"}, "TV"),
        ("what happens if we stop everything but TV and Radio", {"Print", "Search", "Social"}, "Radio"),
        ("put everything into search", {"TV", "Radio", "Print", "Social"}, "Search"),
    ],
)
def test_a_channel_spared_from_an_all_media_move_is_not_moved(q, moved, spared):
    r = route_in_world(q)
    assert r.intent == "scenario", r
    sources = {m.get("from") or m.get("channel") for m in r.args["moves"]}
    assert sources == moved and spared not in sources, r


def test_an_all_media_what_if_may_move_channels_the_question_does_not_name():
    from agent.question_check import check_calls

    q = parse_question("what if we paused all media except search", CATALOG, CHANNELS)
    moves = [{"channel": c, "change": -1.0} for c in ("TV", "Radio", "Print", "Social")]
    assert check_calls(q, [{"name": "scenario", "args": {"moves": moves}}]) == []
    one = parse_question("what if we paused Search", CATALOG, CHANNELS)
    assert check_calls(one, [{"name": "scenario", "args": {"moves": moves}}])  # a different channel than asked


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("which channel gets the most budget?", "spend_by"),
        ("what is the biggest channel by spend?", "spend_by"),
        ("where do we spend the most?", "spend_by"),
        ("which channel got the least money?", "spend_by"),
        ("where should we spend the most?", "optimize"),
        ("which channel has the highest ROI?", "rank"),
        ("what is the optimal spend for TV?", "curve"),
        ("how much more can we put into search before it stops paying?", "curve"),
        ("are any channels oversaturated?", "headroom"),
        ("how many draws?", "health"),
        ("which model did you use?", "show_spec"),
    ],
)
def test_the_most_budget_is_spend_not_roi_and_a_channels_best_level_is_its_curve(q, intent):
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    "q",
    [
        "what do you recommend?",
        "give me three recommendations",
        "what's your recommendation?",
        "what would you suggest we do?",
    ],
)
def test_a_recommendation_asked_outright_is_the_plan_at_todays_budget(q):
    r = route_in_world(q)
    assert r.intent == "optimize" and "budget" not in r.args and r.note == "current budget", r


@pytest.mark.parametrize(
    "q", ["how did radio's contribution change from 2022 to 2023", "how did TV's ROI change from 2021 to 2023?"]
)
def test_a_change_between_two_years_is_not_a_spend_level(q):
    r = route_in_world(q)
    assert r.intent in ("contribution", "roi") and len(r.args["windows"]) == 2, r


@pytest.mark.parametrize(
    "q",
    [
        "what's the ROI excluding the holiday period?",
        "sales without the Christmas weeks",
        "what is the roi for TV excluding the promo weeks",
    ],
)
def test_a_result_with_weeks_left_out_is_refused_not_computed_over_every_week(q):
    r = route_in_world(q)
    assert r.intent == "not_in_data" and r.args["kind"] == "gaps", r


@pytest.mark.parametrize(
    ("q", "label"),
    [
        ("is TV's roi higher in summer?", "summer 2023 (Jun–Aug 2023)"),
        ("what did TV deliver in winter?", "winter 2022 (Dec–Feb 2023)"),
    ],
)
def test_a_season_without_the_or_a_year_is_the_latest_whole_one(q, label):
    assert [w["label"] for w in route_in_world(q).args["windows"]] == [label]


def test_dropping_the_holiday_control_is_still_an_amendment():
    assert route_in_world("fit the model without Holiday").intent == "amend"


GEO_CATALOG = Catalog(
    channels=("TV", "Radio", "Search", "Social"),
    controls=("Price",),
    geographies=("North", "South", "East", "West"),
    metrics=("Sales",),
    start="2021-01-04",
    end="2023-12-25",
    frequency="W",
)


def _geo_route(q):
    return route(q, list(GEO_CATALOG.channels), ["Sales", "Price"], catalog=GEO_CATALOG)


@pytest.mark.parametrize("q", ["what if we cut TV by 20% in the North?", "where should the next 1m go in the North?"])
def test_a_what_if_or_plan_for_one_geography_is_refused_not_answered_nationally(q):
    r = _geo_route(q)
    assert r.intent == "not_in_data" and r.args["kind"] == "geo_plan" and r.args["names"] == ["North"], r


@pytest.mark.parametrize(
    ("q", "intent", "args"),
    [
        ("which geo has the highest sales?", "kpi_by", {"by": "geo"}),
        ("which region sells the most?", "kpi_by", {"by": "geo"}),
        ("compare TV ROI across regions", "roi", {"channel": "TV", "geos": ["North", "South", "East", "West"]}),
        ("which region has the best ROI?", "roi", {"geos": ["North", "South", "East", "West"]}),
    ],
)
def test_geography_breakdowns_measure_what_is_asked(q, intent, args):
    r = _geo_route(q)
    assert r.intent == intent and r.args == args, r


def test_a_peak_period_in_one_geography_is_that_geographys():
    r = _geo_route("what was our best month for sales in the West?")
    assert r.intent == "peak_period" and r.args["geos"] == ["West"] and "geography IN ('West')" in r.args["sql"], r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("set the roi prior for tv to 2", "amend"),  # it was a what-if setting TV's spend to 2
        ("use a hill curve for search", "amend"),
        ("is the fit quick or full?", "fit_status"),  # it started a quick fit
        ("how old is this fit?", "fit_status"),
        ("what's the kpi?", "describe"),
        ("what frequency is the data?", "describe"),
        ("are there missing values?", "describe"),
        ("which channel needs a test most?", "suggest_test"),  # it ranked channels by ROI
        ("what's the roi prior for TV?", "show_spec"),
        ("what's the effect of TV on awareness?", "mediation"),  # it was TV's contribution to sales
        ("run a quick fit", "fit"),
    ],
)
def test_questions_about_the_model_are_not_requests_and_requests_are_not_what_ifs(q, intent):
    assert route_in_world(q).intent == intent


def test_a_prior_change_in_chat_points_to_the_spec_file():
    from agent.models.changes import named_changes

    spec = {"spec_id": "spec_1", "channels": ["TV"], "controls": ["Price"]}
    said = named_changes("set the roi prior for tv to 2", spec)
    assert isinstance(said, str) and "spec amend spec_1" in said
    assert named_changes("drop Price because it is collinear", spec) == {"remove": ["Price"]}
