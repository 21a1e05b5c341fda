"""numerics.data: IDX and CIFAR readers, folder resolution, checked downloads, preparation."""
import functools
import gzip
import hashlib
import http.server
import os
import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics import data

# ------------------------------------------------------------------ helpers


def idx_bytes(array, magic_type=0x08):
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, magic_type, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def write_mnist(folder, split="t10k", n=5, compress=True, n_labels=None):
    """A tiny IDX pair; returns the images and labels written."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n if n_labels is None else n_labels, dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in ((f"{split}-images-idx3-ubyte", images),
                        (f"{split}-labels-idx1-ubyte", labels)):
        raw = idx_bytes(array)
        if compress:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return images, labels


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No OPTVERIFY_DATA and an empty cache folder."""
    monkeypatch.delenv("OPTVERIFY_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving ``tmp_path / "www"``; yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# ------------------------------------------------------------------ IDX

@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.booleans(),
       st.integers(0, 2 ** 16))
def test_read_idx_round_trips_raw_and_gzip(tmp_path_factory, shape, compress, seed):
    array = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    path = tmp_path_factory.mktemp("idx") / "file"
    raw = idx_bytes(array)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    assert np.array_equal(data.read_idx(path), array)


def test_read_idx_big_endian_types(tmp_path):
    path = tmp_path / "ints"
    path.write_bytes(bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + np.array([1, -2], ">i4").tobytes())
    assert data.read_idx(path).tolist() == [1, -2]


def test_read_idx_rejects_wrong_magic_truncation_and_trailing_data(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.arange(4)))
    with pytest.raises(ValueError, match=r"magic number 0x00000801, expected 0x00000803"):
        data.read_idx(path, magic=0x803)
    path.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="magic number 0x504b0304"):
        data.read_idx(path)
    path.write_bytes(idx_bytes(np.arange(4))[:-1])
    with pytest.raises(ValueError, match="11 bytes, its header \\(4,\\) needs 12; the file is "
                                         "truncated"):
        data.read_idx(path)
    path.write_bytes(idx_bytes(np.arange(4)) + b"\0")
    with pytest.raises(ValueError, match="longer than its header says"):
        data.read_idx(path)
    path.write_bytes(gzip.compress(idx_bytes(np.arange(400)))[:-20])
    with pytest.raises(ValueError, match="not a complete gzip file"):
        data.read_idx(path)


def test_load_mnist_raw_and_gzip_and_count_mismatch(tmp_path):
    images, labels = write_mnist(tmp_path / "gz", compress=True)
    got = data.load_mnist("test", tmp_path / "gz")
    assert np.array_equal(got[0], images) and np.array_equal(got[1], labels)
    write_mnist(tmp_path / "raw", split="train", compress=False)
    assert data.load_mnist("train", tmp_path / "raw")[0].shape == (5, 28, 28)
    write_mnist(tmp_path / "bad", n=5, n_labels=4)
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        data.load_mnist("test", tmp_path / "bad")
    with pytest.raises(ValueError, match="split == 'val'"):
        data.load_mnist("val", tmp_path / "gz")


def test_mnist_labels_outside_the_classes_name_the_file_and_field(tmp_path):
    images, labels = write_mnist(tmp_path)
    labels[2] = 255
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz: field 'labels' holds "
                                         r"label 255, mnist labels are 0..9; the file is damaged"):
        data.load_mnist("test", tmp_path)


def test_unknown_idx_type_names_the_field(tmp_path):
    path = tmp_path / "odd"
    path.write_bytes(bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 0]))
    with pytest.raises(ValueError, match=r"odd: header field 'type' is 0x0a, must be one of "
                                         r"0x08, 0x09"):
        data.read_idx(path)


@pytest.mark.parametrize("compress", [False, True])
def test_declared_terabyte_shapes_are_refused_before_reading(tmp_path, compress):
    path = tmp_path / "huge"
    raw = bytes([0, 0, 0x0E, 3]) + b"\xff\xff\xff\xff" * 3 + b"\0" * 8
    path.write_bytes(gzip.compress(raw) if compress else raw)
    # (2^32 - 1)^3 float64 entries: 6.3e29 bytes, an int64 product would wrap around
    with pytest.raises(ValueError, match=r"huge: header field 'dimensions' declares shape "
                                         r"\(4294967295, 4294967295, 4294967295\) of float64, "
                                         r"6.34e\+29 bytes, more than the 1.07e\+09"):
        data.read_idx(path)


def test_gzip_expanding_beyond_its_header_stops_at_the_declared_size(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    # 4 labels declared, 64 MiB of zeros behind them: read no further than byte 4 + 1
    bomb = gzip.compress(idx_bytes(np.arange(4)) + bytes(64 << 20), compresslevel=9)
    path.write_bytes(bomb)
    with pytest.raises(ValueError, match=r"bomb-idx1-ubyte.gz: more than 12 bytes, its header "
                                         r"\(4,\) needs 12; the file is longer than its header "
                                         r"says \(it expands beyond the size of its format\)"):
        data.read_idx(path, magic=0x801)


def test_real_mnist_test_split(mnist_dir):
    images, labels = data.load_mnist("test", mnist_dir)
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]
    x, y = data.select_pair(images, labels, (0, 1))
    small = data.average_pool(x)
    assert small.shape == (2115, 14, 14) and np.sum(y == 1) == 1135
    assert np.allclose(small[:, 3, 4], x[:, 6:8, 8:10].mean(axis=(1, 2)))
    flat, = data.standardize(small.reshape(len(small), -1))
    assert np.allclose(flat.mean(axis=0), 0, atol=1e-9)


# ------------------------------------------------------------------ where the files are

def test_missing_data_names_the_folders_tried_and_how_to_get_it(no_env, monkeypatch):
    monkeypatch.setenv("OPTVERIFY_DATA", str(no_env / "env"))
    with pytest.raises(FileNotFoundError) as error:
        data.load_mnist("train")
    message = str(error.value)
    for folder in (no_env / "env", no_env / "env" / "mnist", no_env / "cache" / "optverify" /
                   "data", no_env / "cache" / "optverify" / "data" / "mnist"):
        assert str(folder) in message
    assert "python -m numerics.data download mnist" in message
    assert "--data-dir" in message and "OPTVERIFY_DATA" in message


def test_resolution_order_data_dir_then_env_then_cache(no_env, monkeypatch):
    write_mnist(no_env / "cache" / "optverify" / "data" / "mnist", n=1)
    assert len(data.load_mnist("test")[0]) == 1                      # the cache
    write_mnist(no_env / "env", n=2)
    monkeypatch.setenv("OPTVERIFY_DATA", str(no_env / "env"))
    assert len(data.load_mnist("test")[0]) == 2                      # the variable first
    write_mnist(no_env / "explicit" / "mnist", n=3)
    assert len(data.load_mnist("test", no_env / "explicit")[0]) == 3  # data_dir, sub-folder
    with pytest.raises(FileNotFoundError, match="looked in .*nowhere"):
        data.load_mnist("test", no_env / "nowhere")                  # no fallback


def test_fashion_mnist_has_its_own_folder(no_env):
    write_mnist(no_env / "d" / "fashion-mnist", n=4)
    assert len(data.load("fashion-mnist", "test", no_env / "d")[1]) == 4
    with pytest.raises(FileNotFoundError):
        data.load("mnist", "test", no_env / "d")


# ------------------------------------------------------------------ CIFAR-10

def cifar_records(n, label=3):
    records = np.zeros((n, data.CIFAR_RECORD), dtype=np.uint8)
    records[:, 0] = label
    records[:, 1:] = np.arange(3072) % 256
    return records


def test_cifar10_binary(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    for i in range(1, 6):
        (folder / f"data_batch_{i}.bin").write_bytes(cifar_records(2, label=i).tobytes())
    (folder / "test_batch.bin").write_bytes(cifar_records(3).tobytes())
    images, labels = data.load_cifar10("train", tmp_path)
    assert images.shape == (10, 3, 32, 32) and labels.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert images[0, 0, 0, :3].tolist() == [0, 1, 2] and images[0, 1, 0, 0] == 1024 % 256
    (folder / "test_batch.bin").write_bytes(cifar_records(3).tobytes()[:-1])
    with pytest.raises(ValueError, match="not a whole number of 3073-byte CIFAR-10 records"):
        data.load_cifar10("test", tmp_path)
    (folder / "test_batch.bin").write_bytes(cifar_records(1, label=12).tobytes())
    with pytest.raises(ValueError, match=r"test_batch.bin: field label \(first byte of each "
                                         r"record\) holds label 12, CIFAR-10 labels are 0..9"):
        data.load_cifar10("test", tmp_path)


def test_cifar10_python_format_through_the_restricted_unpickler(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batch = {b"data": cifar_records(2)[:, 1:], b"labels": [7, 9], b"filenames": [b"a", b"b"]}
    (folder / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
    images, labels = data.load_cifar10("test", tmp_path)
    assert images.shape == (2, 3, 32, 32) and labels.tolist() == [7, 9]


def cifar_pickle(tmp_path, data_field, labels):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir(exist_ok=True)
    batch = {b"data": data_field, b"labels": labels}
    (folder / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))


@pytest.mark.parametrize("data_field, labels, message", [
    (cifar_records(2)[:, 1:], [3, -1], r"field b'labels' holds label -1, CIFAR-10 labels are "
                                       r"0..9"),
    (cifar_records(2)[:, 1:] + 0.7 + 300 * (np.arange(3072) == 0), [1, 2],
     r"field b'data' holds values in \[0.7, 300.7\] \(float64\), must be whole numbers "
     r"0..255"),
    (cifar_records(2)[:, 1:].astype(object), [1, 2],
     r"field b'data' has dtype object, must hold integers 0..255"),
    (cifar_records(2)[:, 1:].astype(np.int16) - 1, [1, 2],
     r"field b'data' holds values in \[-1, 254\] \(int16\)"),
    (cifar_records(2)[:, 1:], [1.0, 2.0], r"field b'labels' has dtype float64 and shape \(2,\), "
                                          r"must be 2 integers"),
    (cifar_records(2)[:, 1:], [1, 2, 3], r"field b'labels' has dtype int64 and shape \(3,\), "
                                        r"must be 2 integers"),
    (cifar_records(2)[:, 1:2], [1, 2], r"field b'data' has shape \(2, 1\), must be \(n, 3072\)"),
])
def test_cifar_pickles_with_values_that_would_wrap_are_refused(tmp_path, data_field, labels,
                                                               message):
    cifar_pickle(tmp_path, data_field, labels)
    with pytest.raises(ValueError, match=r"test_batch: " + message):
        data.load_cifar10("test", tmp_path)


class Exploit:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return os.system, (f"touch {self.target}",)


def test_restricted_unpickler_refuses_code(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({b"data": Exploit(target)}, protocol=2))
    with pytest.raises(ValueError, match=r"refusing to load (posix|os)\.system"):
        data.restricted_load(path)
    assert not target.exists()


# ------------------------------------------------------------------ downloads

def test_fetch_checks_the_checksum_and_leaves_nothing_behind(server, tmp_path):
    root, url = server
    payload = b"some bytes" * 1000
    (root / "file.bin").write_bytes(payload)
    good = hashlib.sha256(payload).hexdigest()
    target = tmp_path / "dl" / "file.bin"
    data.fetch(url + "file.bin", target, good)
    assert target.read_bytes() == payload
    target.unlink()
    with pytest.raises(ValueError, match="checksum mismatch .*nothing written"):
        data.fetch(url + "file.bin", target, "0" * 64)
    assert list(target.parent.iterdir()) == []
    with pytest.raises(OSError):
        data.fetch(url + "missing.bin", target, good)
    assert list(target.parent.iterdir()) == []


def test_download_then_load(server, no_env, monkeypatch):
    root, url = server
    images, labels = write_mnist(root, split="t10k", n=3)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.iterdir()}
    monkeypatch.setitem(data.DATASETS, "mnist", data.Source(("http://127.0.0.1:9/", url), files))
    folder = data.download("mnist", no_env / "d", quiet=True)   # first mirror refuses
    assert folder == no_env / "d" / "mnist"
    assert np.array_equal(data.load_mnist("test", no_env / "d")[0], images)
    assert data.main(["download", "mnist", "--data-dir", str(no_env / "d"), "--quiet"]) == 0
    files = dict(files, **{"t10k-labels-idx1-ubyte.gz": "f" * 64})
    monkeypatch.setitem(data.DATASETS, "mnist", data.Source((url,), files))
    with pytest.raises(RuntimeError, match="could not download t10k-labels.*checksum mismatch"):
        data.download("mnist", no_env / "e", quiet=True)
    assert sorted(p.name for p in (no_env / "e" / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte.gz"]


def test_download_command_line_error(no_env, monkeypatch, capsys, server):
    _, url = server
    monkeypatch.setitem(data.DATASETS, "mnist", data.Source((url,), {"x.gz": "0" * 64}))
    assert data.main(["download", "mnist", "--data-dir", str(no_env), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("error: could not download x.gz")


def test_download_interrupted_says_so_and_leaves_no_temporary(no_env, monkeypatch, capsys):
    def interrupted(url, timeout):
        raise KeyboardInterrupt

    monkeypatch.setattr(data.urllib.request, "urlopen", interrupted)
    assert data.main(["download", "mnist", "--data-dir", str(no_env), "--quiet"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert list((no_env / "mnist").iterdir()) == []


def test_cifar_archive_is_extracted_via_a_temporary_folder(server, no_env, monkeypatch):
    import tarfile
    root, url = server
    inner = no_env / "build" / "cifar-10-batches-bin"
    inner.mkdir(parents=True)
    (inner / "test_batch.bin").write_bytes(cifar_records(2).tobytes())
    with tarfile.open(root / "cifar-10-binary.tar.gz", "w:gz") as tar:
        tar.add(inner, arcname="cifar-10-batches-bin")
    sha = hashlib.sha256((root / "cifar-10-binary.tar.gz").read_bytes()).hexdigest()
    monkeypatch.setitem(data.DATASETS, "cifar10", data.Source(
        (url,), {"cifar-10-binary.tar.gz": sha}, "cifar-10-batches-bin"))
    folder = data.download("cifar10", no_env / "d", quiet=True)
    assert data.load_cifar10("test", no_env / "d")[1].tolist() == [3, 3]
    assert sorted(p.name for p in folder.iterdir()) == ["cifar-10-batches-bin",
                                                        "cifar-10-binary.tar.gz"]


# ------------------------------------------------------------------ preparation

def test_digits_is_the_embedded_default():
    images, labels = data.load()
    test_images, _ = data.load("digits", "test")
    assert images.shape == (1437, 8, 8) and len(test_images) == 360
    assert set(np.unique(labels)) == set(range(10))
    with pytest.raises(ValueError, match="name == 'imagenet'"):
        data.load("imagenet")


def test_select_pair_average_pool_and_standardize_errors():
    with pytest.raises(ValueError, match=r"pair == \(1, 1\), must name two different classes"):
        data.select_pair(np.zeros(2), np.array([0, 1]), (1, 1))
    with pytest.raises(ValueError, match=r"no example has either label; the labels present are "
                                         r"\[0, 1\]"):
        data.select_pair(np.zeros(2), np.array([0, 1]), (3, 4))
    with pytest.raises(ValueError, match="factor == 3, must be >= 1 and divide the image size "
                                         "28x28"):
        data.average_pool(np.zeros((1, 28, 28)), 3)
    train, test = data.standardize(np.array([[1.0, 2.0], [3.0, 2.0]], np.float32), [[5.0, 2.0]])
    assert train.dtype == np.float32 and test.tolist() == [[3.0, 0.0]]


@given(st.integers(1, 40), st.integers(1, 9), st.integers(0, 2 ** 16), st.booleans())
def test_minibatches_cover_each_example_once_per_epoch(n, batch, seed, drop_last):
    x, y = np.arange(n), np.arange(n) * 10
    if drop_last and n < batch:  # no batch at all: an error, not an endless empty loop
        with pytest.raises(ValueError, match=f"batch_size == {batch} with drop_last=True"):
            next(data.minibatches(x, y, batch, seed, epochs=None, drop_last=drop_last))
        return
    batches = list(data.minibatches(x, y, batch, seed, epochs=2, drop_last=drop_last))
    assert batches and all(np.array_equal(xb * 10, yb) for xb, yb in batches)
    per_epoch = n // batch if drop_last else -(-n // batch)
    assert len(batches) == 2 * per_epoch
    first = np.concatenate([xb for xb, _ in batches[:per_epoch]]) if per_epoch else np.array([])
    assert len(set(first.tolist())) == len(first) == (per_epoch * batch if drop_last else n)
    again = list(data.minibatches(x, y, batch, seed, epochs=2, drop_last=drop_last))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(batches, again))


def test_shuffle_and_split_are_deterministic():
    x, y = np.arange(20), np.arange(20)
    assert np.array_equal(data.shuffle(x, y, 3)[0], data.shuffle(x, y, 3)[0])
    assert not np.array_equal(data.shuffle(x, y, 3)[0], data.shuffle(x, y, 4)[0])
    (xt, yt), (xv, yv) = data.train_val_split(x, y, 0.25, seed=1)
    assert len(xv) == 5 and np.array_equal(xt, yt)
    assert sorted(np.concatenate([xt, xv]).tolist()) == list(range(20))
    with pytest.raises(ValueError, match="val_fraction == 1.5"):
        data.train_val_split(x, y, 1.5)
    with pytest.raises(ValueError, match="batch_size == 4 with drop_last=True and 3 examples "
                                         "gives no batch at all"):  # would loop forever
        next(data.minibatches(np.arange(3), np.arange(3), 4, drop_last=True, epochs=None))
    with pytest.raises(ValueError, match="batch_size == 0"):
        next(data.minibatches(x, y, 0))


@pytest.mark.parametrize("layout, name", [("cifar-10-batches-bin", "test_batch.bin"),
                                          ("cifar-10-batches-py", "test_batch")])
def test_cifar_files_larger_than_a_batch_are_refused_before_reading(tmp_path, layout, name):
    folder = tmp_path / layout
    folder.mkdir()
    with open(folder / name, "wb") as handle:  # sparse: 1e12 bytes declared, none written
        handle.truncate(10 ** 12)
    with pytest.raises(ValueError, match=rf"{name}: 1000000000000 bytes, more than the "
                                         rf"\d+ of a (batch of 10000 records|pickled batch)"):
        data.load_cifar10("test", tmp_path)
