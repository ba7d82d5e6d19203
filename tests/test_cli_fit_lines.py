"""Issue 18 item 6: progress and `health` lines are never cut mid-word."""

from __future__ import annotations

import argparse
import re

from agent.cli.fitting import PROGRESS_WIDTH, _progress, _render_health, clip_words

LONG = (
    "Spend of Search barely varies over the window, so its effect is weakly identified by the data; vary its "
    "spend with pulses or a pause of a few weeks, or state an informative prior from a lift test."
)


def test_clip_words_cuts_only_at_word_boundaries() -> None:
    assert clip_words("sampling chain 1", 60) == "sampling chain 1"
    clipped = clip_words(LONG, 60)
    assert len(clipped) <= 60 and clipped.endswith(" …")
    assert LONG.startswith(clipped[:-2]) and LONG[len(clipped) - 2] == " "  # the cut falls between words


def test_progress_line_keeps_whole_words(capsys) -> None:
    _progress(argparse.Namespace())(0.5, "warm-up\n" + LONG)
    line = capsys.readouterr().err
    text = line.split("left  ", 1)[1].rstrip()
    assert "\n" not in line and len(text) <= PROGRESS_WIDTH
    assert all(word in LONG.split() for word in text.removesuffix(" …").split()[1:])


def test_health_gives_every_reason_in_full() -> None:
    check = {"name": "spend_variation", "status": "warn", "value": 0.01, "reason": LONG}
    out = _render_health(
        {
            "fit_id": "fit_1",
            "overall": "usable with caveats",
            "gate": {"checks": [check]},
            "checks": [{**check, "name": "roi"}],
            "provenance": {"disclosure": "Spec spec_1, data fingerprint abc."},
        }
    )
    assert out.count("spend_variation (warn):") == 1 and "roi (warn):" in out
    words = re.findall(r"\S+", out)
    assert all(w in words for w in LONG.split())  # no word broken across lines or clipped
    assert max(len(line) for line in out.splitlines()) <= 100
