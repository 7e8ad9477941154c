"""optim.cg: nonlinear conjugate gradient (Carl E. Rasmussen's minimize.m, as in Torch7)."""

from __future__ import annotations

import math

from ferrotorch.optim._common import opt, tables

__all__ = ["cg"]


def _bad(z):
    return math.isnan(z) or math.isinf(z)


def _scratch(state, key, x):
    """state[key] (Torch7 lets the caller pass its temporaries) resized like x."""
    t = state.get(key)
    if t is None:
        t = type(x)()
    return t.resizeAs(x)


def cg(opfunc, x, config=None, state=None):
    """x, fx, nEval = optim.cg(opfunc, x, config=None, state=None)

    Polak-Ribiere conjugate gradients with a line search of quadratic and cubic
    interpolation and extrapolation under the Wolfe-Powell conditions (Torch7's optim.cg, a
    rewrite of Rasmussen's minimize.m). Runs until maxEval function evaluations. fx lists f at
    the start and after every successful line search; nEval counts evaluations.

    Follows Torch7's code where it differs from minimize.m: Lua's 0 is true, so the
    ``ls_failed`` test always holds and the first failed line search ends the call (restoring x
    to the best point), where minimize.m retried once along the steepest descent.

    config keys: rho=0.01, sig=0.5, int=0.1, ext=3.0, maxIter=20, ratio=100,
    maxEval=1.25*maxIter, verbose=0. state (defaults to config): the reusable temporaries df0,
    df1, df2, df3, s and x0 (Torch7's names).

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> A = torch.DoubleTensor([[3, 1], [1, 2]])
    >>> feval = lambda x: (0.5 * x.dot(torch.mv(A, x)) - x.sum(), torch.mv(A, x).add(-1))
    >>> x, fs, nEval = optim.cg(feval, torch.DoubleTensor([0, 0]))
    >>> [round(v, 6) for v in x.tolist()], round(fs[-1], 6)
    ([0.2, 0.4], -0.3)
    """
    config, state = tables(config, state)
    rho = opt(config, "rho", 0.01)
    sig = opt(config, "sig", 0.5)
    intp = opt(config, "int", 0.1)
    ext = opt(config, "ext", 3.0)
    max_iter = opt(config, "maxIter", 20)
    ratio = opt(config, "ratio", 100)
    max_eval = opt(config, "maxEval", max_iter * 1.25)
    red = 1
    i = 0
    fx = []

    df0, df1, df2, df3 = (_scratch(state, k, x) for k in ("df0", "df1", "df2", "df3"))
    s = _scratch(state, "s", x)
    x0 = _scratch(state, "x0", x)

    f1, tdf = opfunc(x)
    fx.append(f1)
    df1.copy(tdf)
    i += 1
    s.copy(df1).mul(-1)
    d1 = -s.dot(s)
    z1 = red / (1 - d1)
    f0 = 0

    while i < abs(max_eval):
        x0.copy(x)
        f0 = f1
        df0.copy(df1)
        x.add(z1, s)
        f2, tdf = opfunc(x)
        df2.copy(tdf)
        i += 1
        d2 = df2.dot(s)
        f3, d3, z3 = f1, d1, -z1
        m = min(max_iter, max_eval - i)
        success = False
        limit = -1
        while True:
            while (f2 > f1 + z1 * rho * d1 or d2 > -sig * d1) and m > 0:
                limit = z1
                if f2 > f1:
                    z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3)
                else:
                    a = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)
                    b = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
                    disc = b * b - a * d2 * z3 * z3
                    z2 = (math.sqrt(disc) - b) / a if disc >= 0 and a != 0 else math.nan
                if _bad(z2):
                    z2 = z3 / 2
                z2 = max(min(z2, intp * z3), (1 - intp) * z3)
                z1 += z2
                x.add(z2, s)
                f2, tdf = opfunc(x)
                df2.copy(tdf)
                i += 1
                m -= 1
                d2 = df2.dot(s)
                z3 -= z2
            if f2 > f1 + z1 * rho * d1 or d2 > -sig * d1:
                break
            if d2 > sig * d1:
                success = True
                break
            if m == 0:
                break
            a = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)
            b = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
            disc = b * b - a * d2 * z3 * z3
            den = b + math.sqrt(disc) if disc >= 0 else math.nan
            z2 = -d2 * z3 * z3 / den if den != 0 else math.copysign(math.inf, -d2 * z3 * z3)
            if _bad(z2) or z2 < 0:
                z2 = z1 * (ext - 1) if limit < -0.5 else (limit - z1) / 2
            elif limit > -0.5 and z2 + z1 > limit:
                z2 = (limit - z1) / 2
            elif limit < -0.5 and z2 + z1 > z1 * ext:
                z2 = z1 * (ext - 1)
            elif z2 < -z3 * intp:
                z2 = -z3 * intp
            elif limit > -0.5 and z2 < (limit - z1) * (1 - intp):
                z2 = (limit - z1) * (1 - intp)
            f3, d3, z3 = f2, d2, -z2
            z1 += z2
            x.add(z2, s)
            f2, tdf = opfunc(x)
            df2.copy(tdf)
            i += 1
            m -= 1
            d2 = df2.dot(s)

        if success:
            f1 = f2
            fx.append(f1)
            ss = (df2.dot(df2) - df2.dot(df1)) / df1.dot(df1)
            s.mul(ss)
            s.add(-1, df2)
            tmp = df1.clone()
            df1.copy(df2)
            df2.copy(tmp)
            d2 = df1.dot(s)
            if d2 > 0:
                s.copy(df1)
                s.mul(-1)
                d2 = -s.dot(s)
            z1 = z1 * min(ratio, d1 / (d2 - 1e-320))
            d1 = d2
        else:
            x.copy(x0)
            f1 = f0
            df1.copy(df0)
            # Torch7 tests `if ls_failed or i > maxEval` with ls_failed a number (0 or 1),
            # always true in Lua, so its steepest-descent retry never runs.
            break
    for key, t in (("df0", df0), ("df1", df1), ("df2", df2), ("df3", df3), ("s", s),
                   ("x0", x0)):
        state[key] = t
    return x, fx, i
