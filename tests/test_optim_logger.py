"""optim.Logger (file format, series, plotting) and optim.ConfusionMatrix edge cases."""

import builtins
import io

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import optim


def test_logger_header_from_first_dict_and_number_format(tmp_path):
    path = tmp_path / "a" / "b" / "log.txt"
    logger = optim.Logger(str(path))
    logger.add({"loss": 1234.5678, "tag": "x y"})
    logger.add({"loss": -1e-300, "tag": ""})
    assert path.read_text() == ("loss\ttag\t\n" + f"{1234.5678:11.4e}\tx y\t\n"
                                + "%11.4e\t\t\n" % -1e-300)
    assert logger.symbols == {"loss": [1234.5678, -1e-300], "tag": ["x y", ""]}


def test_logger_rejects_other_values():
    logger = optim.Logger()
    logger.file = io.StringIO()
    with pytest.raises(TypeError, match="can only log numbers and strings"):
        logger.add({"flag": True})
    with pytest.raises(TypeError, match="can only log numbers and strings"):
        logger.add({"t": torch.DoubleTensor(1)})
    logger.setNames(["a", "b"])
    with pytest.raises(ValueError, match="2 names"):
        logger.add([1.0])
    with pytest.raises(ValueError, match="unknown names"):
        logger.add({"c": 1.0})


def test_logger_timestamp_appends_date(tmp_path):
    logger = optim.Logger(str(tmp_path / "run.log"), True)
    logger.add([1.0])
    names = [p.name for p in tmp_path.iterdir()]
    assert len(names) == 1 and names[0].startswith("run.log-20")


def test_logger_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "train.log"
    logger = optim.Logger(str(path)).setNames(["train", "test", "note"])
    for i in range(6):
        logger.add([1.0 / (i + 1), 2.0 / (i + 1), f"epoch {i}"])
    logger.style({"train": "-", "test": ["+", "~"]})
    logger.setlogscale(True)
    logger.plot()
    png = (tmp_path / "train.log.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    (tmp_path / "train.log.png").unlink()
    logger.plot("test")
    assert (tmp_path / "train.log.png").exists()


def test_logger_plot_without_matplotlib_says_so_once(tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real_import(name, *args, **kwargs)

    logger = optim.Logger(str(tmp_path / "log"))
    logger.add([1.0])
    logger.add([2.0])
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    logger.plot()
    logger.plot()
    out = capsys.readouterr().out
    assert out.count("matplotlib is not installed") == 1
    assert not (tmp_path / "log.png").exists()


def test_confusion_matrix_errors_and_ignored_targets():
    cm = optim.ConfusionMatrix(3)
    with pytest.raises(IndexError, match="class 3 out of range for 3 classes"):
        cm.add(3, 0)
    with pytest.raises(IndexError, match="out of range"):
        cm.batchAdd(torch.LongTensor([0, 5]), torch.LongTensor([0, 1]))
    with pytest.raises(ValueError, match="invalid number of dimensions"):
        cm.batchAdd(torch.zeros(2, 2, 2), torch.LongTensor([0, 1]))
    with pytest.raises(ValueError, match="2 predictions for 3 targets"):
        cm.batchAdd(torch.LongTensor([0, 1]), torch.LongTensor([0, 1, 2]))
    with pytest.raises(TypeError, match="class-number target"):
        cm.add(1, torch.DoubleTensor([0, 1, 0]))
    cm.add(2, -1)
    cm.batchAdd(torch.LongTensor([1, 2]), torch.LongTensor([-1, -5]))
    assert cm.mat.sum() == 0
    cm.batchAdd(torch.DoubleTensor([[0.1, 0.7, 0.2], [0.9, 0.0, 0.1]]),
                torch.DoubleTensor([[0, 1, 0], [0, 0, 1]]))
    assert cm.mat.numpy().tolist() == [[0, 0, 0], [0, 1, 0], [1, 0, 0]]
    cm.zero()
    assert cm.mat.sum() == 0 and cm.totalValid == 0


def test_confusion_matrix_statistics_against_numpy():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 5, 200)
    p = np.where(rng.random(200) < 0.6, t, rng.integers(0, 5, 200))
    cm = optim.ConfusionMatrix(5)
    cm.batchAdd(torch.LongTensor(p.tolist()), torch.LongTensor(t.tolist()))
    want = np.zeros((5, 5), dtype=np.int64)
    np.add.at(want, (t, p), 1)
    assert cm.mat.numpy().tolist() == want.tolist()
    cm.updateValids()
    recall = np.diag(want) / want.sum(1)
    iou = np.diag(want) / (want.sum(1) + want.sum(0) - np.diag(want))
    np.testing.assert_allclose(cm.valids.numpy(), recall, rtol=1e-7)
    np.testing.assert_allclose(cm.unionvalids.numpy(), iou, rtol=1e-7)
    assert cm.totalValid == pytest.approx(np.trace(want) / 200)
    assert cm.averageValid == pytest.approx(recall.mean(), rel=1e-7)
    assert cm.averageUnionValid == pytest.approx(iou.mean(), rel=1e-7)
    frr, far, _, _ = cm.farFrr()
    np.testing.assert_allclose(frr.numpy(), 1 - recall)
    rates = want / want.sum(1, keepdims=True)
    np.testing.assert_allclose(far.numpy(), [(rates[:, i].sum() - rates[i, i]) / 4
                                             for i in range(5)])
