"""Command line of ``python -m ferrotorch.demo``: training (default), ``generate`` and ``tour``."""

import argparse
import sys


def train_parser():
    """The training demo's options.

    >>> from ferrotorch.demo.__main__ import train_parser
    >>> opt = train_parser().parse_args(["--epochs", "2"])
    >>> opt.epochs, opt.model, opt.data is None
    (2, 'convnet', True)
    """
    p = argparse.ArgumentParser(
        prog="python -m ferrotorch.demo",
        description="Train the Torch7 talk's convnet on handwritten digits with nn + optim + "
                    "threads. Other modes: 'python -m ferrotorch.demo generate' (a generative "
                    "model of the digits), 'python -m ferrotorch.demo tour' (tensor tour).")
    p.add_argument("--model", choices=("convnet", "mlp"), default="convnet",
                   help="the talk's convnet (default) or a two-layer perceptron")
    p.add_argument("--data", metavar="FOLDER", default=None,
                   help="read MNIST IDX files or CIFAR-10 binary batches from FOLDER instead "
                        "of the embedded digits")
    p.add_argument("--epochs", type=int, default=30, help="epochs to train (default 30)")
    p.add_argument("--batch-size", type=int, default=32, help="samples per batch (default 32)")
    p.add_argument("--lr", type=float, default=0.05, help="SGD learning rate (default 0.05)")
    p.add_argument("--lr-decay", type=float, default=1e-3,
                   help="SGD learningRateDecay (default 1e-3)")
    p.add_argument("--momentum", type=float, default=0.9, help="SGD momentum (default 0.9)")
    p.add_argument("--weight-decay", type=float, default=0.0,
                   help="SGD weightDecay (default 0)")
    p.add_argument("--jitter", type=int, default=2, metavar="PIXELS",
                   help="shift each training image by a random -PIXELS..PIXELS in x and y, on "
                        "the donkeys (default 2; 0 turns it off)")
    p.add_argument("--threads", type=int, default=1,
                   help="donkey threads sampling batches (default 1)")
    p.add_argument("--seed", type=int, default=1, help="torch.manualSeed for the model and "
                   "(plus 1 + worker index) for each donkey (default 1)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="use only the first N training and N test images (quick runs)")
    p.add_argument("--out", default="ferrotorch-demo", metavar="FOLDER",
                   help="where logs, plots, the checkpoint and model.t7 go (default "
                        "./ferrotorch-demo)")
    p.add_argument("--resume", action="store_true",
                   help="continue from FOLDER/checkpoint.t7 (written every epoch and on Ctrl-C)")
    p.add_argument("--no-plot", dest="plot", action="store_false",
                   help="do not draw the loss / accuracy PNGs (they need matplotlib)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")
    p.add_argument("--no-confusion", dest="confusion", action="store_false",
                   help="do not print the test confusion matrix every epoch")
    p.add_argument("--verbose", action="store_true", help="print the model")
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "tour":
        from ferrotorch.demo import tour

        tour.main()
        return 0
    if argv and argv[0] == "generate":
        from ferrotorch.demo import generate

        generate.main(generate.parser().parse_args(argv[1:]))
        return 0
    from ferrotorch.demo import train

    opt = train_parser().parse_args(argv)
    result = train.main(opt)
    return 130 if result["interrupted"] else 0


if __name__ == "__main__":
    sys.exit(main())
