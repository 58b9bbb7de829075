"""The write benchmark's own parsing: wrk's counts, the Lua script's count of bad answers, the app's error log, and
what a good answer is (benchmarks/writes.py; the benchmark itself is not run by the tests)."""
import re
import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import serve  # noqa: E402
import writes  # noqa: E402

WRK = """Running 5s test @ http://127.0.0.1:40000/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   880.12ms  101.20ms   1.08s    70.00%
  Latency Distribution
     50%  882.70ms
     75%  950.00ms
     90%    1.00s
     99%    1.08s
  357 requests in 5.01s, 120.00KB read
  Socket errors: connect 0, read 1, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:     71.25
Transfer/sec:     23.95KB
unexpected answers: 5
"""

FLASK_ERROR = """[2026-11-30 18:00:00 +0000] [41] [INFO] Booting worker with pid: 41
[2026-11-30 18:00:03,120] ERROR in app: Exception on /attempts/7/save [POST]
Traceback (most recent call last):
sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked
[2026-11-30 18:00:04 +0000] [40] [CRITICAL] WORKER TIMEOUT (pid:41)
"""


def test_wrk_counts_socket_errors_and_failed_answers():
    assert serve.socket_errors(WRK) == 4
    load = serve.parse_wrk(WRK)
    assert (load.rps, load.p50_ms, load.p99_ms, load.bad) == (71.25, 882.7, 1080.0, 6)
    assert serve.socket_errors("Requests/sec: 1.0") == 0


def test_the_scripts_count_of_unexpected_answers_is_read_and_required():
    assert writes.parse_unexpected(WRK) == 5
    assert writes.parse_unexpected("unexpected answers: 0\n") == 0
    with pytest.raises(RuntimeError):
        writes.parse_unexpected(WRK.replace("unexpected answers: 5\n", ""))


def test_the_log_counts_each_failed_request_and_each_lock():
    assert writes.log_problems(FLASK_ERROR) == writes.LogProblems(errors=2, locked=1)
    assert writes.log_problems(FLASK_ERROR.splitlines()[0]) == writes.LogProblems(errors=0, locked=0)
    assert writes.log_problems("database is locked\ndatabase is locked").locked == 2


@pytest.mark.parametrize("write, answer, good", [
    (writes.WRITES[0], '{"saved":true,"state":"in_progress","unanswered":0,"unanswered_text":""}', True),
    (writes.WRITES[0], '{"saved": true, "state": "in_progress"}', True),
    (writes.WRITES[0], '{"saved":false,"state":"awaiting_grading"}', False),
    (writes.WRITES[1], "/trainees/12/activity", True),
    (writes.WRITES[1], "http://127.0.0.1:5000/trainees/12/activity", True),
    (writes.WRITES[1], "/login?next=/trainees/12/activity", False),
    (writes.WRITES[1], "/trainees/12/activity?day=2026-11-30#log", False),
])
def test_a_good_answer_is_the_saved_json_or_the_redirect_back_to_the_ledger(write, answer, good):
    assert (re.search(writes.lua_to_regex(write.expect), answer) is not None) is good


def _signed(k: int) -> writes.Signed:
    versions = ((("q-a", 'say "yes"'), ("q-b", "o1")), (("q-a", 'say "yes"'), ("q-b", "o2")))
    writer = writes.Writer(f"writer{k}@example.com", 100 + k, 200 + k, versions)
    return writes.Signed(writer, f"session=cookie{k}", f"token{k}")


def test_the_script_sends_each_writers_session_and_counts_what_is_not_the_good_answer():
    signed = [_signed(0), _signed(1)]
    autosave = writes.lua_script(writes.WRITES[0], signed)
    assert '"session=cookie0"' in autosave and '"session=cookie1"' in autosave
    assert '"/attempts/200/save"' in autosave and "q-a=say+%22yes%22" in autosave
    assert "q-b=o1" in autosave and "q-b=o2" in autosave  # each save changes an answer
    assert 'headers["X-Requested-With"] = "fetch"' in autosave
    assert f'"{serve.USER_AGENT}"' in autosave
    assert "status ~= 200" in autosave and "local seen = body" in autosave
    ledger = writes.lua_script(writes.WRITES[1], signed)
    assert '"/trainees/101/activity"' in ledger and "token1" in ledger
    assert "status ~= 302" in ledger and 'local seen = headers["Location"]' in ledger
    assert f"day={writes.ledger_start().isoformat()}" in ledger and "n * 86400" in ledger  # a new day each time
    assert "X-Requested-With" not in ledger


def test_a_lua_string_escapes_quotes_backslashes_and_newlines():
    assert writes.lua_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_each_autosave_changes_one_answer_of_a_fully_answered_attempt(app):
    from onboarding.content import curriculum

    with app.app_context():
        quiz = curriculum().quizzes["basics"]
        versions = writes.answers_for(quiz, {"questions": [q.id for q in quiz.questions]})
        first_single = next(q for q in quiz.questions if q.type == "single")
    assert len(versions) == len(first_single.options) > 1
    for version in versions:
        assert {name for name, _value in version} >= {f"q-{q.id}" for q in quiz.questions}
    signed = writes.Signed(writes.Writer("w@example.com", 1, 2, versions), "session=c", "t")
    saves = [dict(urllib.parse.parse_qsl(writes.autosave(signed, n)[1])) for n in range(len(versions) + 1)]
    for before, after in zip(saves, saves[1:]):
        assert [name for name in after if after[name] != before[name]] == [f"q-{first_single.id}"]


def test_a_page_over_its_query_budget_misses_its_goal_however_fast_it_is(capsys):
    page = serve.Page("dashboard (head)", "head", "/", 0.15, max_queries=6)
    fast = serve.Load(rps=900.0, p50_ms=5.0, p99_ms=9.0, bad=0)
    assert serve.report(1000, 1000.0, [(page, fast)], {}, {"dashboard (head)": 6})  # at the budget
    assert not serve.report(1000, 1000.0, [(page, fast)], {}, {"dashboard (head)": 7})  # one over
    assert " 7  " in capsys.readouterr().out.splitlines()[-2]  # the count is printed in its column
    slow = serve.Load(rps=149.0, p50_ms=5.0, p99_ms=9.0, bad=0)
    assert not serve.report(1000, 1000.0, [(page, slow)], {}, {"dashboard (head)": 6})  # under 15 %, in budget
    without_budget = serve.Page("ledger save, 64 conn.", "trainee", "/x", 0.25)
    assert serve.report(1000, 1000.0, [(without_budget, fast)], {})  # the writes' rows carry no budget


def test_a_page_load_counts_every_answer_but_a_200_as_failed(monkeypatch):
    """wrk passes a 302 (a refused session sends it to /login) as a success; the page loads' script does not."""
    sent = {}

    def fake_wrk(url, headers, connections=16, script=None):
        sent["script"] = script.read_text()
        return WRK.replace("unexpected answers: 5", "answers other than 200: 7")

    monkeypatch.setattr(serve, "wrk", fake_wrk)
    load = serve.run_wrk("http://127.0.0.1:1/", {"User-Agent": serve.USER_AGENT})
    assert load.bad == 4 + 7  # wrk's socket errors and the script's answers other than 200 (wrk's 2 among them)
    assert "if status ~= 200 then" in sent["script"] and "answers other than 200: %d\\n" in sent["script"]
    assert serve.parse_others("answers other than 200: 0\n") == 0
    with pytest.raises(RuntimeError):
        serve.parse_others(WRK)  # no line: the script did not run


def test_a_workers_memory_goal_reads_its_proportional_share_and_the_master_has_no_goal(capsys):
    """The workers are forked from the loaded app: a page shared with the master counts in full in each process's
    resident size, so the goal reads the proportional size (PSS), and the master is printed without a goal."""
    page = serve.Page("API trainees, 100", "api", "/api", 0.10)
    fast = serve.Load(rps=900.0, p50_ms=5.0, p99_ms=9.0, bad=0)
    shared = {"master": serve.Memory(rss=85.5, pss=70.0, private=33.0),
              11: serve.Memory(rss=86.0, pss=60.0, private=40.0)}
    assert serve.report(1000, 1000.0, [(page, fast)], shared)  # resident over 60 MB, PSS at it
    printed = capsys.readouterr().out
    assert "app master: 85.5 MB resident, 70.0 MB proportional (PSS), 33.0 MB its own\n" in printed
    assert ("app worker 11: 86.0 MB resident, 60.0 MB proportional (PSS), 40.0 MB its own (goal: PSS <= 60 MB) ok"
            in printed)
    assert not serve.report(1000, 1000.0, [(page, fast)], {12: serve.Memory(rss=59.0, pss=60.1, private=59.0)})


def test_the_memory_of_a_process_is_read_from_its_smaps():
    import os

    mine = serve.memory_of(os.getpid())
    assert mine.rss >= mine.pss >= mine.private > 0
