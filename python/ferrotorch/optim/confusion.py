"""optim.ConfusionMatrix: counts of (target, prediction) pairs and the accuracies they give."""

from __future__ import annotations

import math
import numbers

import ferrotorch as torch

__all__ = ["ConfusionMatrix"]


def _lua_number(v):
    """Lua's tostring of a double (``%.14g``)."""
    return "%.14g" % v  # noqa: UP031 (Lua's format, spelled as Lua spells it)


def _sequential_mean(values):
    """Mean summed left to right, as Torch7's loop does (numpy's sum is pairwise)."""
    import numpy as np  # numpy loads on first use: `import ferrotorch.optim` stays fast

    if values.size == 0:
        return math.nan
    return float(np.cumsum(values.astype(np.float64))[-1]) / values.size


class ConfusionMatrix:
    """optim.ConfusionMatrix(nclasses | classes, [classes])

    A confusion matrix over nclasses classes (Torch7's optim.ConfusionMatrix; a list as first
    argument gives the class names and their number). Class indices are 0-based; a negative
    target is ignored (a missing label, as Torch7 ignored target 0). ``mat`` is a LongTensor
    with rows = targets and columns = predictions; ``updateValids`` fills ``valids`` (per-class
    recall), ``unionvalids`` (per-class intersection over union), ``totalValid`` (global
    accuracy), ``averageValid`` and ``averageUnionValid`` (means over the classes that have
    samples). ``print(cm)`` shows Torch7's text.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> cm = optim.ConfusionMatrix(['cat', 'dog'])
    >>> cm.add(torch.DoubleTensor([0.9, 0.1]), 0)
    >>> cm.batchAdd(torch.LongTensor([1, 0, 1]), torch.LongTensor([1, 1, -1]))
    >>> print(str(cm).replace('\\t', '|'))
    ConfusionMatrix:
    [[       1       0]   100.000% |[class: cat]
     [       1       1]]  50.000% |[class: dog]
     + average row correct: 75% 
     + average rowUcol correct (VOC measure): 50% 
     + global correct: 66.666666666667%
    """

    def __init__(self, nclasses, classes=None):
        if isinstance(nclasses, list | tuple):
            classes = list(nclasses)
            nclasses = len(classes)
        if not isinstance(nclasses, numbers.Integral) or nclasses < 1:
            raise ValueError(f"optim.ConfusionMatrix: nclasses must be a positive integer, got "
                             f"{nclasses!r}")
        self.nclasses = int(nclasses)
        self.mat = torch.LongTensor(self.nclasses, self.nclasses).zero()
        self.valids = torch.FloatTensor(self.nclasses).zero()
        self.unionvalids = torch.FloatTensor(self.nclasses).zero()
        self.totalValid = 0
        self.averageValid = 0
        self.averageUnionValid = 0
        self.classes = list(classes) if classes is not None else []

    def _check(self, what, c):
        if not 0 <= c < self.nclasses:
            raise IndexError(f"ConfusionMatrix.{what}: class {c} out of range for "
                             f"{self.nclasses} classes (0-based)")

    def _add(self, p, t):
        if t >= 0:
            self._check("add", t)
            self._check("add", p)
            self.mat[t, p] = self.mat[t, p] + 1

    @staticmethod
    def _argmax(v, what):
        if not torch.isTensor(v) or v.dim() != 1:
            raise ValueError(f"ConfusionMatrix.add: {what} must be a class number or a 1-D "
                             f"tensor of scores")
        return int(v.max(0)[1][0])

    def add(self, prediction, target):
        """cm.add(prediction, target): count one sample.

        prediction is a class number or a 1-D tensor of scores (its argmax counts); target is a
        class number or, when prediction is a tensor, a 1-D tensor (e.g. one-hot, its argmax).
        A negative target is ignored.
        """
        if isinstance(prediction, numbers.Integral):
            if not isinstance(target, numbers.Integral):
                raise TypeError("ConfusionMatrix.add: a class-number prediction needs a "
                                f"class-number target, got {type(target).__name__}")
            self._add(int(prediction), int(target))
            return
        p = self._argmax(prediction, "prediction")
        if isinstance(target, numbers.Integral):
            self._add(p, int(target))
        else:
            self._add(p, self._argmax(target, "target"))

    @staticmethod
    def _classes(t, what):
        """A batch's class numbers: (N) classes, (N, 1) classes or (N, C) scores (argmax)."""
        if t.dim() == 1:
            return t.long()
        if t.dim() == 2:
            if t.size(1) == 1:
                return t.select(1, 0).long()
            return t.max(1)[1].select(1, 0).clone()
        raise ValueError(f"ConfusionMatrix.batchAdd: {what} has invalid number of dimensions "
                         f"({t.dim()}; expected 1 or 2)")

    def batchAdd(self, predictions, targets):
        """cm.batchAdd(predictions, targets): count a batch in one vectorised update.

        predictions: (N) class numbers, (N, 1), or (N, C) scores (argmax per row); targets:
        (N), (N, 1), or (N, C) one-hot rows. Rows with a negative target are ignored.
        """
        preds = self._classes(predictions, "predictions")
        targs = self._classes(targets, "targets")
        if preds.nElement() != targs.nElement():
            raise ValueError(f"ConfusionMatrix.batchAdd: {preds.nElement()} predictions for "
                             f"{targs.nElement()} targets")
        mask = torch.ge(targs, 0)
        if not mask.any():
            return
        targs = targs.maskedSelect(mask)
        preds = preds.maskedSelect(mask)
        for what, c in (("targets", targs), ("predictions", preds)):
            if c.min() < 0 or c.max() >= self.nclasses:
                raise IndexError(f"ConfusionMatrix.batchAdd: {what} out of range "
                                 f"[{c.min()}, {c.max()}] for {self.nclasses} classes")
        indices = targs.mul(self.nclasses).add(preds)
        ones = torch.LongTensor(indices.nElement()).fill(1)
        self.mat.view(-1).indexAdd(0, indices, ones)

    def zero(self):
        """cm.zero(): reset the counts and statistics."""
        self.mat.zero()
        self.valids.zero()
        self.unionvalids.zero()
        self.totalValid = 0
        self.averageValid = 0

    def updateValids(self):
        """cm.updateValids(): recompute valids, unionvalids, totalValid and the averages.

        As in Torch7, valids and unionvalids are FloatTensors and the averages are means of
        their (float32) values over the classes with samples (NaN entries skipped).

        >>> import ferrotorch as torch
        >>> from ferrotorch import optim
        >>> cm = optim.ConfusionMatrix(3)
        >>> cm.batchAdd(torch.LongTensor([0, 1, 1]), torch.LongTensor([0, 1, 0]))
        >>> cm.updateValids()
        >>> cm.valids.tolist(), cm.totalValid
        ([0.5, 1.0, nan], 0.6666666666666666)
        """
        import numpy as np

        m = self.mat.numpy()
        diag = np.diag(m).astype(np.float64)
        rows, cols = m.sum(1), m.sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            valids = (diag / rows).astype(np.float32)
            union = (diag / (rows + cols - diag)).astype(np.float32)
            self.totalValid = float(np.float64(diag.sum()) / np.float64(m.sum()))
        self.valids.copy(torch.fromNumpy(valids))
        self.unionvalids.copy(torch.fromNumpy(union))
        has = ~np.isnan(valids)
        self.averageValid = _sequential_mean(valids[has])
        self.averageUnionValid = _sequential_mean(union[has & ~np.isnan(union)])

    def farFrr(self):
        """classFrrs, classFars, frrs, fars = cm.farFrr(): false-reject and false-accept rates.

        For each class with samples: FRR = 1 - recall, FAR = mean over the other classes with
        samples of the fraction of their samples predicted as this class. classFrrs/classFars
        hold -1 for classes without samples; frrs/fars list the classes with samples only.

        >>> import ferrotorch as torch
        >>> from ferrotorch import optim
        >>> cm = optim.ConfusionMatrix(2)
        >>> cm.batchAdd(torch.LongTensor([0, 1, 1, 1]), torch.LongTensor([0, 0, 1, 1]))
        >>> [t.tolist() for t in cm.farFrr()]
        [[0.5, 0.0], [0.0, 0.5], [0.5, 0.0], [0.0, 0.5]]
        """
        import numpy as np

        m = self.mat.numpy().astype(np.float64)
        counts = m.sum(1)
        has = counts != 0
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = m / counts[:, None]  # rate[j, i]: share of class j predicted as i
        frr = 1 - np.diag(rate)
        other = has[:, None] & ~np.eye(self.nclasses, dtype=bool)
        far = np.where(other, rate, 0).sum(0) / other.sum(0)
        class_frrs = np.where(has, frr, -1.0)
        class_fars = np.where(has, far, -1.0)
        return (torch.DoubleTensor(class_frrs.tolist()), torch.DoubleTensor(class_fars.tolist()),
                torch.DoubleTensor(frr[has].tolist()), torch.DoubleTensor(far[has].tolist()))

    def __str__(self):
        self.updateValids()
        m = self.mat.numpy()
        max_cnt = int(m.max())
        n_digits = max(8, 1 + math.ceil(math.log10(max_cnt))) if max_cnt > 0 else 8
        valids = self.valids.numpy()
        named = bool(self.classes)
        lines = ["ConfusionMatrix:\n["]
        for t in range(self.nclasses):
            pclass = "%2.3f" % (float(valids[t]) * 100)
            counts = "".join(f"{int(c):{n_digits}d}" for c in m[t])
            close = "]]  " if t == self.nclasses - 1 else "]   "
            label = ""
            if named:
                name = self.classes[t] if t < len(self.classes) else ""
                label = f"\t[class: {name}]"
            lines.append(("[" if t == 0 else " [") + counts + close + pclass + "% " + label + "\n")
        lines.append(f" + average row correct: {_lua_number(self.averageValid * 100)}% \n")
        lines.append(" + average rowUcol correct (VOC measure): "
                     f"{_lua_number(self.averageUnionValid * 100)}% \n")
        lines.append(f" + global correct: {_lua_number(self.totalValid * 100)}%")
        return "".join(lines)

    __repr__ = __str__
