"""Wall time of ``python -m derivations check answers.toml`` on a 30-claim answers file.

The file is built from the derivations themselves: 30 results, round-robin over the
topics, each claimed by its own LaTeX (every third one perturbed by a factor of 2, so
the file holds wrong claims with witnesses too).  Results whose LaTeX is longer than
300 characters (numeric iterate tables, machine-sized expressions) are left out: a
person does not type those.  The figure is the best of N runs of the whole command,
Python start-up and the import of SymPy's LaTeX parser included (goal: under 5 s).
"""
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time

import sympy as sp

from derivations import render
from derivations.__main__ import topic_module, topics

CLAIMS = 30
REPEATS = 3


def answers_file(count=CLAIMS) -> str:
    """TOML text with ``count`` claims, round-robin over the topics."""
    queues = []
    for name in topics():
        results = [r for r in topic_module(name).derive().results
                   if isinstance(r.value, (sp.Expr, sp.Set, sp.Tuple))
                   and len(render.latex_value(r)) <= 300]
        queues.append([(name, r) for r in results])
    chosen = [pair for pair in itertools.chain(*itertools.zip_longest(*queues)) if pair][:count]
    tables: dict[str, list[str]] = {}
    for number, (topic, result) in enumerate(chosen):
        value = result.value
        if number % 3 == 2 and isinstance(value, sp.Expr) and value != 0:
            value = 2 * value
        claim = sp.latex(value).replace("'", "")
        tables.setdefault(topic, []).append(f"{result.name} = '{claim}'")
    return "\n".join(f"[{topic}]\n" + "\n".join(lines) + "\n" for topic, lines in tables.items())


def main():
    text = answers_file()
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as handle:
        handle.write(text)
    command = [sys.executable, "-m", "derivations", "check", handle.name]
    subprocess.run(command, capture_output=True)  # warms the derivation cache
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    os.unlink(handle.name)
    print(done.stdout.strip().splitlines()[-1])
    print(f"check {CLAIMS} claims: best {min(times):.2f} s, median {statistics.median(times):.2f} s"
          f"  (goal < 5 s)")


if __name__ == "__main__":
    main()
