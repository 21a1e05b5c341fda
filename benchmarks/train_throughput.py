"""Training throughput of the NumPy core against PyTorch on the CPU, in the same process.

An MLP 784-100-100-10 (float32, batch 128, SGD with momentum 0.9, softmax cross-entropy)
trained by :func:`numerics.train.fit` on MNIST images (the real test split when present,
random images otherwise), and a small conv net (conv 8 - pool - conv 16 - pool - linear)
on the same images. When ``torch`` is importable the same networks are trained with
``torch.optim.SGD`` on the same mini-batches, the two alternating round by round (the
best round of each counts, which keeps the ratio steady on a loaded machine), and the
ratio of NumPy samples/s to PyTorch samples/s is printed. Goals: at least 1.2 for the
MLP, 0.5 for the conv net. ``--threads N`` limits BLAS and PyTorch to ``N`` threads.
PyTorch is used for measuring only; it is not a dependency of the project.
"""
import argparse
import functools
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from numerics import data, optim
from numerics.nn import MLP, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential
from numerics.train import fit

MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mnist"
BATCH, LR, MOMENTUM, ROUNDS = 128, 0.05, 0.9, 5


def images():
    """Standardised float32 images ``(n, 1, 28, 28)`` and labels, and where they came from."""
    try:
        x, y = data.load_mnist("test", MNIST)
        source = f"MNIST test split ({MNIST})"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 10000)
        source = "random images (MNIST not found)"
    flat, = data.standardize(x.reshape(len(x), -1).astype(np.float32))
    return flat.reshape(-1, 1, 28, 28), y.astype(np.int64), source


def conv_net(seed=0):
    """Conv(1->8, 3x3) ReLU MaxPool2 Conv(8->16, 3x3) ReLU MaxPool2 Linear(784->10), float32."""
    rng = np.random.default_rng(seed)
    return Sequential(Conv2d(1, 8, 3, padding=1, rng=rng, dtype=np.float32), ReLU(),
                      MaxPool2d(2),
                      Conv2d(8, 16, 3, padding=1, rng=rng, dtype=np.float32), ReLU(),
                      MaxPool2d(2), Flatten(), Linear(16 * 7 * 7, 10, rng=rng, dtype=np.float32))


def numpy_epochs(model, x, y):
    """One run of ``epochs`` epochs of :func:`fit`; returns the last epoch's accuracy."""
    sgd = functools.partial(optim.sgd, momentum=MOMENTUM)
    return lambda epochs: fit(model, sgd, (x, y), schedule=LR, epochs=epochs, batch_size=BATCH,
                              quiet=True).train_accuracy[-1]


def torch_epochs(torch, net, x, y):
    """The plain PyTorch loop on the same mini-batches, recording the loss like :func:`fit`."""
    optimizer = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
    criterion = torch.nn.CrossEntropyLoss()

    def run(epochs):
        losses = []
        for xb, yb in data.minibatches(x, y, BATCH, np.random.default_rng(0), epochs=epochs):
            optimizer.zero_grad()
            loss = criterion(net(torch.from_numpy(xb)), torch.from_numpy(yb))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses[-1]

    return run


def best_rates(runs, samples):
    """Samples/s of each ``run(1)``, best of ``ROUNDS`` alternating rounds after a warm-up."""
    best = [np.inf] * len(runs)
    for run in runs:
        run(1)
    for _ in range(ROUNDS):
        for index, run in enumerate(runs):
            start = time.perf_counter()
            run(1)
            best[index] = min(best[index], time.perf_counter() - start)
    return [samples / seconds for seconds in best]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and PyTorch threads (default: the libraries' own)")
    args = parser.parse_args(argv)
    x, y, source = images()
    print(f"data: {source}, {len(x)} images, batch {BATCH}, SGD lr {LR} momentum {MOMENTUM}")
    try:
        import torch
    except ImportError:
        torch = None
        print("torch not importable: NumPy figures only")
    else:
        if args.threads:
            torch.set_num_threads(args.threads)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    nn = torch.nn if torch else None
    cases = [
        ("MLP 784-100-100-10", MLP((784, 100, 100, 10), dtype=np.float32),
         x.reshape(len(x), -1), 1.2,
         lambda: nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                               nn.Linear(100, 10))),
        ("conv net 8-16", conv_net(), x, 0.5,
         lambda: nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Flatten(), nn.Linear(16 * 7 * 7, 10))),
    ]
    with threadpool_limits(args.threads):
        for name, model, inputs, goal, build_torch in cases:
            runs = [numpy_epochs(model, inputs, y)]
            if torch is not None:
                runs.append(torch_epochs(torch, build_torch(), inputs, y))
            rates = best_rates(runs, len(inputs))
            line = (f"{name}: numpy {rates[0]:,.0f} samples/s (train accuracy "
                    f"{runs[0](1):.3f})")
            if torch is not None:
                line += (f"; torch {rates[1]:,.0f} samples/s; ratio {rates[0] / rates[1]:.2f} "
                         f"(goal >= {goal})")
            print(line)


if __name__ == "__main__":
    main()
