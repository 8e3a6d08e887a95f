"""Progress messages: ``solve(progress=...)`` reports its stages in order; the CLI shows them
only on a terminal, only for slow runs, never with --quiet."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

import quotaopt as q

stages = importlib.import_module("quotaopt.stages")  # where the stages are grouped


def scenario(**policy) -> q.Scenario:
    rows = [
        {"unit_id": "A", "type": "school", "pool": "p1", "total_posts": 20,
         "senior_incumbents": 1, "intermediate_incumbents": 6, "junior_incumbents": 12,
         "senior_waiting": 2, "intermediate_waiting": 3},
        {"unit_id": "B", "type": "health_centre", "pool": "p1", "total_posts": 30,
         "senior_incumbents": 1, "intermediate_incumbents": 10, "junior_incumbents": 18,
         "senior_waiting": 3, "intermediate_waiting": 4},
        {"unit_id": "C", "type": "school", "pool": "p2", "total_posts": 12,
         "senior_incumbents": 0, "intermediate_incumbents": 4, "junior_incumbents": 8,
         "senior_waiting": 1, "intermediate_waiting": 2},
    ]
    return q.make_scenario(pd.DataFrame(rows), q.Policy(**policy))


def kinds(messages: list[str]) -> list[str]:
    out = []
    for m in messages:
        for prefix in ("building MIP", "building", "solving stages 1 and 2 together",
                       "solving stages 1 to 3 together", "solving stages 1 and 2",
                       "solving stage 1", "solving stage 2", "solving stage 3", "diagnosing",
                       "checking"):
            if m.startswith(prefix):
                out.append(prefix)
                break
        else:
            raise AssertionError(f"unexpected progress message {m!r}")
    return out


def test_structured_method_reports_its_stages_in_order():
    seen: list[str] = []
    res = q.solve(scenario(scope=q.Scope.POOL), progress=seen.append)
    assert res.proven_optimal
    assert kinds(seen) == ["building", "solving stages 1 to 3 together", "checking"]
    assert "exact structured method (3 units)" in seen[1]


def test_mip_reports_build_and_solve_per_batch():
    seen: list[str] = []
    res = q.solve(scenario(scope=q.Scope.POOL), method="mip", batch_units=1,
                  progress=seen.append)
    assert res.proven_optimal
    # pools p1 (A, B) and p2 (C) are two batches; a pool is never split
    assert kinds(seen) == ["building", "building MIP", "solving stages 1 to 3 together",
                           "building MIP", "solving stages 1 to 3 together", "checking"]
    assert seen[1] == "building MIP 1 of 2 (2 units)"
    assert seen[3] == "building MIP 2 of 2 (1 units)"


def test_pool_stages_solved_one_after_the_other(monkeypatch):
    monkeypatch.setattr(stages, "WEIGHTED_LIMIT", 0.0)  # every stage on its own
    seen: list[str] = []
    res = q.solve(scenario(scope=q.Scope.POOL), method="mip", progress=seen.append)
    assert res.proven_optimal
    assert kinds(seen) == ["building", "building MIP", "solving stage 1", "solving stage 2",
                           "solving stage 3", "checking"]


def test_two_stage_solve_reports_stage_1_then_stage_2(monkeypatch):
    monkeypatch.setattr(stages, "WEIGHTED_LIMIT", 0.0)  # force the two-solve path
    seen: list[str] = []
    res = q.solve(scenario(), method="mip", progress=seen.append)
    assert res.proven_optimal
    assert kinds(seen) == ["building", "building MIP", "solving stage 1", "solving stage 2",
                           "checking"]


def test_progress_does_not_change_the_result():
    sc = scenario(scope=q.Scope.POOL)
    quiet = q.solve(sc)
    loud = q.solve(sc, progress=lambda message: None)
    pd.testing.assert_frame_equal(quiet.allocation, loud.allocation)
    assert quiet.summary["objective"] == loud.summary["objective"]


@pytest.mark.parametrize("method", ["auto", "mip"])
def test_infeasible_scenario_reports_no_checking(method):
    # protect: 2 senior incumbents in a 10-post school over a senior cap of 1
    rows = [{"unit_id": "A", "type": "school", "total_posts": 10, "senior_incumbents": 2}]
    seen: list[str] = []
    res = q.solve(q.make_scenario(pd.DataFrame(rows)), method=method, progress=seen.append)
    assert res.status is q.Status.INFEASIBLE
    assert kinds(seen) == ["building"]


# --------------------------------------------------------------------------------------------
# the CLI display

cli = importlib.import_module("quotaopt.cli")


class _Tty:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty, quiet, shown", [(True, False, True), (True, True, False),
                                               (False, False, False), (False, True, False)])
def test_progress_only_on_a_terminal_without_quiet(monkeypatch, tty, quiet, shown):
    monkeypatch.setattr(cli.sys, "stderr", _Tty(tty))
    assert cli.show_progress(quiet) is shown


def test_display_is_silent_for_quick_runs(capsys):
    display = cli.ProgressDisplay(enabled=True, delay=60.0)
    display("reading the scenario and units table")
    display("building caps and checks (3 units)")
    display.close()
    assert capsys.readouterr().err == ""


def test_display_shows_the_current_stage_of_a_slow_run(capsys):
    import time

    display = cli.ProgressDisplay(enabled=True, delay=0.0, interval=0.01)
    display("solving stages 1 and 2 together: exact structured method (3 units)")
    deadline = time.monotonic() + 10
    while display._shown is None and time.monotonic() < deadline:
        time.sleep(0.01)
    display.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith(" s  solving stages 1 and 2 together: exact structured method "
                             "(3 units)")
    assert lines[-1].endswith(" s  done")


def test_disabled_display_starts_no_thread(capsys):
    display = cli.ProgressDisplay(enabled=False, delay=0.0)
    display("building caps and checks (3 units)")
    display.close()
    assert display._thread is None
    assert capsys.readouterr().err == ""


def test_cli_run_prints_no_progress_when_not_a_terminal(tmp_path, monkeypatch):
    from click.testing import CliRunner

    seen: list[bool] = []
    real = cli.ProgressDisplay

    class Recording(real):
        def __init__(self, enabled: bool, **kw):
            seen.append(enabled)
            super().__init__(enabled, delay=0.0, interval=0.001, **kw)

    monkeypatch.setattr(cli, "ProgressDisplay", Recording)
    r = CliRunner().invoke(cli.main, ["init", str(tmp_path)])
    assert r.exit_code == 0
    r = CliRunner().invoke(cli.main, ["run", str(tmp_path / "scenario.toml"), "--out",
                                      str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert seen == [False]
    for text in (r.output, r.stderr):
        assert "reading the scenario" not in text
        assert "building caps" not in text
        assert " s  done" not in text
    assert "wrote " in r.output
