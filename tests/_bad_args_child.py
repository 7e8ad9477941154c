"""Child process of test_bad_arguments.py: calls every public torch function and Tensor method
with seeded random bad arguments under an address-space limit, and reports any exception that is
not one of the documented kinds. Run as: python _bad_args_child.py SEED CALLS_PER_TARGET REPORT.

Not a test module itself (no test_ prefix): it must run in its own process so that an abort or an
unbounded allocation kills only it.
"""

import io
import json
import math
import os
import random
import resource
import sys
import time

ALLOWED = (TypeError, ValueError, IndexError, RuntimeError, ZeroDivisionError, MemoryError,
           BufferError)
# Address-space cap: well above what the walk needs, far below what a runaway allocation asks.
AS_LIMIT = 6 << 30
# Calls that would hang or change the process in ways the walk cannot undo (not bad-input bugs).
SKIP = {"setnumthreads", "setdefaulttensortype", "Timer", "timer", "help"}
SKIP |= set(os.environ.get("FERROTORCH_WALK_SKIP", "").split())


def pool(torch):
    """The arguments a call draws from: the kinds of values the acceptance walk used."""
    t = torch.DoubleTensor(3, 4).uniform()
    return [
        None, 0, 1, 2, 3, -1, -2, 2**31, 2**62, -(2**62), 2**63 - 1, -(2**63),
        0.5, -1.5, math.nan, math.inf, -math.inf, True, "a", "", [1, 2], [], (), [[1, 2], [3]],
        {}, object(), b"xy",
        torch.DoubleTensor(), torch.DoubleTensor(0, 3), t, t.t(), t.select(0, 1),
        torch.DoubleTensor(1, 4).fill(2).expand(3, 4), torch.HalfTensor(2, 2),
        torch.LongTensor([0, 2, 1]), torch.LongTensor([5, -1]), torch.ByteTensor([1, 0, 1]),
        torch.IntTensor(2, 3, 2), torch.FloatTensor(4).fill(0.25), torch.DoubleTensor(7).fill(1),
        torch.LongStorage([2, 3]), torch.DoubleStorage(3), torch.Generator(),
    ]


def targets(torch):
    for name in sorted(n for n in dir(torch) if not n.startswith("_")):
        obj = getattr(torch, name)
        if callable(obj) and name not in SKIP and not isinstance(obj, type(torch)):
            yield f"torch.{name}", lambda obj=obj: obj
    for name in sorted(n for n in dir(torch.Tensor) if not n.startswith("_")):
        if name in SKIP:
            continue
        # A fresh receiver per call: a method may legitimately resize or refill its self.
        recv = [lambda: torch.DoubleTensor(3, 4).uniform(), lambda: torch.LongTensor(2, 2).fill(1),
                lambda: torch.DoubleTensor(), lambda: torch.HalfTensor(3),
                lambda: torch.FloatTensor(4, 1).fill(1).expand(4, 3)]
        yield f"Tensor.{name}", lambda name=name, recv=recv: getattr(random.choice(recv)(), name)


def main():
    seed, calls, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
    import ferrotorch as torch

    random.seed(seed)
    torch.manualSeed(seed)
    os.chdir(os.path.dirname(report))  # anything a call writes lands in the test's tmp dir
    values = pool(torch)
    # Half the draws are ints: size, count and dim arguments are where the crashes hid.
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    bad, slow = [], []
    progress = open(report + ".progress", "w")  # noqa: SIM115 - held across the whole walk
    start = time.monotonic()
    for label, get in targets(torch):
        for _ in range(calls):
            args = [random.choice(ints if random.random() < 0.5 else values)
                    for _ in range(random.randint(0, 4))]
            kwargs = {"out": random.choice(values)} if random.random() < 0.1 else {}
            desc = f"{label}({', '.join(map(_short, args))}{', out=...' if kwargs else ''})"
            progress.write(desc + "\n")
            progress.flush()
            sys.stdout = io.StringIO()  # printing functions must not flood the test log
            t0 = time.monotonic()
            try:
                get()(*args, **kwargs)
            except ALLOWED:
                pass
            except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
                bad.append(f"{desc}: {type(e).__name__}: {str(e)[:200]}")
            finally:
                sys.stdout = sys.__stdout__
                if time.monotonic() - t0 > 1.0:
                    slow.append(f"{desc}: {time.monotonic() - t0:.1f} s")
    with open(report, "w") as f:
        json.dump({"bad": bad, "slow": slow, "seconds": time.monotonic() - start}, f)


def _short(v):
    r = repr(v) if not hasattr(v, "size") or isinstance(v, (str, bytes)) else v.type()
    return r if len(r) < 40 else r[:37] + "..."


if __name__ == "__main__":
    main()
