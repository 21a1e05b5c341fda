"""Wall time of ``python -m reports build all --quick`` with PDFs (goal: at most 25 s).

Runs in fresh temporary output folders.  The headline is the warm-cache build with the
default number of parallel experiments; beside it, in the same run, the cold-cache
build (every derivation computed, as on a fresh machine) and the warm build with one
experiment at a time (``--jobs 1``), as ratios to the headline: the machine is shared,
so only ratios measured together compare.  ``--no-pdf`` builds are timed too, so the
share of pdflatex shows.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time


def build(out, cache, *options):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reports", "build", "all", "--quick", "--out", out,
                    *options], check=True, capture_output=True,
                   env={**os.environ, "OPTVERIFY_CACHE": cache, "OMP_NUM_THREADS": "1",
                        "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    return time.perf_counter() - start


def main():
    pdf = () if shutil.which("pdflatex") else ("--no-pdf",)
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as cache:
        def fresh(*options):
            return build(tempfile.mkdtemp(dir=root), cache, *pdf, *options)
        cold = fresh()
        warm = fresh()
        serial = fresh("--jobs", "1")
        no_pdf = fresh("--no-pdf")
    what = "with PDFs" if not pdf else "(no pdflatex: .tex only)"
    print(f"build all --quick {what}, warm cache, parallel experiments: {warm:.1f} s "
          f"(goal <= 25 s; {os.cpu_count()} cores)")
    print(f"  cold cache:          {cold:.1f} s  ({cold / warm:.2f} x)")
    print(f"  one experiment at a time (--jobs 1): {serial:.1f} s  ({serial / warm:.2f} x)")
    print(f"  --no-pdf:            {no_pdf:.1f} s  ({no_pdf / warm:.2f} x)")


if __name__ == "__main__":
    main()
