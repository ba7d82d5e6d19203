"""SQL over a fit's posterior: `roi_draws`, `contribution_draws` and `posterior_summary` inside the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from agent.cli.main import main
from mmm_core.answers.results import effect_draws
from mmm_core.data.sql_sandbox import names_posterior, query
from mmm_core.errors import QueryLimitError, QueryRefusedError
from mmm_core.fit.posterior_tables import MAX_DRAWS, draw_frame, ensure_posterior_draws, posterior_fit
from mmm_core.store import Store


def _one(store, dataset: str, sql: str, fit_id: str, **limits) -> object:
    return query(store, dataset, sql, fit_id=fit_id, **limits)["rows"][0][0]


def test_share_of_draws_is_one_select(demo_fit: dict) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    eff = effect_draws(store, fit_id)
    assert eff.n_draws <= MAX_DRAWS  # the demo quick fit is not thinned: the SQL sees every draw
    for c, channel in enumerate(eff.channels):
        share = _one(store, ds, f"SELECT avg((roi > 1)::INT) FROM roi_draws WHERE channel = '{channel}'", fit_id)
        assert share == pytest.approx(float(np.mean(eff.roi[:, c] > 1)), abs=1e-12)
    total = _one(store, ds, "SELECT avg(contribution) FROM contribution_draws WHERE channel = 'Search'", fit_id)
    assert total == pytest.approx(float(eff.contribution_total[:, eff.channel_index("Search")].mean()), rel=1e-6)


def test_posterior_summary_view_holds_the_fits_rows(demo_fit: dict) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    sql = "SELECT channel, mean FROM posterior_summary WHERE quantity = 'roi' ORDER BY channel"
    rows = query(store, ds, sql, fit_id=fit_id)["rows"]
    with store.connect() as conn:
        stored = conn.execute(
            "SELECT channel, mean FROM posterior_summary WHERE fit_id = ? AND quantity = 'roi' ORDER BY channel",
            [fit_id],
        ).fetchall()
    assert [tuple(r) for r in rows] == stored and len(rows) == 4


def test_draw_ids_pair_roi_and_contribution(demo_fit: dict) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    sql = (
        "SELECT count(*) FROM roi_draws r JOIN contribution_draws c USING (channel, chain, draw) "
        "WHERE r.channel = 'Email'"
    )
    assert _one(store, ds, sql, fit_id) == effect_draws(store, fit_id).n_draws


@pytest.mark.parametrize(
    "sql",
    ["INSERT INTO roi_draws VALUES ('fit', 'TV', 0, 0, 1.0, 1.0)", "DROP TABLE roi_draws", "DELETE FROM roi_draws"],
)
def test_posterior_views_are_read_only(demo_fit: dict, sql: str) -> None:
    with pytest.raises(QueryRefusedError, match="Only read-only SELECT"):
        query(demo_fit["store"], demo_fit["dataset_id"], sql, fit_id=demo_fit["fit_id"])


def test_sandbox_limits_apply_to_the_posterior(demo_fit: dict) -> None:
    store, ds, fit_id = demo_fit["store"], demo_fit["dataset_id"], demo_fit["fit_id"]
    out = query(store, ds, "SELECT * FROM roi_draws", fit_id=fit_id, max_rows=5)
    assert out["truncated"] and len(out["rows"]) == 5
    cross = "SELECT count(*) FROM roi_draws a, roi_draws b, roi_draws c WHERE a.roi + b.roi > c.roi"
    with pytest.raises(QueryLimitError, match="limit"):
        query(store, ds, cross, fit_id=fit_id, timeout_s=1.0)
    with pytest.raises(QueryRefusedError, match="files, URLs or settings"):
        query(store, ds, "SELECT * FROM read_csv('/etc/passwd') JOIN roi_draws ON true", fit_id=fit_id)


def test_without_a_fit_or_with_anothers_the_views_are_refused(store, dataset) -> None:
    with pytest.raises(QueryRefusedError, match="need a fit") as no_fit:
        query(store, dataset, "SELECT * FROM roi_draws")
    assert no_fit.value.code == "query_no_fit"
    with pytest.raises(QueryRefusedError, match="not a fit of dataset") as foreign:
        query(store, dataset, "SELECT * FROM posterior_summary", fit_id="fit_elsewhere")
    assert foreign.value.code == "query_fit_mismatch"
    # A query that names no posterior view needs no fit.
    assert query(store, dataset, "SELECT count(*) FROM mff")["rows"][0][0] > 0


def test_names_posterior_reads_identifiers_not_strings() -> None:
    assert names_posterior('SELECT * FROM "roi_draws"') and names_posterior("select 1 from Posterior_Summary")
    assert not names_posterior("SELECT 'roi_draws' AS name FROM mff")
    assert not names_posterior("SELECT * FROM my_roi_draws_copy")


def test_thinning_keeps_at_most_max_draws_with_chain_and_draw_ids() -> None:
    chains, per_chain, channels = 4, 1000, ("TV", "Search")
    n = chains * per_chain
    contribution = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    fake = SimpleNamespace(
        n_draws=n, channels=channels, roi=contribution / 10, mroi=contribution / 20, contribution_total=contribution
    )
    frame = draw_frame(fake, "fit_x", chains)
    assert len(frame) == MAX_DRAWS * len(channels)
    kept = frame[frame.channel == "TV"]
    flat = kept.chain.to_numpy() * per_chain + kept.draw.to_numpy()  # back to the flattened (chain-major) position
    assert np.array_equal(kept.contribution.to_numpy(), contribution[flat, 0])
    assert set(kept.chain) == {0, 1, 2, 3} and kept.draw.max() < per_chain


def test_fits_registered_before_the_table_get_their_draws_on_first_query(demo_fit: dict, tmp_path: Path) -> None:
    source = demo_fit["store"].path.parent
    shutil.copytree(source, tmp_path / "copy", ignore=shutil.ignore_patterns("*.wal", "sessions.sqlite*"))
    store, fit_id = Store(tmp_path / "copy" / demo_fit["store"].path.name), demo_fit["fit_id"]
    with store.connect() as conn:
        n = conn.execute("SELECT count(*) FROM posterior_draws WHERE fit_id = ?", [fit_id]).fetchall()[0][0]
        conn.execute("DELETE FROM posterior_draws WHERE fit_id = ?", [fit_id])
    choice = posterior_fit(store, demo_fit["dataset_id"])
    assert choice is not None and choice.fit_id == fit_id
    assert ensure_posterior_draws(store, fit_id) == n > 0


def test_cli_query_names_the_fit_it_read(demo_fit: dict, capsys: pytest.CaptureFixture) -> None:
    store, ds, fit_id = str(demo_fit["store"].path), demo_fit["dataset_id"], demo_fit["fit_id"]
    sql = "SELECT avg((roi > 1)::INT) FROM roi_draws WHERE channel = 'Search'"
    code = main(["--store", store, "query", ds, sql, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["fit"]["fit_id"] == fit_id and out["fit"]["quick"] is True
    assert "quick" in out["fit"]["reason"]  # the only fit is quick: the fallback is stated
    code = main(["--store", store, "query", ds, sql, "--fit", fit_id])
    text = capsys.readouterr().out
    assert code == 0 and f"posterior of fit {fit_id}" in text


def test_chat_sql_path_reads_the_posterior_and_names_the_fit(demo_fit: dict) -> None:
    from agent.session import Session

    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    sql = "SELECT avg((roi > 1)::INT) AS share FROM roi_draws WHERE channel = 'Email'"
    record = Session(store).ask(sql, fit_id=fit_id)
    share = float(np.mean(effect_draws(store, fit_id).roi[:, effect_draws(store, fit_id).channel_index("Email")] > 1))
    assert [c["name"] for c in record["tool_calls"]] == ["run_sql"] and record["grounded"]
    assert f"- {share:g}" in record["answer"] and f"Posterior of fit {fit_id}" in record["answer"]
