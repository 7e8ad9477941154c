"""optim.FistaLS: FISTA / ISTA with backtracking (Beck and Teboulle, 2009)."""

from __future__ import annotations

import math

from ferrotorch.optim._common import opt

__all__ = ["FistaLS"]


def FistaLS(f, g, pl, xinit, params=None):
    """x, history = optim.FistaLS(f, g, pl, xinit, params=None)

    Minimises F(x) = f(x) + g(x) for a smooth f and a non-smooth g with proximal steps and a
    backtracking search on L (Torch7's optim.FistaLS). ``f(x, 'dx')`` returns (f(x), grad f(x)),
    ``f(x)`` the value alone, ``g(x)`` the value of g, and ``pl(x, L)`` replaces x in place by
    the minimiser of the intermediate problem (e.g. soft thresholding by lambda/L for an L1 g).
    Each iteration: ``p = pl(y - grad f(y)/L)``, accepted when
    ``f(p) <= f(y) + grad f(y)·(p-y) + L/2 |p-y|^2``, else L *= Lstep (at most maxline times,
    then the previous point is kept); with doFistaUpdate the momentum step
    ``y = x_k + ((t_k - 1)/t_k+1)(x_k - x_k-1)``. Ends when |F_k - F_k-1| <= errthres or after
    maxiter iterations; the solution is copied into xinit and returned with the history (one
    dict per iteration: nline, L, F, Fply, Gply, Q, and with verbose xk and y).

    params: L=0.1, Lstep=1.5, maxiter=50, maxline=20, errthres=1e-4, doFistaUpdate,
    verbose=False; params['L'] is updated, and xkm, y, ply are kept there as reusable storage.
    Torch7's doc says doFistaUpdate defaults to true, its code treats a missing value as false
    (ISTA); the code is followed, so pass doFistaUpdate=True for FISTA. The search starts
    from zeros, not from xinit (also Torch7's behaviour).

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> b = torch.DoubleTensor([3, -0.5, 1])
    >>> def f(x, mode=None):
    ...     r = x.clone().add(-1, b)
    ...     return (0.5 * r.dot(r), r) if mode == 'dx' else 0.5 * r.dot(r)
    >>> g = lambda x: x.norm(1)
    >>> def pl(x, L):  # soft threshold by 1/L: the prox of the L1 norm
    ...     s = torch.sign(x)
    ...     x.abs().add(-1 / L).cmax(0).cmul(s)
    >>> x, h = optim.FistaLS(f, g, pl, torch.DoubleTensor(3).zero(),
    ...                      {'doFistaUpdate': True, 'L': 1, 'errthres': 1e-12})
    >>> [round(v, 6) + 0.0 for v in x.tolist()]
    [2.0, 0.0, 0.0]
    """
    params = {} if params is None else params
    L = opt(params, "L", 0.1)
    l_step = opt(params, "Lstep", 1.5)
    maxiter = opt(params, "maxiter", 50)
    maxline = opt(params, "maxline", 20)
    errthres = opt(params, "errthres", 1e-4)
    do_fista = opt(params, "doFistaUpdate", False)
    verbose = opt(params, "verbose", False)

    for key in ("xkm", "y", "ply"):
        if params.get(key) is None:
            params[key] = type(xinit)()
    xkm, y, ply = params["xkm"], params["y"], params["ply"]
    xk = xinit
    xkm.resizeAs(xk).zero()
    ply.resizeAs(xk).zero()
    y.resizeAs(xk).zero()

    history = []
    tk, tkp = 1, 0
    fval = math.inf
    while True:
        fy, gfy = f(y, "dx")
        nline = 0
        while True:
            ply.copy(y)
            ply.add(-1 / L, gfy)
            pl(ply, L)
            xk.copy(ply)
            fply = f(ply)
            ply.add(-1, y)
            q2 = gfy.dot(ply)
            q3 = L / 2 * ply.dot(ply)
            q = fy + q2 + q3
            if verbose:
                print(f"nline={nline} L={L:g} fply={fply:g} Q={q:g} fy={fy:g} Q2={q2:g} "
                      f"Q3={q3:g}")
            done = False
            if fply <= q:
                done = True
            elif nline >= maxline:
                done = True
                xk.copy(xkm)  # no better point found: keep the previous iterate
            else:
                L = L * l_step
            nline += 1
            if done:
                break

        if do_fista:
            tkp = (1 + math.sqrt(1 + 4 * tk * tk)) / 2
            xkm.add(-1, xk)
            y.copy(xk)
            y.add((1 - tk) / tkp, xkm)
            xkm.copy(xk)
        else:
            y.copy(xk)
        tk = tkp
        fply = f(y)
        gply = g(y)
        if verbose:
            print(f"iter={len(history)} eold={fval:g} enew={fply + gply:g}")
        fval = fply + gply
        entry = {"nline": nline, "L": L, "F": fval, "Fply": fply, "Gply": gply, "Q": q}
        if verbose:
            entry["xk"], entry["y"] = xk.clone(), y.clone()
        history.append(entry)
        params["L"] = L
        niter = len(history)
        if (niter > 1 and abs(history[-1]["F"] - history[-2]["F"]) <= errthres) \
                or niter >= maxiter:
            xinit.copy(y)
            return y, history
