"""nn.Jacobian: finite-difference checks of a module's gradients (Torch7's nn/Jacobian.lua).

Central differences, ``(f(x + h) - f(x - h)) / 2h`` with h = 1e-6, against the Jacobian that
backpropagation gives (one one-hot gradOutput per output element). Use double precision.
"""

import ferrotorch as torch
from ferrotorch.nn import utils


def _flat_tensors(obj):
    """The tensors of a tensor or nested list, depth-first."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    out = []
    for v in obj:
        out.extend(_flat_tensors(v))
    return out


def _flat_copy(obj):
    """All elements of a tensor or nested list of tensors, as one new 1-D DoubleTensor."""
    parts = [t.contiguous().view(-1).double() for t in _flat_tensors(obj) if t.nElement()]
    if not parts:
        return torch.DoubleTensor()
    return torch.cat(parts, 0) if len(parts) > 1 else parts[0].clone()


def _zeros_like(obj):
    if isinstance(obj, torch.Tensor):
        return utils.empty_like_type(obj).resizeAs(obj).zero()
    return [_zeros_like(v) for v in obj]


def _elements(obj):
    """(tensor, flat index) views over every element, as 1-D views (for perturbing)."""
    for t in _flat_tensors(obj):
        if not t.isContiguous():
            raise ValueError("nn.Jacobian: perturbed tensors must be contiguous")
        yield t.view(-1)


def forward(module, input, param=None, perturbation=1e-6):
    """Jacobian.forward(module, input, param=None, perturbation=1e-6) -> the finite-difference
    Jacobian (nParam x nOutput) of the output w.r.t. param (the input when param is None)"""
    target = input if param is None else param
    flat_out = _flat_copy(module.forward(input))
    n_in = sum(t.nElement() for t in _flat_tensors(target))
    jac = torch.DoubleTensor(n_in, flat_out.nElement()).zero()
    row = 0
    for view in _elements(target):
        for i in range(view.nElement()):
            orig = view[i]
            view[i] = orig - perturbation
            minus = _flat_copy(module.forward(input))
            view[i] = orig + perturbation
            plus = _flat_copy(module.forward(input))
            view[i] = orig
            jac.select(0, row).copy(plus.add(-1, minus).div(2 * perturbation))
            row += 1
    return jac


def backward(module, input, param=None, dparam=None):
    """Jacobian.backward(module, input, param=None, dparam=None) -> the backprop Jacobian
    (nParam x nOutput): one one-hot gradOutput per output element"""
    output = module.forward(input)
    grad_output = _zeros_like(output)
    go_views = [t.view(-1) for t in _flat_tensors(grad_output)]
    n_out = sum(v.nElement() for v in go_views)
    target = dparam
    n_in = sum(t.nElement() for t in _flat_tensors(input if param is None else param))
    jac = torch.DoubleTensor(n_in, n_out).zero()
    col = 0
    for view in go_views:
        for i in range(view.nElement()):
            view[i] = 1
            module.zeroGradParameters()
            grad_input = module.updateGradInput(input, grad_output)
            if param is not None:
                module.accGradParameters(input, grad_output, 1)
            column = _flat_copy(grad_input if param is None else target)
            jac.select(1, col).copy(column)
            view[i] = 0
            col += 1
    return jac


def _randomise(obj, minval, maxval):
    for t in _flat_tensors(obj):
        if t.type() in ("torch.FloatTensor", "torch.DoubleTensor"):
            t.uniform(minval, maxval)


def testJacobian(module, input, minval=-2, maxval=2, perturbation=1e-6):
    """testJacobian(module, input, minval=-2, maxval=2, perturbation=1e-6) -> the largest
    difference between the finite-difference and the backprop Jacobian w.r.t. the input
    (the input is refilled with uniform noise in [minval, maxval] first)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> err = nn.Jacobian.testJacobian(nn.Linear(3, 2), torch.DoubleTensor(4, 3))
    >>> err < 1e-5
    True
    """
    _randomise(input, minval, maxval)
    jac_bp = backward(module, input)
    jac_fd = forward(module, input, perturbation=perturbation)
    return _max_abs_diff(jac_bp, jac_fd)


def testJacobianParameters(module, input, param, dparam, minval=-2, maxval=2,
                           perturbation=1e-6):
    """testJacobianParameters(module, input, param, dparam, ...) -> the largest difference
    w.r.t. a parameter tensor (param) whose gradient lives in dparam"""
    _randomise(input, minval, maxval)
    _randomise(param, minval, maxval)
    jac_bp = backward(module, input, param, dparam)
    jac_fd = forward(module, input, param, perturbation)
    return _max_abs_diff(jac_bp, jac_fd)


def testJacobianUpdateParameters(module, input, param, minval=-2, maxval=2,
                                 perturbation=1e-6):
    """testJacobianUpdateParameters(module, input, param, ...) -> the largest difference
    between accUpdateGradParameters (the direct update) and the finite-difference Jacobian"""
    _randomise(input, minval, maxval)
    _randomise(param, minval, maxval)
    params_before = _flat_copy(param)
    output = module.forward(input)
    grad_output = _zeros_like(output)
    go_views = [t.view(-1) for t in _flat_tensors(grad_output)]
    columns = []
    for view in go_views:
        for i in range(view.nElement()):
            view[i] = 1
            module.updateGradInput(input, grad_output)
            module.accUpdateGradParameters(input, grad_output, 1)
            columns.append(params_before.clone().add(-1, _flat_copy(param)))
            for t, src in zip(_flat_tensors(param), _split_like(params_before, param)):
                t.copy(src)
            view[i] = 0
    jac_bp = torch.DoubleTensor(params_before.nElement(), len(columns)).zero()
    for j, c in enumerate(columns):
        jac_bp.select(1, j).copy(c)
    jac_fd = forward(module, input, param, perturbation)
    return _max_abs_diff(jac_bp, jac_fd)


def _split_like(flat, obj):
    out, offset = [], 0
    for t in _flat_tensors(obj):
        n = t.nElement()
        out.append(flat.narrow(0, offset, n).view(t.size()).type(t.type()) if n else t)
        offset += n
    return out


def _max_abs_diff(a, b):
    if a.nElement() == 0:
        return 0.0
    return float(a.add(-1, b).abs().max())


def testAllUpdate(module, input, weight, gradWeight):
    """testAllUpdate(module, input, weightName, gradWeightName) -> {check name: error}

    Compares the parameter after (accGradParameters + updateParameters), after
    accUpdateGradParameters, and the same on clones that share the weight.
    """
    _randomise(input, -2, 2)
    output = module.forward(input)
    grad_output = _zeros_like(output)
    _randomise(grad_output, -2, 2)
    errors = {}
    lr = 0.01

    def run_acc(m):
        m.zeroGradParameters()
        m.forward(input)
        m.updateGradInput(input, grad_output)
        m.accGradParameters(input, grad_output, 1)
        m.updateParameters(lr)

    def run_update(m):
        m.forward(input)
        m.updateGradInput(input, grad_output)
        m.accUpdateGradParameters(input, grad_output, lr)

    base = module.clone()
    run_acc(base)
    reference = getattr(base, weight)
    for name, build, step in (
        ("accUpdateGradParameters", lambda: module.clone(), run_update),
        ("shared accGradParameters", lambda: module.clone().share(module.clone(), weight,
                                                                  gradWeight), run_acc),
        ("shared accUpdateGradParameters", lambda: module.clone().share(module.clone(), weight),
         run_update),
    ):
        m = build()
        step(m)
        errors[f"{weight} [{name}]"] = _max_abs_diff(
            getattr(m, weight).double(), reference.double())
    return errors
