"""Wall time of ``python -m reports build all --quick --no-pdf`` (goal: under 60 s).

Runs in a fresh temporary output folder with an empty derivation cache, so every
derivation and every experiment is computed, as on a fresh machine.  Also prints the
time with a warm derivation cache and each problem set's share.
"""
import os
import subprocess
import sys
import tempfile
import time


def build(names, out, cache):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reports", "build", *names, "--quick", "--no-pdf",
                    "--out", out], check=True, capture_output=True,
                   env={**os.environ, "OPTVERIFY_CACHE": cache})
    return time.perf_counter() - start


def problem_sets():
    """The problem set names, from ``python -m reports list`` (this file's name hides the package)."""
    listed = subprocess.run([sys.executable, "-m", "reports", "list"], check=True,
                            capture_output=True, text=True).stdout
    return [line.split()[0] for line in listed.splitlines()]


def main():
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        cold = build(["all"], out, cache)
        warm = build(["all"], out, cache)
        shares = {name: build([name], out, cache) for name in problem_sets()}
    print(f"build all --quick --no-pdf (cold cache): {cold:.1f} s  (goal < 60 s)")
    print(f"build all --quick --no-pdf (warm cache): {warm:.1f} s")
    for name, seconds in shares.items():
        print(f"  {name:<36} {seconds:.1f} s (warm)")


if __name__ == "__main__":
    main()
