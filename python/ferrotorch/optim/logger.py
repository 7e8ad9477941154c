"""optim.Logger: log values during training to a text file and plot them (PNG)."""

from __future__ import annotations

import numbers
import os
import sys
import time

__all__ = ["Logger"]

# Torch7's gnuplot styles as matplotlib (format string, extra keywords)
_STYLES = {
    "+": ("+", {}),
    ".": (".", {}),
    "-": ("-", {}),
    "+-": ("+-", {}),
    "~": ("-", {}),
    "|": (None, {}),
}


class Logger:
    """optim.Logger([filename], [timestamp])

    Torch7's logger: ``add`` writes one row per call to ``filename`` (numbers as ``%11.4e``,
    strings verbatim, each value followed by a tab, a header row of names first) and keeps
    every series in memory; ``plot`` draws them against the row index (0-based) into
    ``filename + '.png'`` with matplotlib (Torch7 used gnuplot and wrote ``.eps``). Without a
    filename rows go to stdout. With timestamp, ``-YYYY_MM_DD_HH:MM:SS`` is appended to the
    file name. The directory of filename is created when missing (Torch7's ``mkdir -p``).

    Fields as in Torch7: name, symbols, styles, names, idx, showPlot, defaultStyle='+',
    logscale=False, plotRawCmd (a callable taking the matplotlib Axes here, in place of a raw
    gnuplot command). Series are keyed by position after ``setNames`` and by name otherwise.

    >>> import os, tempfile
    >>> from ferrotorch import optim
    >>> path = os.path.join(tempfile.mkdtemp(), 'train.log')
    >>> logger = optim.Logger(path).setNames(['train error', 'test error'])
    >>> logger.add([0.5, 0.75])
    >>> logger.add({'train error': 0.25, 'test error': 0.5})
    >>> print(open(path).read().replace('\\t', '|'), end='')
    train error|test error|
     5.0000e-01| 7.5000e-01|
     2.5000e-01| 5.0000e-01|
    """

    def __init__(self, filename=None, timestamp=False):
        if filename:
            self.name = filename
            directory = os.path.dirname(filename)
            if directory:
                os.makedirs(directory, exist_ok=True)
            if timestamp:
                filename = filename + "-" + time.strftime("%Y_%m_%d_%H:%M:%S")
            self.file = open(filename, "w")  # noqa: SIM115 (kept open for the logger's life)
            self.pngfile = self.name + ".png"
        else:
            self.file = sys.stdout
            self.name = "stdout"
            self.pngfile = None
            print("<Logger> warning: no path provided, logging to std out")
        self.empty = True
        self.symbols = {}
        self.styles = {}
        self.names = {}
        self.idx = {}
        self.figure = None
        self.showPlot = True
        self.plotRawCmd = None
        self.defaultStyle = "+"
        self.logscale = False
        self.nsymbols = 0
        self._warned = False

    def setNames(self, names):
        """logger.setNames(names) -> logger: the column names, written as the header row.

        >>> import io
        >>> from ferrotorch import optim
        >>> logger = optim.Logger()
        <Logger> warning: no path provided, logging to std out
        >>> logger.file = io.StringIO()
        >>> logger.setNames(['loss', 'accuracy']).idx
        {'loss': 0, 'accuracy': 1}
        >>> logger.file.getvalue()
        'loss\\taccuracy\\t\\n'
        """
        self.names = dict(enumerate(names))
        self.empty = False
        self.nsymbols = len(names)
        for k, key in enumerate(names):
            self.file.write(f"{key}\t")
            self.symbols[k] = []
            self.styles[k] = [self.defaultStyle]
            self.idx[key] = k
        self.file.write("\n")
        self.file.flush()
        return self

    def _row(self, symbols):
        """(key, value) pairs of one add() call, in column order."""
        if isinstance(symbols, dict):
            if self.empty:
                return list(symbols.items())
            keys = [self.idx.get(k, k) for k in symbols]
            missing = [k for k in keys if k not in self.symbols]
            if missing:
                raise ValueError(f"Logger.add: unknown names {missing} (the logger's names are "
                                 f"{list(self.idx)})")
            return sorted(zip(keys, symbols.values(), strict=True), key=lambda kv: kv[0])
        values = list(symbols)
        if not self.empty and len(values) != self.nsymbols:
            raise ValueError(f"Logger.add: {len(values)} values for {self.nsymbols} names")
        return list(enumerate(values))

    def add(self, symbols):
        """logger.add(symbols): log one row, a dict {name: value} or a list in setNames order.

        Values are numbers (written ``%11.4e``) or strings (written as they are); anything else
        raises TypeError ("can only log numbers and strings"). The first call without setNames
        writes the dict's keys as the header.

        >>> import io
        >>> from ferrotorch import optim
        >>> logger = optim.Logger()
        <Logger> warning: no path provided, logging to std out
        >>> logger.file = io.StringIO()
        >>> logger.add({'lr': 0.1, 'note': 'warmup'})
        >>> logger.file.getvalue()
        'lr\\tnote\\t\\n 1.0000e-01\\twarmup\\t\\n'
        """
        row = self._row(symbols)
        for _, val in row:
            if isinstance(val, bool) or not isinstance(val, numbers.Real | str):
                raise TypeError(f"Logger.add: can only log numbers and strings, got "
                                f"{type(val).__name__}")
        if self.empty:
            self.empty = False
            self.nsymbols = len(row)
            for k, _ in row:
                self.file.write(f"{k}\t")
                self.symbols[k] = []
                self.styles[k] = [self.defaultStyle]
                self.names[k] = k
            self.idx = dict(self.names)
            self.file.write("\n")
        line = "".join((f"{val:11.4e}" if not isinstance(val, str) else val) + "\t"
                       for _, val in row)
        self.file.write(line + "\n")
        self.file.flush()
        for k, val in row:
            self.symbols[k].append(val)

    def style(self, symbols):
        """logger.style(styles) -> logger: plot styles, a dict {name: style} or a list.

        A style is a string or a list of strings: '+' points, '.' dots, '-' lines, '+-' points
        and lines, '~' lines (gnuplot's smoothed curve), '|' bars; any other string is passed to
        matplotlib as a format string.

        >>> import io
        >>> from ferrotorch import optim
        >>> logger = optim.Logger()
        <Logger> warning: no path provided, logging to std out
        >>> logger.file = io.StringIO()
        >>> logger.setNames(['loss']).style({'loss': '-'}).styles
        {0: ['-']}
        """
        items = symbols.items() if isinstance(symbols, dict) else enumerate(symbols)
        for name, style in items:
            key = self.idx.get(name, name)
            if isinstance(style, str):
                self.styles[key] = [style]
            elif isinstance(style, list | tuple):
                self.styles[key] = list(style)
            else:
                raise TypeError("Logger.style: style should be a string or a list of strings")
        return self

    def setlogscale(self, state):
        """logger.setlogscale(bool): a logarithmic y axis in plots."""
        self.logscale = state

    def display(self, state):
        """logger.display(bool): Torch7's on-screen plot switch (kept; plots go to the PNG)."""
        self.showPlot = state

    def plot(self, *names):
        """logger.plot(*names): plot every series (or the named ones) into ``name + '.png'``.

        Series with fewer than two values or with strings are skipped. Needs matplotlib:
        without it a warning is printed once and nothing is drawn (as Torch7 did without
        gnuplot).

        >>> import os, tempfile
        >>> from ferrotorch import optim
        >>> path = os.path.join(tempfile.mkdtemp(), 'train.log')
        >>> logger = optim.Logger(path)
        >>> for i in range(5):
        ...     logger.add({'loss': 1 / (i + 1)})
        >>> logger.plot()
        >>> os.path.exists(path + '.png')
        True
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib import pyplot as plt
        except ImportError:
            if not self._warned:
                print("<Logger> warning: cannot plot: matplotlib is not installed "
                      "(pip install matplotlib)")
                self._warned = True
            return
        keys = [self.idx.get(n, n) for n in names] if names else list(self.symbols)
        series = [(k, self.symbols[k]) for k in keys
                  if len(self.symbols[k]) > 1
                  and not any(isinstance(v, str) for v in self.symbols[k])]
        if not series or self.pngfile is None:
            return
        fig, ax = plt.subplots()
        for k, values in series:
            rows = range(len(values))
            for style in self.styles.get(k, [self.defaultStyle]):
                fmt, kwargs = _STYLES.get(style, (style, {}))
                if style == "|":
                    ax.bar(rows, values, label=str(self.names.get(k, k)))
                else:
                    ax.plot(rows, values, fmt, label=str(self.names.get(k, k)), **kwargs)
        if self.logscale:
            ax.set_yscale("log")
        if self.plotRawCmd is not None:
            self.plotRawCmd(ax)
        ax.grid(True)
        ax.legend()
        ax.set_title(f"<Logger::{self.name}>")
        fig.savefig(self.pngfile)
        plt.close(fig)
