"""Speed and accuracy of the answer checker, measured in one run.

- **accuracy**: every claim of the regression corpus (``tests/checking/corpus.toml``,
  truth decided by hand) is checked; the figure is the share whose verdict is the
  corpus's truth, with the false accepts (a wrong or unreadable claim judged correct)
  counted apart -- the goal for those is none;
- **claims per second in process**: the corpus again, with the derivations already built
  (the time of reading, comparing and diagnosing alone);
- **seconds per ``--check`` call**: ``python -m derivations.gd --check ...`` as a user
  runs it, Python start-up and imports included (best of REPEATS), with Python's bytecode
  cache on as it is by default (see ``cli_latency.py``).

One thread: the figures are for a single process on one core (SymPy does not thread).
"""
import importlib.util
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from derivations import topic_module
from derivations.checking import check

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5
VERDICT = {"correct": "correct", "wrong": "wrong", "unreadable": "could not read"}
CALL = ["derivations.gd", "--check", "optimal_learning_rate", r"\frac{2}{\sigma_L^2 + \sigma_S^2}"]


def corpus_rows():
    """The corpus rows, read by the test module's own reader."""
    path = ROOT / "tests" / "checking" / "test_corpus.py"
    spec = importlib.util.spec_from_file_location("test_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ROWS


def accuracy(rows):
    """Verdicts against the truth: (agreeing, false accepts, seconds, tally by truth)."""
    derivations = {topic: topic_module(topic).derive() for topic in {r[0] for r in rows}}
    agreeing, false_accepts, tally = 0, [], Counter()
    start = time.perf_counter()
    for topic, result, claim, truth, _ in rows:
        status = check(derivations[topic], result, claim).status
        agreeing += status == VERDICT[truth]
        tally[truth, status == VERDICT[truth]] += 1
        if truth != "correct" and status == "correct":
            false_accepts.append(f"{topic}.{result}: {claim}")
    return agreeing, false_accepts, time.perf_counter() - start, tally


def seconds_per_call():
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-m", *CALL]
    subprocess.run(command, capture_output=True, env=env)  # warms the derivation cache, bytecode
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    rows = corpus_rows()
    accuracy(rows[:5])  # imports and derivations built before timing
    agreeing, false_accepts, seconds, tally = accuracy(rows)
    per_call = seconds_per_call()
    total = len(rows)
    print(f"corpus: {total} claims, {agreeing} verdicts agree with the truth "
          f"({100 * agreeing / total:.1f}%), {len(false_accepts)} false accepts")
    for truth in VERDICT:
        right, count = tally[truth, True], tally[truth, True] + tally[truth, False]
        print(f"  {truth:<10} {right}/{count}")
    for claim in false_accepts:
        print(f"  false accept: {claim}")
    rate = total / seconds
    print(f"in process: {rate:.1f} claims/s ({1000 / rate:.0f} ms a claim, one thread)")
    print(f"--check call: {per_call:.2f} s each (best of {REPEATS}), "
          f"{per_call * rate:.0f}x the in-process time of a claim")


if __name__ == "__main__":
    main()
