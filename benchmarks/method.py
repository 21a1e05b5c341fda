"""Cold time to derive each built-in method of ``derivations.method`` (goal: each < 2 s).

Each built-in is derived in a fresh process (nothing cached); the child times
``derive_method(builtin(name))`` after its imports and prints it.  Two more rows time
the numerical tuning of ``qhm`` and ``triple_momentum`` on the numeric range ``[1, 100]``
(``--range 1 100``).  Rounds alternate the
methods, so a load from another process slows them alike; each figure is the median over
the rounds with the spread beside it, and its ratio to the median of
``python -c "import sympy"`` measured in the same rounds.
"""
import statistics
import subprocess
import sys
import time

from derivations.method import BUILTINS

ROUNDS = 3
CHILD = ("import time; from derivations import method as M; start = time.perf_counter(); "
         "m = M.builtin({name!r}); M.derive_method(m, {range!r} and M.curvature_range_for(m, {range!r})); "
         "print(time.perf_counter() - start)")
NUMERIC = {f"{name} --range 1 100": (name, ("1", "100")) for name in ("qhm", "triple_momentum")}


def derive_time(name, curvature_range=None):
    done = subprocess.run([sys.executable, "-c", CHILD.format(name=name, range=curvature_range)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout)


def import_time():
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sympy"], check=True)
    return time.perf_counter() - start


def main():
    runs = {**{name: (name, None) for name in BUILTINS}, **NUMERIC}
    times = {label: [] for label in runs}
    imports = []
    for _ in range(ROUNDS):
        imports.append(import_time())
        for label, (name, curvature_range) in runs.items():
            times[label].append(derive_time(name, curvature_range))
    sympy_time = statistics.median(imports)
    print(f"{'import sympy (process)':<32} median {sympy_time:6.3f} s")
    for name, values in times.items():
        median = statistics.median(values)
        verdict = "ok" if median < 2 else "over the goal"
        print(f"{name:<32} median {median:6.3f} s  spread {min(values):.3f}..{max(values):.3f} s"
              f"  ratio to import sympy {median / sympy_time:5.2f}  (goal < 2 s: {verdict})")


if __name__ == "__main__":
    main()
