"""numerics.train: fit against a hand-written loop, History files, non-finite stops, lr_find."""
import functools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numerics import data, optim, schedules
from numerics.nn import MLP, logistic_loss, mean_squared_error, softmax_cross_entropy
from numerics.train import History, evaluate, fit, lr_find


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)


@settings(max_examples=10)
@given(st.integers(0, 2 ** 16), st.integers(1, 3), st.sampled_from([16, 50, 64]),
       st.floats(0.0, 0.9))
def test_fit_is_the_hand_written_loop(seed, epochs, batch_size, momentum):
    x, y = blobs(100, seed)
    model = MLP((2, 5, 2), seed=seed)
    reference = MLP((2, 5, 2), seed=seed)
    schedule = schedules.step_decay(0.3, 0.5, 4)
    factory = functools.partial(optim.sgd, momentum=momentum)
    history = fit(model, factory, (x, y), schedule=schedule, epochs=epochs,
                  batch_size=batch_size, seed=seed, quiet=True)
    opt = factory(schedule)
    params = reference.parameters()
    state = opt.init(params)
    losses = []
    for xb, yb in data.minibatches(x, y, batch_size, np.random.default_rng(seed), epochs=epochs):
        loss, dscores = softmax_cross_entropy(reference.forward(xb), yb)
        reference.backward(dscores)
        updates, state = opt.update(reference.gradients(), state, params)
        params = optim.apply_updates(params, updates)
        reference.set_parameters(params)
        losses.append(loss)
    assert np.allclose(history.loss, losses, rtol=1e-12, atol=1e-12)
    assert all(np.allclose(v, params[k], rtol=1e-12, atol=1e-12)
               for k, v in model.parameters().items())
    assert history.lr == pytest.approx([schedule(t) for t in range(len(losses))])
    assert history.epoch_step == [math.ceil(100 / batch_size) * (e + 1) for e in range(epochs)]


def test_fit_records_epochs_validation_and_gradient_norms():
    x, y = blobs(300)
    (xt, yt), validation = data.train_val_split(x, y, 0.2)
    history = fit(MLP((2, 8, 2), seed=1), optim.sgd, (xt, yt), schedule=0.5, epochs=6,
                  validation=validation, batch_size=32, quiet=True)
    assert len(history.loss) == len(history.lr) == 6 * 8
    assert set(history.grad_norms) == {"0.Linear", "2.Linear"}
    assert all(len(v) == 48 for v in history.grad_norms.values())
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_accuracy[-1] > 0.9 and len(history.val_loss) == 6
    loss, accuracy = evaluate(MLP((2, 8, 2), seed=1), softmax_cross_entropy, validation)
    assert loss > history.val_loss[-1]


def test_fit_with_a_step_budget_other_losses_and_a_ready_optimizer():
    x, y = blobs(100)
    history = fit(MLP((2, 4, 1), seed=0), optim.adam(1e-2), (x, 2 * y - 1), loss=logistic_loss,
                  steps=7, batch_size=30, quiet=True)
    assert len(history.loss) == 7 and history.epoch_step == [4, 7]
    assert all(math.isnan(r) for r in history.lr)
    history = fit(MLP((2, 4, 1), seed=0), optim.sgd, (x, y.astype(float)),
                  loss=mean_squared_error, metric=None, schedule=0.1, epochs=1, quiet=True)
    assert math.isnan(history.train_accuracy[0]) and history.train_loss[0] > 0


def test_same_seed_same_history_and_float32():
    x, y = blobs(128)
    runs = [fit(MLP((2, 6, 2), seed=3, dtype=np.float32), optim.sgd, (x, y), schedule=0.2,
                epochs=2, batch_size=20, seed=7, quiet=True) for _ in range(2)]
    assert runs[0].loss == runs[1].loss
    model = MLP((2, 6, 2), seed=3, dtype=np.float32)
    fit(model, functools.partial(optim.sgd, momentum=0.9), (x, y), schedule=0.1, epochs=1,
        quiet=True)
    assert all(v.dtype == np.float32 for v in model.parameters().values())


def test_non_finite_loss_stops_with_the_step(tmp_path):
    x, y = blobs(200)
    model = MLP((2, 16, 2), seed=0)
    with pytest.raises(FloatingPointError, match=r"became (nan|inf) at step \d+; training "
                                                 r"stopped") as error:
        fit(model, optim.sgd, (100 * x, y), schedule=1e6, epochs=50, quiet=True)
    step = int(error.value.args[0].split("at step ")[1].split(";")[0])
    assert 0 < step == len(error.value.history.loss)
    assert all(np.all(np.isfinite(v)) for v in model.parameters().values())


def test_progress_bar_unless_quiet(capsys):
    x, y = blobs(64)
    fit(MLP((2, 3, 2), seed=0), optim.sgd, (x, y), schedule=0.1, epochs=1)
    assert "fit" in capsys.readouterr().err
    fit(MLP((2, 3, 2), seed=0), optim.sgd, (x, y), schedule=0.1, epochs=1, quiet=True)
    assert capsys.readouterr().err == ""


def test_history_files_are_written_whole(tmp_path):
    x, y = blobs(64)
    history = fit(MLP((2, 3, 2), seed=0), optim.sgd, (x, y), schedule=0.1, epochs=2,
                  quiet=True)
    npz, js = history.save(tmp_path / "out" / "run.json")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["run.json", "run.npz"]
    back = History.load(npz)
    assert back.loss == history.loss and back.grad_norms == history.grad_norms
    plain = json.loads(js.read_text())
    assert plain["val_loss"] == [None, None] and plain["epoch_step"] == [1, 2]


def test_fit_argument_errors():
    x, y = blobs(10)
    model = MLP((2, 2))
    with pytest.raises(ValueError, match="give exactly one budget"):
        fit(model, optim.sgd, (x, y), schedule=0.1, quiet=True)
    with pytest.raises(ValueError, match="epochs == 0, must be an integer >= 1"):
        fit(model, optim.sgd, (x, y), schedule=0.1, epochs=0, quiet=True)
    with pytest.raises(ValueError, match="batch_size == 0, must be an integer >= 1"):
        fit(model, optim.sgd, (x, y), schedule=0.1, epochs=1, batch_size=0, quiet=True)
    with pytest.raises(ValueError, match="schedule is None"):
        fit(model, optim.sgd, (x, y), epochs=1, quiet=True)
    with pytest.raises(ValueError, match="ready GradientTransformation"):
        fit(model, optim.sgd(0.1), (x, y), schedule=0.1, epochs=1, quiet=True)
    with pytest.raises(TypeError, match="data must be a pair"):
        fit(model, optim.sgd, x, schedule=0.1, epochs=1, quiet=True)


def test_lr_find_follows_the_range_test_and_leaves_the_model_alone():
    x, y = blobs(512, seed=2)
    model = MLP((2, 16, 2), seed=0)
    before = {k: v.copy() for k, v in model.parameters().items()}
    result = lr_find(model, functools.partial(optim.sgd, momentum=0.9), (x, y), batch_size=32)
    assert all(np.array_equal(before[k], v) for k, v in model.parameters().items())
    steps = np.arange(len(result.rates))
    assert np.allclose(result.rates, 1e-5 * 1.1 ** steps)
    best_so_far = np.minimum.accumulate(result.losses)
    assert np.all(result.losses[:-1] <= 4 * best_so_far[:-1])
    assert result.losses[-1] > 4 * best_so_far[-1] or result.rates[-1] > 10 / 1.1
    assert result.best_rate == result.rates[np.argmin(result.losses)]
    assert result.suggestion == pytest.approx(result.best_rate / 10)
    short = lr_find(model, optim.sgd, (x, y), max_steps=5, start=1e-3, factor=2.0)
    assert np.allclose(short.rates, 1e-3 * 2.0 ** np.arange(5))
