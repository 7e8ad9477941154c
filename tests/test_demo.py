"""The demo (python -m ferrotorch.demo): its data readers, a reduced training run end to end
(accuracy far above chance, the saved .t7 model reloads with the same accuracy), resume, the
generation mode, and (marked slow, run by .ci/run when time allows) the full default run's
held-out accuracy goal of 97%."""

import gzip
import os
import struct
import subprocess
import sys

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch.demo import data
from ferrotorch.demo.__main__ import main as demo_main
from ferrotorch.demo.__main__ import train_parser


def write_idx(path, array, code=0x08):
    header = struct.pack(">HBB", 0, code, array.ndim) + struct.pack(">" + "I" * array.ndim,
                                                                      *array.shape)
    dtype = {0x08: ">u1", 0x0C: ">i4", 0x0D: ">f4"}[code]
    payload = header + array.astype(dtype).tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)


@pytest.mark.parametrize("code", [0x08, 0x0C, 0x0D])
@pytest.mark.parametrize("zipped", [False, True])
def test_read_idx_round_trips_every_element_type(tmp_path, code, zipped):
    rng = np.random.default_rng(code)
    array = rng.integers(0, 200, size=(3, 4, 5)).astype({0x08: np.uint8, 0x0C: np.int32,
                                                         0x0D: np.float32}[code])
    path = str(tmp_path / ("x-idx3-ubyte" + (".gz" if zipped else "")))
    write_idx(path, array, code)
    np.testing.assert_array_equal(data.read_idx(path), array)


def test_read_idx_rejects_bad_files(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x01\x02\x08\x01")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(str(path))
    path.write_bytes(struct.pack(">HBBI", 0, 0x08, 1, 10) + bytes(3))
    with pytest.raises(ValueError, match="needs 10 bytes of data, the file has 3"):
        data.read_idx(str(path))


def make_mnist(folder, n=40, seed=0):
    rng = np.random.default_rng(seed)
    for kind in ("train", "t10k"):
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        images = rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
        write_idx(os.path.join(folder, f"{kind}-images-idx3-ubyte.gz"), images)
        write_idx(os.path.join(folder, f"{kind}-labels-idx1-ubyte"), labels)
    return images, labels


def test_mnist_folder_loads_padded_to_32x32_rgb(tmp_path):
    images, labels = make_mnist(str(tmp_path))
    train, test = data.load(str(tmp_path))
    assert train.name == "mnist train" and list(test.images.size()) == [40, 3, 32, 32]
    assert test.labels.tolist() == labels.tolist()
    x = test.images.numpy()
    # Centred 28x28 inside a 32x32 frame, identical channels, one affine map of the pixels.
    assert np.all(x[:, 0] == x[:, 2])
    inner = x[:, 0, 2:30, 2:30]
    scale = (inner.max() - inner.min()) / (images.max() - images.min())
    np.testing.assert_allclose(inner - inner.min(), (images - images.min()) * scale, atol=1e-4)
    assert np.allclose(x[:, 0, :2, :], x[0, 0, 0, 0])


def test_cifar10_folder_loads_records(tmp_path):
    rng = np.random.default_rng(1)
    records = {}
    for name in ("data_batch_1.bin", "data_batch_2.bin", "test_batch.bin"):
        labels = rng.integers(0, 10, size=5).astype(np.uint8)
        pixels = rng.integers(0, 256, size=(5, 3072)).astype(np.uint8)
        (tmp_path / name).write_bytes(np.concatenate([labels[:, None], pixels], 1).tobytes())
        records[name] = (labels, pixels)
    train, test = data.load(str(tmp_path))
    assert train.size() == 10 and test.size() == 5 and train.classes[0] == "airplane"
    expected = np.concatenate([records["data_batch_1.bin"][0], records["data_batch_2.bin"][0]])
    assert train.labels.tolist() == expected.tolist()
    x = test.images.numpy().reshape(5, -1)
    raw = records["test_batch.bin"][1].astype(np.float64)
    corr = np.corrcoef(x.ravel(), raw.ravel())[0, 1]
    assert corr > 0.999999


def test_cifar10_rejects_partial_records(tmp_path):
    (tmp_path / "data_batch_1.bin").write_bytes(bytes(100))
    with pytest.raises(ValueError, match="not a whole number of 3073-byte records"):
        data.read_cifar10(str(tmp_path / "data_batch_1.bin"))


def test_missing_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither MNIST"):
        data.load(str(tmp_path))


def test_digits_are_the_uci_set_split_without_overlap():
    train, test = data.digits()
    assert (train.size(), test.size()) == (1438, 359)
    counts = np.bincount(np.concatenate([train.labels.numpy(), test.labels.numpy()]))
    # The UCI test set's class sizes (sklearn.datasets.load_digits documents the same).
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    a = train.images.numpy().reshape(train.size(), -1)
    b = test.images.numpy().reshape(test.size(), -1)
    assert abs(a.mean()) < 1e-5 and abs(a.std() - 1) < 1e-4
    # 4x4 blocks: every 32x32 image is an 8x8 image upsampled.
    img = a[0].reshape(3, 32, 32)
    assert np.all(img == np.repeat(np.repeat(img[:, ::4, ::4], 4, 1), 4, 2))
    assert not {row.tobytes() for row in a[:200]} & {row.tobytes() for row in b}


def test_jitter_shifts_each_sample_within_bounds_and_fills_the_background():
    # One bright pixel per image, on a background of -1: after a shift of (dx, dy) with
    # |dx|, |dy| <= 2 it sits at (10 + dy, 20 + dx) and everything else is background.
    images = torch.FloatTensor(5, 3, 32, 32).fill(-1)
    images.select(3, 20).select(2, 10).fill(7)
    s = data.ImageSet(images, torch.LongTensor([0, 1, 2, 3, 4]), "dots")
    torch.manualSeed(3)
    x, _ = s.sample(64, jitter=2)
    shifts = set()
    for i in range(64):
        a = x[i].numpy()
        assert sorted(np.unique(a).tolist()) == [-1.0, 7.0]
        c, r, col = np.nonzero(a == 7)
        assert c.tolist() == [0, 1, 2] and len(set(r)) == 1 and len(set(col)) == 1
        assert abs(r[0] - 10) <= 2 and abs(col[0] - 20) <= 2
        shifts.add((r[0] - 10, col[0] - 20))
    assert len(shifts) > 15  # most of the 25 shifts appear in 64 draws
    assert images.eq(7).sum() == 15  # the set itself is untouched
    assert s.sample(64)[0].eq(7).sum() == 64 * 3  # no jitter: the pixel stays put


def run_demo(tmp_path, *extra):
    argv = ["--epochs", "1", "--limit", "400", "--no-plot", "--no-progress", "--no-confusion",
            "--out", str(tmp_path), *extra]
    lines = []
    from ferrotorch.demo import train

    result = train.main(train_parser().parse_args(argv), log=lines.append)
    return result, lines


@pytest.mark.parametrize("model", ["mlp", "convnet"])
def test_reduced_training_beats_chance_and_the_saved_model_reloads(tmp_path, model):
    result, lines = run_demo(tmp_path, "--model", model, "--epochs", "2" if model == "mlp"
                             else "1")
    assert not result["interrupted"]
    assert result["accuracy"] > 0.5, lines  # chance is 0.1
    assert result["reloaded_accuracy"] == result["accuracy"]
    reloaded = torch.load(result["model"])
    assert type(reloaded).__name__ == "Sequential"
    assert any("test accuracy" in line for line in lines)
    assert os.path.exists(tmp_path / "checkpoint.t7")


def test_resume_continues_from_the_checkpoint(tmp_path):
    first, _ = run_demo(tmp_path, "--model", "mlp")
    assert first["epochs"] == 1
    second, lines = run_demo(tmp_path, "--model", "mlp", "--epochs", "2", "--resume")
    assert second["epochs"] == 2
    assert any("resumed" in line and "after epoch 1" in line for line in lines)


def test_logger_pngs_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    lines = []
    from ferrotorch.demo import train

    argv = ["--model", "mlp", "--epochs", "2", "--limit", "200", "--no-progress",
            "--no-confusion", "--out", str(tmp_path)]
    train.main(train_parser().parse_args(argv), log=lines.append)
    assert (tmp_path / "loss.log.png").stat().st_size > 1000
    assert (tmp_path / "accuracy.log.png").stat().st_size > 1000


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        demo_main(["--help"])
    text = capsys.readouterr().out
    for action in train_parser()._actions:
        for flag in action.option_strings:
            assert flag in text


def test_generate_writes_sample_grids(tmp_path):
    pytest.importorskip("PIL")
    from ferrotorch.demo import generate

    opt = generate.parser().parse_args(["--epochs", "2", "--limit", "256", "--no-progress",
                                        "--out", str(tmp_path)])
    path, loss = generate.main(opt, log=lambda *a: None)
    from PIL import Image

    with Image.open(path) as img:
        # 64 samples in an 8x8 grid of 8x8 digits, each cell 8 + 1 padding (Torch7's
        # toDisplayTensor), each pixel 4x4.
        assert img.size == (8 * (8 + 1) * 4, 8 * (8 + 1) * 4)
    assert os.path.exists(tmp_path / "samples-1.png")
    assert 0 < loss < 64 * 0.7  # below the loss of predicting 0.5 everywhere (64 ln 2)


@pytest.mark.slow
def test_full_default_run_reaches_97_percent_in_under_two_minutes(tmp_path):
    """The issue's goal: python -m ferrotorch.demo with default settings, held-out accuracy of
    at least 97% in under 2 minutes on a 2-core machine."""
    out = subprocess.run([sys.executable, "-m", "ferrotorch.demo", "--no-progress",
                          "--no-confusion", "--out", str(tmp_path)], capture_output=True,
                         text=True, timeout=600, check=True).stdout
    acc = [float(line.split("reloaded, its test accuracy is ")[1].split("%")[0])
           for line in out.splitlines() if "reloaded, its test accuracy" in line]
    wall = [float(line.split("wall time: ")[1].split(" s")[0])
            for line in out.splitlines() if line.startswith("wall time")]
    assert acc and acc[0] >= 97.0, out
    assert wall and wall[0] < 120, out
