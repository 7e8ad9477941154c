"""optim.cmaes: covariance matrix adaptation evolution strategy (Hansen's barecmaes2)."""

from __future__ import annotations

import math

import ferrotorch as torch
from ferrotorch.optim._common import opt, tables

__all__ = ["cmaes"]


def _value(r):
    """f from an opfunc result: (f, df/dx) or f alone (the gradient is not used)."""
    return r[0] if isinstance(r, tuple | list) else r


def cmaes(opfunc, x, config=None, state=None):
    """bestx, f_hist, counteval = optim.cmaes(opfunc, x, config=None, state=None)

    CMA-ES (Torch7's optim.cmaes, ported from Hansen's barecmaes2): each generation draws
    popsize candidates ``xmean + sigma * B D N(0, I)`` with Torch7's random stream, keeps the
    best half (log-decreasing weights), and adapts the mean, the evolution paths, the covariance
    C (rank-one and rank-mu updates) and sigma (by at most e^0.6). opfunc's gradient is not used.
    Stops when counteval >= maxEval, the best f <= ftarget, the condition of C exceeds 1e14,
    the population's spread in f is below 1e-12 or sigma*max(D) < 1e-11 (after min_iterations
    generations). Returns the best candidate (flat, as in Torch7), f_hist = [f(x), the best f
    of each generation..., the overall best f], and the number of evaluations. x is not changed.

    Keys, all read from state (which defaults to config): sigma (required, the initial step
    size), maxEval=1e3*N^2, ftarget=None, popsize=4+floor(3 ln N), verb_disp=0 (print every
    verb_disp generations; Torch7 raised an error at the end when it was missing, it defaults
    to 0 here), min_iterations=1. Like Torch7, mu = popsize/2 is not rounded in the weights
    ``ln(mu + 1/2) - ln(i)``, while floor(mu) candidates are kept.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> _ = torch.manualSeed(1)
    >>> feval = lambda x: (x.dot(x), None)
    >>> best, fs, n = optim.cmaes(feval, torch.DoubleTensor([1, -1]),
    ...                           {'sigma': 0.5, 'maxEval': 600})
    >>> fs[-1] < 1e-8, n <= 600
    (True, True)
    """
    if x.type() not in ("torch.FloatTensor", "torch.DoubleTensor"):
        raise TypeError(f"optim.cmaes: Unsupported Tensor {x.type()} please use Float- or "
                        "DoubleTensor for x")
    config, state = tables(config, state)
    xmean = x.clone().view(-1)
    n = xmean.size(0)
    sigma = state.get("sigma")
    if sigma is None:
        raise ValueError("optim.cmaes: state['sigma'] (the initial step size) is required")
    ftarget = state.get("ftarget")
    max_eval = float(opt(state, "maxEval", 1e3 * n * n))
    verb_disp = opt(state, "verb_disp", 0)
    min_iterations = opt(state, "min_iterations", 1)
    lam = opt(state, "popsize", 4 + math.floor(3 * math.log(n)))

    mu = lam / 2
    n_mu = math.floor(mu)
    w = torch.DoubleTensor([math.log(mu + 0.5) - math.log(i + 1) for i in range(n_mu)])
    w.div(w.sum())
    mueff = w.sum() ** 2 / w.dot(w)
    weights = w.typeAs(x)

    cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
    cs = (mueff + 2) / (n + mueff + 5)
    c1 = 2 / ((n + 1.3) ** 2 + mueff)
    cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
    damps = 2 * mueff / lam + 0.3 + cs

    pc = type(x)(n).zero()
    ps = type(x)(n).zero()
    b_mat = torch.eye(n).typeAs(x)
    d_vec = type(x)(n).fill(1)
    c_mat = torch.eye(n).typeAs(x)
    invsqrt_c = torch.eye(n).typeAs(x)
    eigeneval = 0
    counteval = 0
    f_hist = [_value(opfunc(x))]
    fitvals = torch.DoubleTensor()
    best_x, best_f = None, None
    iteration = 0

    def stop():
        res = {}
        if counteval > 0:
            if counteval >= max_eval:
                res["evals"] = max_eval
            if ftarget is not None and fitvals.nElement() > 0 and fitvals[0] <= ftarget:
                res["ftarget"] = ftarget
            if d_vec.max() > 1e7 * d_vec.min():
                res["condition"] = 1e7
            if fitvals.nElement() > 1 and fitvals[fitvals.nElement() - 1] - fitvals[0] < 1e-12:
                res["tolfun"] = 1e-12
            if sigma * d_vec.max() < 1e-11:
                res["tolx"] = 1e-11
        return res

    while not stop() or iteration < min_iterations:
        iteration += 1
        # ask: refresh B, D and C^-1/2 from C every so often (O(N^3), so not every generation)
        if counteval - eigeneval > lam / (c1 + cmu) / n / 10:
            eigeneval = counteval
            c_mat = torch.triu(c_mat).add(torch.triu(c_mat, 1).t())
            d_vec, b_mat = torch.symeig(c_mat, "V")
            d_vec.sqrt()
            invsqrt_c = torch.mm(b_mat.clone().cmul(d_vec.clone().pow(-1).view(1, n)),
                                 b_mat.t())
        # lam rows of N(0,1) draws, row-major: the stream of Torch7's lam calls of normal()
        z = type(x)(lam, n).normal(0, 1).cmul(d_vec.view(1, n))
        arx = torch.mm(z, b_mat.t()).mul(sigma).add(xmean.view(1, n))
        fitvals = torch.DoubleTensor([_value(opfunc(arx[k].viewAs(x))) for k in range(lam)])

        # tell
        counteval += lam
        xold = xmean.clone()
        fitvals, order = torch.sort(fitvals)
        arx = arx.index(0, order.narrow(0, 0, n_mu))
        f_hist.append(fitvals[0])
        if best_f is None or fitvals[0] < best_f:
            best_x, best_f = arx[0].clone(), fitvals[0]
        xmean = torch.mv(arx.t(), weights)
        y = xmean.clone().add(-1, xold)
        zc = torch.mv(invsqrt_c, y)
        c = (cs * (2 - cs) * mueff) ** 0.5 / sigma
        ps = ps.clone().add(-cs, ps).add(c, zc)
        hsig = 1.0 if (ps.dot(ps) / (1 - (1 - cs) ** (2 * counteval / lam)) / n
                       < 2 + 4.0 / (n + 1)) else 0.0
        c = (cc * (2 - cc) * mueff) ** 0.5 / sigma
        pc = pc.clone().add(-cc, pc).add(c * hsig, y)
        c1a = c1 - (1 - hsig**2) * c1 * cc * (2 - cc)
        dev = arx.clone().add(-1, xold.view(1, n))
        c_mu = torch.mm(dev.t(), dev.clone().cmul(weights.view(n_mu, 1))).div(sigma**2)
        c_mat = c_mat.clone().addr(1 - c1a - cmu, c1, pc, pc).add(cmu, c_mu)
        sigma = sigma * math.exp(min(0.6, (cs / damps) * (ps.dot(ps) / n - 1) / 2))

        if verb_disp and (iteration <= 2 or iteration % verb_disp == 0):
            print(f"{counteval}:  {d_vec.max() / d_vec.min():6.1f} "
                  f"{sigma * math.sqrt(torch.diag(c_mat).max()):8.1e} {fitvals[0]}")

    if verb_disp:
        for k, v in stop().items():
            print("termination by", k, "=", v)
        print("best f-value =", best_f)
    f_hist.append(best_f)
    return best_x, f_hist, counteval
