"""The main job: the tensor walk-through of the Torch7 talk ("Torch: A Deeper Dive").

Run it with ``python -m ferrotorch.demo``.
"""

import ferrotorch as torch


def section(title):
    print()
    print("-- " + title)


def main():
    torch.manualSeed(123)
    section("a = torch.DoubleTensor(4, 6); a.uniform()")
    a = torch.DoubleTensor(4, 6)
    a.uniform()
    print(a)

    section("b = a.select(0, 2)   # row 2, a view (Lua: a:select(1, 3))")
    b = a.select(0, 2)
    print(b)

    section("b.fill(3)            # the storage is shared, so row 2 of a changes")
    b.fill(3)
    print(a)

    section("size, stride, storageOffset describe a view")
    print("a.size() =", a.size().tolist(), " a.stride() =", a.stride().tolist())
    print("b.size() =", b.size().tolist(), " b.stride() =", b.stride().tolist(),
          " b.storageOffset() =", b.storageOffset())
    print("a.t().stride() =", a.t().stride().tolist(), " contiguous:", a.t().isContiguous())

    section("Python indexing: a[1:3, ::2] is a view too")
    c = a[1:3, ::2]
    c.fill(0)
    print(a)

    section("numpy shares memory both ways")
    n = a.numpy()
    n[0, 0] = 42
    print("a[0][0] =", a[0][0])

    section("3-D tensors print slice by slice (0-based labels)")
    print(torch.DoubleTensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]))

    section("inline help: torch.help('cmul')")
    torch.help("cmul")
    x = torch.Tensor(2, 2).fill(2)
    y = torch.Tensor(2, 2).fill(3)
    x.cmul(y)                      # x is now all 6
    z = torch.cmul(x, y)           # a new tensor
    torch.cmul(x, y, out=z)        # result into z (Lua: torch.cmul(z, x, y))
    z.cmul(x, y)                   # also puts x*y in z
    print(z)

    section("timer")
    timer = torch.Timer()
    big = torch.FloatTensor(2048, 2048).fill(1)
    big.t().clone()
    print("transposed clone of 2048x2048 floats: %.2f ms" % (timer.time()["real"] * 1e3))


if __name__ == "__main__":
    main()
