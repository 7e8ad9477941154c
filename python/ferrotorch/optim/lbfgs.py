"""optim.lbfgs: limited-memory BFGS (after Mark Schmidt's minFunc, as Torch7's)."""

from __future__ import annotations

import ferrotorch as torch
from ferrotorch.optim._common import opt, tables

__all__ = ["lbfgs"]


def _pop(pool, like):
    """A history buffer from the pool, allocated when the pool is empty."""
    return pool.pop() if pool else type(like)().resizeAs(like)


def lbfgs(opfunc, x, config=None, state=None):
    """x, f_hist, currentFuncEval = optim.lbfgs(opfunc, x, config=None, state=None)

    L-BFGS (Torch7's optim.lbfgs): up to maxIter iterations per call, each with the two-loop
    recursion over the last nCorrection (s, y) pairs (a pair is kept when y·s > 1e-10, and
    then ``Hdiag = y·s / y·y``). The first iteration ever steps
    ``min(1, 1/sum|g|) * learningRate``, later ones ``learningRate``; with
    ``config['lineSearch']`` (e.g. ``optim.lswolfe``) that step only starts the search. f_hist
    holds f at x on entry, then after each step (without a line search the last iteration of a
    call is not re-evaluated, as in Torch7, to save an evaluation in stochastic settings).
    Stops on maxIter, maxEval evaluations, sum|g| <= tolFun, sum|d*t| <= tolX or
    |f - f_old| < tolX.

    config keys: maxIter=20, maxEval=1.25*maxIter, tolFun=1e-5, tolX=1e-9, nCorrection=100,
    lineSearch=None, lineSearchOptions=None, learningRate=1, verbose=False. state (defaults to
    config): funcEval, nIter, d, t, old_dirs, old_stps, Hdiag, g_old, f_old, dir_bufs,
    stp_bufs, ro, al, tmp1. One departure: Torch7 allocated all nCorrection+1 history buffers
    (two (nCorrection+1) x N tensors) on the first call; they are allocated as the history
    fills here, with the same values.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> A = torch.DoubleTensor([[3, 1], [1, 2]])
    >>> feval = lambda x: (0.5 * x.dot(torch.mv(A, x)) - x.sum(), torch.mv(A, x).add(-1))
    >>> x, fs, nEval = optim.lbfgs(feval, torch.DoubleTensor([0, 0]),
    ...                            {'lineSearch': optim.lswolfe})
    >>> [round(v, 6) for v in x.tolist()]
    [0.2, 0.4]
    """
    config, state = tables(config, state)
    max_iter = int(opt(config, "maxIter", 20))
    max_eval = opt(config, "maxEval", max_iter * 1.25)
    tol_fun = opt(config, "tolFun", 1e-5)
    tol_x = opt(config, "tolX", 1e-9)
    n_correction = opt(config, "nCorrection", 100)
    line_search = config.get("lineSearch")
    line_search_opts = config.get("lineSearchOptions")
    learning_rate = opt(config, "learningRate", 1)
    verbose = print if opt(config, "verbose", False) else (lambda *a: None)
    state["funcEval"] = opt(state, "funcEval", 0)
    state["nIter"] = opt(state, "nIter", 0)

    f, g = opfunc(x)
    f_hist = [f]
    current_func_eval = 1
    state["funcEval"] += 1

    if state.get("tmp1") is None:
        state["tmp1"] = type(g)().resizeAs(g).zero()
    tmp1 = state["tmp1"]
    if tmp1.copy(g).abs().sum() <= tol_fun:
        verbose("<optim.lbfgs> \toptimality condition below tolFun")
        return x, f_hist, current_func_eval
    if state.get("dir_bufs") is None:
        state["dir_bufs"], state["stp_bufs"] = [], []
    dir_bufs, stp_bufs = state["dir_bufs"], state["stp_bufs"]

    d, t = state.get("d"), state.get("t")
    old_dirs, old_stps = state.get("old_dirs"), state.get("old_stps")
    h_diag, g_old, f_old = state.get("Hdiag"), state.get("g_old"), state.get("f_old")

    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state["nIter"] += 1

        if state["nIter"] == 1:
            d = g.clone().mul(-1)
            old_dirs, old_stps = [], []
            h_diag = 1
        else:
            y = _pop(dir_bufs, g)
            s = _pop(stp_bufs, g)
            y.add(g, -1, g_old)
            s.mul(d, t)
            ys = y.dot(s)
            if ys > 1e-10:
                if len(old_dirs) == n_correction:
                    # shift the history by one, recycling the oldest pair's buffers
                    dir_bufs.append(old_dirs.pop(0))
                    stp_bufs.append(old_stps.pop(0))
                old_dirs.append(s)
                old_stps.append(y)
                h_diag = ys / y.dot(y)
            else:
                dir_bufs.append(y)
                stp_bufs.append(s)

            # two-loop recursion: d = -H g, with H the L-BFGS inverse-Hessian estimate
            k = len(old_dirs)
            if state.get("ro") is None:
                state["ro"] = torch.DoubleTensor(n_correction)
                state["al"] = torch.zeros(n_correction)
            ro_t, al_t = state["ro"], state["al"]
            ro = [1 / old_stps[i].dot(old_dirs[i]) for i in range(k)]
            al = [0.0] * k
            q = tmp1
            q.mul(g, -1)
            for i in range(k - 1, -1, -1):
                al[i] = old_dirs[i].dot(q) * ro[i]
                q.add(-al[i], old_stps[i])
            r = d
            r.mul(q, h_diag)
            for i in range(k):
                be_i = old_stps[i].dot(r) * ro[i]
                r.add(al[i] - be_i, old_dirs[i])
            if k:
                ro_t.narrow(0, 0, k).copy(torch.DoubleTensor(ro))
                al_t.narrow(0, 0, k).copy(torch.DoubleTensor(al))

        if g_old is None:
            g_old = g.clone()
        g_old.copy(g)
        f_old = f

        gtd = g.dot(d)
        if gtd > -tol_x:
            break

        if state["nIter"] == 1:
            t = min(1, 1 / tmp1.copy(g).abs().sum()) * learning_rate
        else:
            t = learning_rate

        ls_func_eval = 0
        if callable(line_search):
            f, g, x, t, ls_func_eval = line_search(opfunc, x, t, d, f, g, gtd, line_search_opts)
            f_hist.append(f)
        else:
            x.add(t, d)
            if n_iter != max_iter:
                f, g = opfunc(x)
                ls_func_eval = 1
                f_hist.append(f)

        current_func_eval += ls_func_eval
        state["funcEval"] += ls_func_eval

        if n_iter == max_iter:
            verbose("<optim.lbfgs> \treached max number of iterations")
            break
        if current_func_eval >= max_eval:
            verbose("<optim.lbfgs> \tmax nb of function evals")
            break
        if tmp1.copy(g).abs().sum() <= tol_fun:
            verbose("<optim.lbfgs> \toptimality condition below tolFun")
            break
        if tmp1.copy(d).mul(t).abs().sum() <= tol_x:
            verbose("<optim.lbfgs> \tstep size below tolX")
            break
        if abs(f - f_old) < tol_x:
            verbose("<optim.lbfgs> \tfunction value changing less than tolX")
            break

    state["old_dirs"], state["old_stps"] = old_dirs, old_stps
    state["Hdiag"], state["g_old"], state["f_old"] = h_diag, g_old, f_old
    state["t"], state["d"] = t, d
    return x, f_hist, current_func_eval
