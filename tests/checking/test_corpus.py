"""The regression corpus: claims written as students write them, truth decided by hand.

A false accept (a verdict "correct" for a claim whose truth is "wrong" or "unreadable")
fails the suite without exception; any other disagreement fails too unless the row is
marked ``xfail:`` with its reason (strict: a row that starts passing must lose its mark).
"""
import tomllib
from pathlib import Path

import pytest

from derivations import topic_module
from derivations.checking import check

CORPUS = Path(__file__).with_name("corpus.toml")
VERDICT = {"correct": "correct", "wrong": "wrong", "unreadable": "could not read"}


def corpus_rows(path=CORPUS):
    """``(topic, result, claim, truth, note)`` for every row of the corpus."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return [(topic, result, row[0], row[1], row[2] if len(row) > 2 else "")
            for topic, results in table.items() for result, rows in results.items()
            for row in rows]


ROWS = corpus_rows()


def test_the_corpus_covers_every_topic_with_at_least_300_claims():
    from derivations import topics
    assert len(ROWS) >= 300
    assert {"correct", "wrong", "unreadable"} == {row[3] for row in ROWS}
    missing = set(topics()) - {row[0] for row in ROWS}
    assert not missing


def _params():
    for topic, result, claim, truth, note in ROWS:
        marks = [pytest.mark.xfail(strict=True, reason=note[6:].strip())] \
            if note.startswith("xfail:") else []
        yield pytest.param(topic, result, claim, truth, id=f"{topic}.{result}:{claim[:40]}",
                           marks=marks)


@pytest.mark.parametrize("topic, result, claim, truth", list(_params()))
def test_corpus_row(topic, result, claim, truth):
    verdict = check(topic_module(topic).derive(), result, claim)
    if truth != "correct":
        assert verdict.status != "correct", f"false accept: {verdict}"
    assert verdict.status == VERDICT[truth], str(verdict)
