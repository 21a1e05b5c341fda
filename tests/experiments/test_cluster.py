"""Sweeps on a Dask cluster: the adam search on two worker processes equals the serial run."""
import json
import subprocess
import sys

import numpy as np
import pytest

from numerics.experiments import adam_search
from numerics.experiments.common import main, sweep

distributed = pytest.importorskip(
    "dask.distributed", reason="dask.distributed is not installed (pip install -e '.[cluster]')")

SEEDS = (0, 1)


def run_adam_search(out, seed, *extra):
    argv = ["--quick", "--quiet", "--out", str(out), "--seed", str(seed), *extra]
    assert main(adam_search.run, adam_search.__doc__, argv, name="adam_search") == 0
    return (json.loads((out / "metrics.json").read_text()),
            dict(np.load(out / "searches.npz")))


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_search_on_two_workers_equals_the_serial_run(cluster, tmp_path, seed):
    with distributed.Client(cluster.scheduler_address) as client:
        before = sum(client.run(_executed).values())
    on_cluster = run_adam_search(tmp_path / "cluster", seed, "--scheduler",
                                 cluster.scheduler_address)
    serial = run_adam_search(tmp_path / "serial", seed)
    with distributed.Client(cluster.scheduler_address) as client:
        executed = client.run(_executed)
    assert len(executed) == 2 and sum(executed.values()) > before  # the workers ran the runs
    assert on_cluster[0] == serial[0]  # every metric, every rate, bit for bit
    assert on_cluster[1].keys() == serial[1].keys()
    for key, value in serial[1].items():
        np.testing.assert_array_equal(on_cluster[1][key], value, err_msg=key)
    assert on_cluster[0]["settings"]["seed"] == seed


def test_sweep_inside_a_cluster_block_runs_on_its_workers(cluster):
    from numerics.experiments.common import dask_cluster
    with dask_cluster(cluster.scheduler_address):
        hosts = sweep(_worker_name, [{"index": i} for i in range(8)])
    assert all(name.startswith("tcp://") for name in hosts)  # not this process
    assert sweep(_worker_name, [{"index": 0}]) == ["local"]


def _executed(dask_worker):
    return dask_worker.state.executed_count


def _worker_name(index):
    try:
        return distributed.get_worker().address
    except ValueError:
        return "local"


def test_no_scheduler_at_the_address_is_one_error_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.adam_search", "--quick",
                           "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --scheduler == 'tcp://127.0.0.1:9': no Dask "
                                  "scheduler answered within 10 s")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "metrics.json").exists()


def test_jobs_and_scheduler_exclude_each_other():
    done = subprocess.run([sys.executable, "-m", "numerics.experiments.adam_search", "--quick",
                           "--jobs", "2", "--scheduler", "tcp://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == ("error: argument --scheduler: not allowed with argument --jobs\n")


def test_progress_bar_shows_for_runs_on_the_cluster(cluster, capsys):
    from numerics.experiments.common import dask_cluster
    with dask_cluster(cluster.scheduler_address):
        sweep(_worker_name, [{"index": i} for i in range(5)], progress=True)
    err = capsys.readouterr().err
    assert "_worker_name" in err and "5/5" in err
