"""Start-up figures of the command line, each as a ratio to ``python -c "import sympy"``.

Rows (issue 17's goals in brackets):

- ``python -m derivations.momentum --latex``, no cache (``OPTVERIFY_NO_CACHE=1``) [<= 1.5x]
  and with the on-disk cache written by a first run;
- ``python -m derivations all --json``, no cache [<= 6x], as it runs (the uncached topics
  shared by two processes where a processor is free, else one at a time), shared by two
  processes (``OPTVERIFY_WORKERS=2``) and one at a time (``OPTVERIFY_WORKERS=1``), with the
  ratio of the last two;
- one ``--check`` from the command line, with the cache [<= 0.6 s], and without it (a
  first check on a new machine derives the claim's whole topic).

Python's bytecode cache is on for every command, as Python has it by default: SymPy's
modules were compiled when it was installed, and the warm-up run compiles this package's
(a machine that sets ``PYTHONDONTWRITEBYTECODE``, as this one does, would otherwise
recompile about 9,000 lines on every run, some 0.1 s, that the reference never pays).

Every command runs once per round and the rounds alternate the commands, so a load
from another process slows them alike; each figure is the median over the rounds, with
the spread (min..max) beside it.  The load average before and after is printed last:
sharing ``all`` between two processes pays only where a processor is free.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = 7
CLAIM = r"0 < \eta < \frac{2-\beta}{\beta\sigma^2}"
CHECK = ["-m", "derivations.momentum", "--check", "stability_range", CLAIM]
# label: (arguments, no cache, further environment)
COMMANDS = {
    "import sympy": (["-c", "import sympy"], False, {}),
    "momentum --latex, no cache": (["-m", "derivations.momentum", "--latex"], True, {}),
    "momentum --latex, cache": (["-m", "derivations.momentum", "--latex"], False, {}),
    "all --json, no cache": (["-m", "derivations", "all", "--json"], True, {}),
    "all --json, no cache, 2 processes": (["-m", "derivations", "all", "--json"], True,
                                          {"OPTVERIFY_WORKERS": "2"}),
    "all --json, no cache, 1 process": (["-m", "derivations", "all", "--json"], True,
                                        {"OPTVERIFY_WORKERS": "1"}),
    "one --check, cache": (CHECK, False, {}),
    "one --check, no cache": (CHECK, True, {}),
}
GOALS = {"momentum --latex, no cache": "ratio <= 1.5", "all --json, no cache": "ratio <= 6",
         "one --check, cache": "<= 0.6 s"}


def wall_time(args, environment):
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True, env=environment)
    return time.perf_counter() - start


def main():
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cache:
        bytecode = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        warm = {**bytecode, "OPTVERIFY_CACHE": cache}
        cold = {**warm, "OPTVERIFY_NO_CACHE": "1"}
        for args, _, _ in COMMANDS.values():
            wall_time(args, warm)  # writes the cache the warm rows read, and the bytecode
        times = {label: [] for label in COMMANDS}
        for _ in range(ROUNDS):
            for label, (args, no_cache, more) in COMMANDS.items():
                times[label].append(wall_time(args, {**(cold if no_cache else warm), **more}))
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, values in times.items():
        goal = f"  (goal {GOALS[label]})" if label in GOALS else ""
        print(f"{label:<35} median {medians[label]:6.3f} s  spread {min(values):.3f}.."
              f"{max(values):.3f} s  ratio {medians[label] / medians['import sympy']:5.2f}{goal}")
    shared = (medians["all --json, no cache, 2 processes"]
              / medians["all --json, no cache, 1 process"])
    print(f"all --json, no cache: 2 processes over 1 process  ratio {shared:5.2f}")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} processors, "
          f"load average (1 min) {load_before:.2f} before and {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
