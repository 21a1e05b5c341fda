"""Wall time of ``python -m reports build all --quick`` with PDFs (goal: at most 25 s).

Runs in fresh temporary output folders.  The headline is the warm-cache build with the
default number of parallel experiments; beside it, in the same run, the cold-cache
build (every derivation computed, as on a fresh machine) and the warm build with one
experiment at a time (``--jobs 1``), as ratios to the headline: the machine is shared,
so only ratios measured together compare.  ``--no-pdf`` builds are timed too, so the
share of pdflatex shows.  Each build's CPU time (its processes and theirs, user and
system) is printed beside its wall time, and the load average before and after: CPU
seconds do not grow when other processes hold the cores, wall seconds do.
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(out, cache, *options):
    """``(wall seconds, CPU seconds)`` of one build."""
    start, start_cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "reports", "build", "all", "--quick", "--out", out,
                    *options], check=True, capture_output=True,
                   env={**os.environ, "OPTVERIFY_CACHE": cache, "OMP_NUM_THREADS": "1",
                        "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    return time.perf_counter() - start, _children_cpu() - start_cpu


def _load():
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main():
    pdf = () if shutil.which("pdflatex") else ("--no-pdf",)
    before = _load()
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as cache:
        def fresh(*options):
            return build(tempfile.mkdtemp(dir=root), cache, *pdf, *options)
        cold = fresh()
        warm = fresh()
        serial = fresh("--jobs", "1")
        no_pdf = fresh("--no-pdf")
    what = "with PDFs" if not pdf else "(no pdflatex: .tex only)"
    print(f"build all --quick {what}, warm cache, parallel experiments: {warm[0]:.1f} s, "
          f"{warm[1]:.1f} s of CPU (goal <= 25 s; {os.cpu_count()} cores; {before}, after "
          f"{_load()})")
    for name, (wall, cpu) in (("cold cache", cold), ("one experiment at a time (--jobs 1)",
                                                     serial), ("--no-pdf", no_pdf)):
        print(f"  {name}: {wall:.1f} s ({wall / warm[0]:.2f} x), {cpu:.1f} s of CPU "
              f"({cpu / warm[1]:.2f} x)")


if __name__ == "__main__":
    main()
