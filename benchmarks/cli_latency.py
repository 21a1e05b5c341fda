"""Wall time of ``python -m derivations.momentum --latex`` against ``python -c "import sympy"``.

All are measured in the same run, alternating, best of N each; the figure is their ratio
(goal: at most 2.0).  The warm run reads the derivation from the on-disk cache that
the first run writes; the cold run derives every time (``OPTVERIFY_NO_CACHE=1``).
"""
import os
import statistics
import subprocess
import sys
import time

REPEATS = 7


def wall_time(args, **environment):
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True,
                   env={**os.environ, **environment})
    return time.perf_counter() - start


def main():
    command = ["-m", "derivations.momentum", "--latex"]
    wall_time(command)  # writes the cache
    times = {"momentum --latex (warm)": [], "momentum --latex (cold)": [], "import sympy": []}
    for _ in range(REPEATS):
        times["momentum --latex (warm)"].append(wall_time(command))
        times["momentum --latex (cold)"].append(wall_time(command, OPTVERIFY_NO_CACHE="1"))
        times["import sympy"].append(wall_time(["-c", "import sympy"]))
    for label, values in times.items():
        print(f"{label:<24}: best {min(values):.3f} s, median {statistics.median(values):.3f} s")
    sympy_time = min(times["import sympy"])
    for label in ("momentum --latex (warm)", "momentum --latex (cold)"):
        print(f"ratio {label:<18}: {min(times[label]) / sympy_time:.2f}  (goal <= 2.0)")


if __name__ == "__main__":
    main()
