"""Cold time to derive each built-in method of ``derivations.method`` (goal: each < 2 s).

Each built-in is derived in a fresh process (nothing cached); the child times
``derive_method(builtin(name))`` after its imports and prints it.  Rounds alternate the
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
         "M.derive_method(M.builtin({name!r})); print(time.perf_counter() - start)")


def derive_time(name):
    done = subprocess.run([sys.executable, "-c", CHILD.format(name=name)], capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


def import_time():
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sympy"], check=True)
    return time.perf_counter() - start


def main():
    times = {name: [] for name in BUILTINS}
    imports = []
    for _ in range(ROUNDS):
        imports.append(import_time())
        for name in BUILTINS:
            times[name].append(derive_time(name))
    sympy_time = statistics.median(imports)
    print(f"{'import sympy (process)':<22} median {sympy_time:6.3f} s")
    for name, values in times.items():
        median = statistics.median(values)
        verdict = "ok" if median < 2 else "over the goal"
        print(f"{name:<22} median {median:6.3f} s  spread {min(values):.3f}..{max(values):.3f} s"
              f"  ratio to import sympy {median / sympy_time:5.2f}  (goal < 2 s: {verdict})")


if __name__ == "__main__":
    main()
