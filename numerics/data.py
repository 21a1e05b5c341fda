"""Data sets: MNIST / Fashion-MNIST (IDX), CIFAR-10 (binary, or pickles through a restricted unpickler), digits.

Where the files are looked for, in order: the ``data_dir`` argument (``--data-dir``), else
the ``OPTVERIFY_DATA`` variable, else the cache folder ``$XDG_CACHE_HOME/optverify/data``
(``~/.cache/optverify/data``); in each, the folder itself and its sub-folder named after
the data set. :func:`download` fetches a data set on request, checking every file's
SHA-256 before it is renamed into place, so a failed or forged download leaves nothing
behind. scikit-learn's bundled 8x8 digits (:func:`load_digits`) need no download.

Readers check what they read: IDX magic numbers, type codes and sizes (a declared size
above ``MAX_IDX_BYTES`` is refused before reading, and a gzip file is decompressed no
further than its header declares), CIFAR record lengths, pixel values that a cast to
``uint8`` would wrap, labels outside the classes, image and label counts; each problem is
a ``ValueError`` naming the file, the field and the fix.
Helpers for the experiments: :func:`select_pair` (two classes relabelled ``-1``/``+1``),
:func:`average_pool` (``28x28 -> 14x14``), :func:`standardize`, :func:`shuffle`,
:func:`train_val_split` and :func:`minibatches`, all deterministic given a seed.
"""
from __future__ import annotations

import codecs
import gzip
import hashlib
import math
import os
import pickle
import shutil
import struct
import sys
import tarfile
import tempfile
import urllib.request
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .files import atomic_path
from .terminal import ArgumentParser, command, fail
from .optim import _integer

__all__ = ["DATASETS", "cache_folder", "candidate_folders", "find_folder", "read_idx",
           "load_mnist", "load_cifar10", "restricted_load", "load_digits", "load", "fetch",
           "download", "select_pair", "average_pool", "standardize", "shuffle",
           "train_val_split", "minibatches"]

IMAGES_MAGIC, LABELS_MAGIC = 0x803, 0x801
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
CIFAR_RECORD = 1 + 3 * 32 * 32
CIFAR_BATCH = 10_000  # records in every CIFAR-10 batch file
MAX_IDX_BYTES = 1 << 30  # 1 GiB: the largest IDX data set (EMNIST ByClass) needs 0.55 GB
SPLITS = ("train", "test")


class Source(NamedTuple):
    """Where a data set is downloaded from: mirrors, ``{file: sha256}``, and the folder a tar archive holds."""

    mirrors: tuple
    files: dict
    archive_folder: str | None = None


DATASETS = {
    "mnist": Source(
        ("https://ossci-datasets.s3.amazonaws.com/mnist/",
         "https://storage.googleapis.com/cvdf-datasets/mnist/"),
        {"train-images-idx3-ubyte.gz":
         "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
         "train-labels-idx1-ubyte.gz":
         "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
         "t10k-images-idx3-ubyte.gz":
         "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
         "t10k-labels-idx1-ubyte.gz":
         "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"}),
    "fashion-mnist": Source(
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        {"train-images-idx3-ubyte.gz":
         "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
         "train-labels-idx1-ubyte.gz":
         "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
         "t10k-images-idx3-ubyte.gz":
         "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
         "t10k-labels-idx1-ubyte.gz":
         "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"}),
    "cifar10": Source(
        ("https://www.cs.toronto.edu/~kriz/",),
        {"cifar-10-binary.tar.gz":
         "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"},
        archive_folder="cifar-10-batches-bin"),
}
NAMES = ("digits", *DATASETS)


# ------------------------------------------------------------------ where the files are

def cache_folder():
    """``$XDG_CACHE_HOME/optverify/data``, or ``~/.cache/optverify/data``.

    Examples
    --------
    >>> cache_folder().parts[-2:]
    ('optverify', 'data')
    """
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "optverify" / "data"


def candidate_folders(name, data_dir=None):
    """The folders searched for data set ``name``, in order (see the module docstring).

    Examples
    --------
    >>> [str(p) for p in candidate_folders("mnist", "/data")]
    ['/data', '/data/mnist']
    """
    return [folder for root in _roots(data_dir) for folder in (root, root / name)]


def _roots(data_dir):
    """``[data_dir]`` if given, else ``OPTVERIFY_DATA`` (when set) and the cache folder."""
    if data_dir is not None:
        return [Path(data_dir)]
    roots = [Path(os.environ["OPTVERIFY_DATA"])] if os.environ.get("OPTVERIFY_DATA") else []
    return roots + [cache_folder()]


def find_folder(name, groups, data_dir=None):
    """The first candidate folder holding one file of each group of alternatives in ``groups``.

    ``groups`` is a list of tuples of file names (``("a.gz", "a")``: either will do).
    Raises ``FileNotFoundError`` naming the folders tried and how to get the data.
    """
    tried = candidate_folders(name, data_dir)
    for folder in tried:
        if all(any((folder / f).is_file() for f in group) for group in groups):
            return folder
    wanted = ", ".join(group[0] for group in groups)
    option = f" --data-dir {data_dir}" if data_dir is not None else ""
    how = (f", or download them with `python -m numerics.data download {name}{option}` (into "
           f"{download_folder(name, data_dir)})" if name in DATASETS else "")
    raise FileNotFoundError(
        f"{name} files ({wanted}) not found; looked in {', '.join(map(str, tried))}. Pass "
        f"--data-dir DIR (data_dir=DIR) or set OPTVERIFY_DATA to a folder that has them{how}")


def download_folder(name, data_dir=None):
    """Where :func:`download` puts data set ``name``: ``<root>/<name>`` of the first root."""
    return _roots(data_dir)[0] / name


# ------------------------------------------------------------------ readers

def _opened(path):
    """``path`` opened for reading bytes, through gzip when it starts with the gzip signature.

    Decompression is streamed, so a reader that asks for ``n`` bytes never holds more:
    a file that expands beyond what its header allows costs no more than that.
    """
    handle = open(path, "rb")
    if handle.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb"), handle
    return handle, handle


def _read_at_most(path, reader, size):
    """Up to ``size`` bytes from ``reader``; a damaged gzip stream is a ``ValueError`` naming ``path``."""
    try:
        return reader.read(size)
    except (EOFError, OSError, zlib.error) as error:
        raise ValueError(f"{path} is not a complete gzip file ({error}); it is probably "
                         f"truncated: delete it and download it again") from None


def _idx_size(path, shape, dtype):
    """Bytes of data an IDX header of ``shape`` and ``dtype`` declares, at most ``MAX_IDX_BYTES``."""
    size = math.prod(shape) * dtype.itemsize        # Python ints: no overflow
    if size > MAX_IDX_BYTES:
        raise ValueError(f"{path}: header field 'dimensions' declares shape {shape} of "
                         f"{dtype.name}, {size:.3g} bytes, more than the {MAX_IDX_BYTES:.3g} "
                         f"any IDX data set needs; the header is damaged: download the file "
                         f"again")
    return size


def read_idx(path, magic=None):
    """An IDX file (raw or gzip-compressed) as an ndarray, its magic number and size checked.

    The header is read first; the data it declares is read in one go and never more (a
    gzip file expanding past it is refused, as is a declared size above ``MAX_IDX_BYTES``).

    Parameters
    ----------
    path : path-like
    magic : int, optional
        The expected magic number (``0x803`` for images, ``0x801`` for labels).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path, magic=0x801)
    array([7, 2, 1], dtype=uint8)
    """
    reader, handle = _opened(path)
    with handle, reader:
        start = _read_at_most(path, reader, 4)
        found = int.from_bytes(start, "big") if len(start) == 4 else None
        if found is None or start[:2] != b"\0\0" or (magic is not None and found != magic):
            expected = f"0x{magic:08x}" if magic is not None else "0x0000TTNN (an IDX header)"
            shown = f"0x{found:08x}" if found is not None else "nothing (file too short)"
            raise ValueError(f"{path}: magic number {shown}, expected {expected}; this is not "
                             f"the IDX file it is named after: download it again")
        if start[2] not in IDX_TYPES:
            raise ValueError(f"{path}: header field 'type' is 0x{start[2]:02x}, must be one of "
                             f"{', '.join(f'0x{t:02x}' for t in IDX_TYPES)}; the file is damaged "
                             f"or not IDX: download it again")
        ndim, dtype = start[3], np.dtype(IDX_TYPES[start[2]])
        header = 4 + 4 * ndim
        dims = _read_at_most(path, reader, 4 * ndim)
        if len(dims) < 4 * ndim:
            raise ValueError(f"{path}: {4 + len(dims)} bytes, shorter than its {header}-byte "
                             f"header; the file is truncated: download it again")
        shape = struct.unpack(f">{ndim}I", dims)
        size = _idx_size(path, shape, dtype)
        body = _read_at_most(path, reader, size + 1)
    expected = header + size
    if len(body) != size:
        if len(body) < size:
            shown, problem = header + len(body), "truncated"
        elif reader is handle:
            shown, problem = Path(path).stat().st_size, "longer than its header says"
        else:
            shown, problem = (f"more than {expected}", "longer than its header says (it "
                              "expands beyond the size of its format)")
        raise ValueError(f"{path}: {shown} bytes, its header {shape} needs {expected}; the "
                         f"file is {problem}: download it again")
    return np.frombuffer(body, dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _labels_in_range(path, field, labels, classes, name):
    """``labels``, or a ``ValueError`` naming the file and field when one is outside ``0..classes-1``."""
    outside = labels[(labels < 0) | (labels >= classes)] if labels.size else labels
    if outside.size:
        raise ValueError(f"{path}: field {field} holds label {outside[0]}, {name} labels are "
                         f"0..{classes - 1}; the file is damaged: download it again")
    return labels


def _split(split):
    if split not in SPLITS:
        raise ValueError(f"split == {split!r}, must be one of {SPLITS}; pass split='train'")
    return split


def _pair(images, labels, where):
    if len(images) != len(labels):
        raise ValueError(f"{where}: {len(images)} images but {len(labels)} labels; the files "
                         f"belong to different splits or one is damaged: download them again")
    return images, labels


def load_mnist(split="train", data_dir=None, name="mnist"):
    """MNIST or Fashion-MNIST (``name="fashion-mnist"``): ``uint8`` images ``(n, 28, 28)`` and labels ``(n,)``.

    Reads ``train-*`` or ``t10k-*`` ``images-idx3-ubyte`` / ``labels-idx1-ubyte``, gzipped or not.
    """
    prefix = {"train": "train", "test": "t10k"}[_split(split)]
    stems = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    groups = [(f"{stem}.gz", stem) for stem in stems]
    folder = find_folder(name, groups, data_dir)
    images_path, labels_path = (next(folder / f for f in group if (folder / f).is_file())
                                for group in groups)
    images = read_idx(images_path, IMAGES_MAGIC)      # the magic fixes uint8 and the rank
    labels = read_idx(labels_path, LABELS_MAGIC)
    _labels_in_range(labels_path, "'labels'", labels, 10, name)
    return _pair(images, labels, f"{images_path} and {labels_path}")



# CIFAR-10's python format holds numpy arrays: these globals and nothing else are let through.
_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(0))[0]
SAFE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return SAFE_GLOBALS[module, name]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: only numpy arrays and plain containers are "
                f"allowed in a data pickle") from None


def restricted_load(path):
    """Unpickle ``path`` (Python 2 ``bytes`` encoding) allowing only numpy arrays and plain containers.

    A pickle naming any other global (``os.system``, ...) raises ``ValueError`` and runs nothing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "batch"
    >>> _ = path.write_bytes(pickle.dumps({"data": np.arange(3)}, protocol=2))
    >>> restricted_load(path)
    {'data': array([0, 1, 2])}
    """
    with open(path, "rb") as handle:
        try:
            return _RestrictedUnpickler(handle, encoding="bytes").load()
        except Exception as error:  # any failure to decode hostile bytes is a damaged file
            raise ValueError(f"{path}: {error or type(error).__name__}; use the binary CIFAR-10 "
                             f"files (cifar-10-batches-bin) or download the data again") from None


def _cifar_size(path, limit, what):
    """The size of ``path``, refused when larger than the ``limit`` bytes of a CIFAR-10 batch."""
    size = Path(path).stat().st_size
    if size > limit:
        raise ValueError(f"{path}: {size} bytes, more than the {limit} of {what}; this is not a "
                         f"CIFAR-10 batch file: download the data again")
    return size


def _cifar_binary(path):
    _cifar_size(path, CIFAR_BATCH * CIFAR_RECORD, f"a batch of {CIFAR_BATCH} records")
    raw = Path(path).read_bytes()
    if len(raw) == 0 or len(raw) % CIFAR_RECORD:
        raise ValueError(f"{path}: {len(raw)} bytes, not a whole number of {CIFAR_RECORD}-byte "
                         f"CIFAR-10 records; the file is truncated: download it again")
    records = np.frombuffer(raw, np.uint8).reshape(-1, CIFAR_RECORD)
    labels = _labels_in_range(path, "label (first byte of each record)", records[:, 0].copy(),
                              10, "CIFAR-10")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def _byte_array(path, field, values):
    """``values`` as ``uint8`` if they are whole numbers in ``0..255``, else a ``ValueError``.

    A plain cast would wrap (300.7 becomes 44, -1 becomes 255): values are checked first.
    """
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{path}: field {field} has dtype {values.dtype}, must hold integers "
                         f"0..255; this is not a CIFAR-10 batch: download the data again")
    if values.size and values.dtype != np.uint8 and not (
            np.all(np.isfinite(values)) and np.all(values == np.round(values))
            and values.min() >= 0 and values.max() <= 255):
        raise ValueError(f"{path}: field {field} holds values in [{values.min()}, "
                         f"{values.max()}] ({values.dtype}), must be whole numbers 0..255 "
                         f"(uint8 pixels); the file is damaged: download the data again")
    return values.astype(np.uint8, copy=False)


def _cifar_pickle(path):
    # a pickled batch is its 3072-byte rows plus labels, file names and framing: 2x is ample
    _cifar_size(path, 2 * CIFAR_BATCH * CIFAR_RECORD, "a pickled batch")
    batch = restricted_load(path)
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise ValueError(f"{path}: not a CIFAR-10 batch (a dict with b'data' and b'labels')")
    data = _byte_array(path, "b'data'", batch[b"data"])
    if data.ndim != 2 or data.shape[1] != CIFAR_RECORD - 1:
        raise ValueError(f"{path}: field b'data' has shape {data.shape}, must be (n, 3072); "
                         f"download the data again")
    labels = np.asarray(batch[b"labels"])
    if labels.dtype.kind not in "iu" or labels.shape != (len(data),):
        raise ValueError(f"{path}: field b'labels' has dtype {labels.dtype} and shape "
                         f"{labels.shape}, must be {len(data)} integers; download the data again")
    labels = _labels_in_range(path, "b'labels'", labels, 10, "CIFAR-10")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.uint8)


def load_cifar10(split="train", data_dir=None):
    """CIFAR-10: ``uint8`` images ``(n, 3, 32, 32)`` and labels ``(n,)`` in ``0..9``.

    Reads the binary batches (``data_batch_1.bin``..., ``test_batch.bin``, in the folder
    or its ``cifar-10-batches-bin``), else the python batches (``data_batch_1``...,
    in ``cifar-10-batches-py``) through :func:`restricted_load`.
    """
    stems = ([f"data_batch_{i}" for i in range(1, 6)] if _split(split) == "train"
             else ["test_batch"])
    layouts = [("cifar-10-batches-bin/", ".bin", _cifar_binary), ("", ".bin", _cifar_binary),
               ("cifar-10-batches-py/", "", _cifar_pickle), ("", "", _cifar_pickle)]
    problem = None
    for sub, suffix, reader in layouts:
        try:
            folder = find_folder("cifar10", [(f"{sub}{s}{suffix}",) for s in stems], data_dir)
        except FileNotFoundError as error:
            problem = problem or error
            continue
        parts = [reader(folder / f"{sub}{s}{suffix}") for s in stems]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        return _pair(images, labels, str(folder))
    raise problem


def load_digits(split="train"):
    """scikit-learn's bundled 8x8 digits (no download): images ``(n, 8, 8)`` in ``0..16`` and labels.

    The first 1437 of the 1797 images (80 %) are ``"train"``, the rest ``"test"``.

    Examples
    --------
    >>> images, labels = load_digits("test")
    >>> images.shape, labels[:3]
    ((360, 8, 8), array([2, 3, 4]))
    """
    from sklearn.datasets import load_digits as sklearn_digits
    digits = sklearn_digits()
    cut = int(0.8 * len(digits.target))
    part = slice(None, cut) if _split(split) == "train" else slice(cut, None)
    return digits.images[part], digits.target[part]


def load(name="digits", split="train", data_dir=None):
    """``(images, labels)`` of data set ``name``: ``"digits"``, ``"mnist"``, ``"fashion-mnist"``, ``"cifar10"``.

    Examples
    --------
    >>> images, labels = load("digits")
    >>> images.shape
    (1437, 8, 8)
    """
    if name not in NAMES:
        raise ValueError(f"name == {name!r}, must be one of {NAMES}; pass name='digits' for "
                         f"the embedded default")
    if name == "digits":
        return load_digits(split)
    if name == "cifar10":
        return load_cifar10(split, data_dir)
    return load_mnist(split, data_dir, name)


# ------------------------------------------------------------------ downloads

def sha256_of(path):
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url, destination, sha256, timeout=60):
    """Download ``url`` to ``destination`` through a temporary file, renamed only if its SHA-256 matches.

    On a mismatch or a broken connection nothing is left at ``destination`` (nor beside it).
    """
    destination = Path(destination)
    with atomic_path(destination) as temporary:
        digest = hashlib.sha256()
        with urllib.request.urlopen(url, timeout=timeout) as response, \
                open(temporary, "wb") as handle:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"checksum mismatch for {url}: SHA-256 {digest.hexdigest()}, "
                             f"expected {sha256}; the download was discarded and nothing "
                             f"written to {destination}: try again or another mirror")
    return destination


def _extract(archive, folder, member_folder):
    """Unpack ``member_folder`` of a tar archive into ``folder`` via a temporary folder, then rename."""
    target = folder / member_folder
    if target.is_dir():
        return
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".extract-"))
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        os.replace(staging / member_folder, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def download(name, data_dir=None, mirrors=None, quiet=False):
    """Download data set ``name`` into ``<root>/<name>`` (root: ``data_dir``, ``OPTVERIFY_DATA`` or the cache).

    Files already there with the right SHA-256 are kept; every other file is fetched with
    :func:`fetch` from the first mirror that serves it intact. Returns the folder.
    """
    if name not in DATASETS:
        raise ValueError(f"name == {name!r}, must be one of {tuple(DATASETS)} (digits ships "
                         f"with scikit-learn and needs no download)")
    source = DATASETS[name]
    folder = download_folder(name, data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for file, sha256 in source.files.items():
        path = folder / file
        if path.is_file() and sha256_of(path) == sha256:
            continue
        reasons = []
        for mirror in mirrors or source.mirrors:
            try:
                if not quiet:
                    print(f"downloading {mirror}{file}", file=sys.stderr)
                fetch(f"{mirror}{file}", path, sha256)
                break
            except (OSError, ValueError) as error:
                reasons.append(f"{mirror}: {error}")
        else:
            raise RuntimeError(f"could not download {file}: " + "; ".join(reasons))
        if source.archive_folder:
            _extract(path, folder, source.archive_folder)
    return folder


@command
def main(argv=None):
    """``python -m numerics.data download NAME [--data-dir DIR] [--quiet]``."""
    parser = ArgumentParser(prog="python -m numerics.data", description="Download a data set.")
    parser.add_argument("command", choices=["download"])
    parser.add_argument("name", choices=tuple(DATASETS))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        folder = download(args.name, args.data_dir, quiet=args.quiet)
    except (OSError, ValueError, RuntimeError) as error:
        return fail(error)
    print(folder)
    return 0


# ------------------------------------------------------------------ preparation

def select_pair(images, labels, pair=(0, 1)):
    """The examples of the two classes in ``pair``, relabelled ``-1`` (first) and ``+1`` (second).

    Examples
    --------
    >>> x, y = select_pair(np.arange(4), np.array([0, 1, 2, 1]))
    >>> x, y
    (array([0, 1, 3]), array([-1,  1,  1]))
    """
    labels = np.asarray(labels)
    negative, positive = pair
    if negative == positive:
        raise ValueError(f"pair == {pair!r}, must name two different classes; pass e.g. (0, 1)")
    keep = (labels == negative) | (labels == positive)
    if not keep.any():
        raise ValueError(f"pair == {pair!r}: no example has either label; the labels present "
                         f"are {np.unique(labels).tolist()}")
    return np.asarray(images)[keep], np.where(labels[keep] == positive, 1, -1)


def average_pool(images, factor=2):
    """Average over ``factor x factor`` blocks of the last two axes (``28 x 28 -> 14 x 14`` for 2).

    Examples
    --------
    >>> average_pool(np.arange(16.0).reshape(1, 4, 4))
    array([[[ 2.5,  4.5],
            [10.5, 12.5]]])
    """
    images = np.asarray(images)
    *lead, height, width = images.shape
    if factor < 1 or height % factor or width % factor:
        raise ValueError(f"factor == {factor!r}, must be >= 1 and divide the image size "
                         f"{height}x{width}; pass e.g. factor=2 for 28x28 images")
    blocks = images.reshape(*lead, height // factor, factor, width // factor, factor)
    return blocks.mean(axis=(-3, -1))


def standardize(train, *others, eps=1e-8):
    """Per-feature ``(x - mean) / std`` with the statistics of ``train``, applied to it and ``others``.

    Features with ``std <= eps`` (constant pixels) are only centred. Float32 input stays
    float32, anything else becomes float64.

    Examples
    --------
    >>> train, test = standardize(np.array([[0.0, 5.0], [2.0, 5.0]]), np.array([[4.0, 6.0]]))
    >>> train, test
    (array([[-1.,  0.],
           [ 1.,  0.]]), array([[3., 1.]]))
    """
    train = np.asarray(train)
    dtype = train.dtype if train.dtype == np.float32 else np.float64
    mean = train.mean(axis=0, dtype=np.float64)
    std = train.std(axis=0, dtype=np.float64)
    std[std <= eps] = 1.0
    return [((np.asarray(x, dtype=np.float64) - mean) / std).astype(dtype, copy=False)
            for x in (train, *others)]


def shuffle(x, y, seed=0):
    """``x`` and ``y`` permuted alike by ``default_rng(seed)``.

    Examples
    --------
    >>> shuffle(np.arange(4), np.arange(4), seed=1)[0].tolist() == shuffle(np.arange(4), np.arange(4), seed=1)[1].tolist()
    True
    """
    order = np.random.default_rng(seed).permutation(len(x))
    return np.asarray(x)[order], np.asarray(y)[order]


def train_val_split(x, y, val_fraction=0.1, seed=0):
    """``((x_train, y_train), (x_val, y_val))`` after a seeded shuffle; ``val_fraction`` in ``(0, 1)``.

    Examples
    --------
    >>> (xt, yt), (xv, yv) = train_val_split(np.arange(10), np.arange(10), 0.2)
    >>> len(xt), len(xv), sorted(np.concatenate([xt, xv]).tolist()) == list(range(10))
    (8, 2, True)
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction == {val_fraction!r}, must lie in (0, 1); pass e.g. 0.1")
    x, y = shuffle(x, y, seed)
    cut = len(x) - max(1, int(round(val_fraction * len(x))))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def minibatches(x, y, batch_size, seed=0, shuffle=True, epochs=1, drop_last=False):
    """Yield ``(x_batch, y_batch)`` for ``epochs`` passes (``None``: forever), reshuffled every pass.

    ``seed`` is an int or a ``numpy.random.Generator`` (then it is advanced); the same seed
    gives the same batches. The last batch of a pass is smaller unless ``drop_last``.

    Examples
    --------
    >>> [yb.tolist() for _, yb in minibatches(np.arange(5), np.arange(5), 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    n = len(x)
    _integer("batch_size", batch_size)
    if len(y) != n or n == 0:
        raise ValueError(f"x has {n} rows and y has {len(y)}, must be equal and >= 1; pass "
                         f"one label per example")
    if drop_last and batch_size > n:
        raise ValueError(f"batch_size == {batch_size} with drop_last=True and {n} examples "
                         f"gives no batch at all; pass batch_size <= {n} or drop_last=False")
    rng = np.random.default_rng(seed)
    stop = n - batch_size + 1 if drop_last else n
    epoch = 0
    while epochs is None or epoch < epochs:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, stop, batch_size):
            rows = order[start:start + batch_size]
            yield x[rows], y[rows]
        epoch += 1


if __name__ == "__main__":
    raise SystemExit(main())
