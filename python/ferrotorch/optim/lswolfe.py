"""optim.lswolfe (a line search satisfying the strong Wolfe conditions) and optim.polyinterp."""

from __future__ import annotations

import math

from ferrotorch.optim._common import opt

__all__ = ["lswolfe", "polyinterp"]


def _roots(c):
    """Roots of the polynomial with coefficients c (highest power first) as (re, im) rows.

    Torch7's ``roots``: coefficients below 1e-12 become 0, leading zeros are dropped,
    trailing zeros give roots at 0, the rest are the eigenvalues of the companion matrix.
    """
    import numpy as np  # loaded on first use so that `import ferrotorch.optim` stays fast

    c = np.where(np.abs(c) < 1e-12, 0.0, c)
    nonzero = np.flatnonzero(c)
    if nonzero.size == 0:
        return np.zeros((0, 2))
    c = c[nonzero[0]:]
    nz = len(c) - 1 - np.flatnonzero(c)[-1]
    c = c[: len(c) - nz]
    n = len(c) - 1
    if n == 1:
        e = np.array([-c[1] / c[0] + 0j])
    elif n > 1:
        a = np.diag(np.ones(n - 1), -1)
        a[0] = -c[1:] / c[0]
        e = np.linalg.eigvals(a)
    else:
        e = np.zeros(0, dtype=complex)
    e = np.concatenate([e, np.zeros(nz, dtype=complex)])
    return np.stack([e.real, e.imag], axis=1)


def polyinterp(points, xminBound=None, xmaxBound=None):
    """minPos[, fmin] = optim.polyinterp(points, xminBound=None, xmaxBound=None)

    Minimum of the polynomial interpolating points, an N x 3 tensor (or nested list) of
    (x, f, f') triples, within [xminBound, xmaxBound] (default: the points' range); Torch7's
    optim.polyinterp. Two points without bounds use the closed-form cubic minimiser and return
    only minPos; otherwise the interpolating polynomial of degree 2N-1 is fitted, its critical
    points and the bounds are tested, and (minPos, fmin) is returned (the bisection point and
    inf when no candidate lies inside the bounds).

    >>> from ferrotorch import optim
    >>> round(optim.polyinterp([[0, 1, -1], [1, 1, 1]]), 6)
    0.5
    >>> [round(v, 6) for v in optim.polyinterp([[0, 1, -1], [1, 1, 1]], 0, 2)]
    [0.5, 0.75]
    """
    import numpy as np

    p = np.asarray(points.tolist() if hasattr(points, "tolist") else points, dtype=np.float64)
    n_points = p.shape[0]
    order = n_points * 2 - 1

    if n_points == 2 and order == 3 and xminBound is None and xmaxBound is None:
        lo = int(np.argmin(p[:, 0]))
        hi = 1 - lo
        d1 = p[lo, 2] + p[hi, 2] - 3 * (p[lo, 1] - p[hi, 1]) / (p[lo, 0] - p[hi, 0])
        disc = d1 * d1 - p[lo, 2] * p[hi, 2]
        if disc >= 0:
            d2 = math.sqrt(disc)
            t = p[hi, 0] - (p[hi, 0] - p[lo, 0]) * ((p[hi, 2] + d2 - d1)
                                                     / (p[hi, 2] - p[lo, 2] + 2 * d2))
            return float(min(max(t, p[lo, 0]), p[hi, 0]))
        return float(np.mean(p[:, 0]))

    xmin_bound = float(p[:, 0].min()) if xminBound is None else xminBound
    xmax_bound = float(p[:, 0].max()) if xmaxBound is None else xmaxBound

    # constraints: the polynomial's values and derivatives at the points
    powers = np.arange(order, -1, -1)
    a = np.zeros((n_points * 2, order + 1))
    a[:n_points] = p[:, :1] ** powers
    a[n_points:, :order] = powers[:order] * p[:, :1] ** (powers[:order] - 1)
    b = np.concatenate([p[:, 1], p[:, 2]])
    params = np.linalg.lstsq(a, b, rcond=None)[0]
    params[np.abs(params) <= 1e-12] = 0
    d_params = params[:order] * powers[:order]

    cp = np.stack([np.array([xmin_bound, xmax_bound, *p[:, 0]]),
                   np.zeros(n_points + 2)], axis=1)
    if np.all(np.isfinite(d_params)):
        cp = np.concatenate([cp, _roots(d_params)])
    fmin = math.inf
    min_pos = (xmin_bound + xmax_bound) / 2
    for re, im in cp:
        if im == 0 and xmin_bound <= re <= xmax_bound:
            f_cp = float(np.polyval(params, re))
            if f_cp < fmin:
                min_pos, fmin = float(re), f_cp
    return min_pos, fmin


def lswolfe(opfunc, x, t, d, f, g, gtd, options=None):
    """f, g, x, t, nEvals = optim.lswolfe(opfunc, x, t, d, f, g, gtd, options=None)

    Line search along d from x (value f, gradient g, directional derivative gtd = g·d)
    starting with step t, for a step satisfying the strong Wolfe conditions (Torch7's
    optim.lswolfe, after minFunc): a bracketing phase with cubic extrapolation, then a zoom
    phase with cubic interpolation. x ends at x + t*d for the returned t; returns the value
    and gradient there and the number of evaluations. Use it as lbfgs's
    ``config['lineSearch']``.

    options: c1=1e-4 (sufficient decrease), c2=0.9 (curvature), tolX=1e-9, maxIter=20,
    verbose=False.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> feval = lambda x: ((x.dot(x) - 1) ** 2, x.clone().mul(4 * (x.dot(x) - 1)))
    >>> x = torch.DoubleTensor([2, 0])
    >>> f, g = feval(x)
    >>> d = g.clone().mul(-1)
    >>> f_new, g_new, x, t, n = optim.lswolfe(feval, x, 1e-3, d, f, g, g.dot(d))
    >>> f_new < f, abs(g_new.dot(d)) <= 0.9 * abs(g.dot(d))
    (True, True)
    """
    options = {} if options is None else options
    c1 = opt(options, "c1", 1e-4)
    c2 = opt(options, "c2", 0.9)
    tol_x = opt(options, "tolX", 1e-9)
    max_iter = opt(options, "maxIter", 20)
    verbose = opt(options, "verbose", False)

    x_init = x.clone()
    x.add(t, d)
    f_new, g_new = opfunc(x)
    ls_func_eval = 1
    gtd_new = g_new.dot(d)

    ls_iter, t_prev, done = 0, 0, False
    f_prev, g_prev, gtd_prev = f, g.clone(), gtd
    bracket = bracket_f = bracket_g = None
    while ls_iter < max_iter:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g = [g_prev, g_new.clone()]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new.clone()]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g = [g_prev, g_new.clone()]
            break
        # extrapolate
        tmp = t_prev
        t_prev = t
        min_step = t + 0.01 * (t - tmp)
        max_step = t * 10
        t = polyinterp([[tmp, f_prev, gtd_prev], [t, f_new, gtd_new]], min_step, max_step)[0]
        f_prev = f_new
        g_prev = g_new.clone()
        gtd_prev = gtd_new
        x.copy(x_init)
        x.add(t, d)
        f_new, g_new = opfunc(x)
        ls_func_eval += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_iter:
        bracket, bracket_f = [0, t], [f, f_new]
        bracket_g = [g.clone(), g_new.clone()]

    # zoom: shrink the bracket to a point satisfying the conditions
    insuf_progress = False
    while not done and ls_iter < max_iter:
        lo = 0 if bracket_f[0] <= bracket_f[1] else 1
        hi = 1 - lo
        f_lo = bracket_f[lo]
        t = polyinterp([[bracket[0], bracket_f[0], bracket_g[0].dot(d)],
                        [bracket[1], bracket_f[1], bracket_g[1].dot(d)]])
        b_max, b_min = max(bracket), min(bracket)
        if min(b_max - t, t - b_min) / (b_max - b_min) < 0.1:
            if insuf_progress or t >= b_max or t <= b_min:
                if abs(t - b_max) < abs(t - b_min):
                    t = b_max - 0.1 * (b_max - b_min)
                else:
                    t = b_min + 0.1 * (b_max - b_min)
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        x.copy(x_init)
        x.add(t, d)
        f_new, g_new = opfunc(x)
        ls_func_eval += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > f + c1 * t * gtd or f_new >= f_lo:
            bracket[hi], bracket_f[hi], bracket_g[hi] = t, f_new, g_new.clone()
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[hi] - bracket[lo]) >= 0:
                bracket[hi], bracket_f[hi], bracket_g[hi] = (bracket[lo], bracket_f[lo],
                                                             bracket_g[lo])
            bracket[lo], bracket_f[lo], bracket_g[lo] = t, f_new, g_new.clone()
        if not done and abs((bracket[0] - bracket[1]) * gtd_new) < tol_x:
            break

    if ls_iter == max_iter and verbose:
        print("<optim.lswolfe> \treached max number of iterations")

    lo = 0 if len(bracket_f) == 1 or bracket_f[0] <= bracket_f[1] else 1
    t, f_new, g_new = bracket[lo], bracket_f[lo], bracket_g[lo]
    x.copy(x_init)
    x.add(t, d)
    return f_new, g_new, x, t, ls_func_eval
