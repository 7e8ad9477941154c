"""Generate handwritten digits: a convolutional variational autoencoder (VAE) trained on the
embedded digits with nn + optim + threads, writing a grid of samples as a PNG every epoch.

The encoder maps an 8x8 digit to the mean and log-variance of a Gaussian over a small latent
code; the decoder (a SpatialFullConvolution up-sampler) maps a code back to an image. Training
maximises the evidence lower bound: the binary cross-entropy of the reconstruction plus the KL
divergence of the code's distribution from N(0, I), with the reparameterisation
z = mu + exp(logvar / 2) * eps written out in tensor operations (forward and backward).
Samples are the decoder's images of codes drawn from N(0, I): new digits, not copies.
"""

import argparse
import os
import time

import numpy as np

import ferrotorch as torch
from ferrotorch import nn, optim, threads
from ferrotorch.demo import data as demo_data
from ferrotorch.demo.progress import bar


def parser():
    """The generation demo's options.

    >>> from ferrotorch.demo.generate import parser
    >>> parser().parse_args([]).epochs
    30
    """
    p = argparse.ArgumentParser(
        prog="python -m ferrotorch.demo generate",
        description="Train a convolutional VAE on the embedded handwritten digits and write a "
                    "grid of generated digits as a PNG every epoch.")
    p.add_argument("--epochs", type=int, default=30, help="epochs to train (default 30)")
    p.add_argument("--batch-size", type=int, default=32, help="samples per batch (default 32)")
    p.add_argument("--latent", type=int, default=8, help="size of the latent code (default 8)")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default 2e-3)")
    p.add_argument("--threads", type=int, default=1, help="donkey threads (default 1)")
    p.add_argument("--seed", type=int, default=1, help="torch.manualSeed (default 1)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="train on the first N digits only")
    p.add_argument("--out", default="ferrotorch-demo", metavar="FOLDER",
                   help="where samples-<epoch>.png go (default ./ferrotorch-demo)")
    p.add_argument("--scale", type=int, default=4,
                   help="each generated pixel becomes scale x scale in the PNG (default 4)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")
    return p


def encoder(latent):
    """1x8x8 digit -> 2*latent numbers: the code's mean, then its log-variance.

    >>> import ferrotorch as torch
    >>> from ferrotorch.demo.generate import encoder
    >>> list(encoder(4).float().forward(torch.FloatTensor(2, 1, 8, 8).zero()).size())
    [2, 8]
    """
    m = nn.Sequential()
    m.add(nn.SpatialConvolution(1, 32, 3, 3, 1, 1, 1, 1))     # 32x8x8
    m.add(nn.ReLU())
    m.add(nn.SpatialConvolution(32, 64, 4, 4, 2, 2, 1, 1))    # 64x4x4
    m.add(nn.ReLU())
    m.add(nn.Reshape(64 * 4 * 4))
    m.add(nn.Linear(64 * 4 * 4, 2 * latent))
    return m


def decoder(latent):
    """latent code -> 1x8x8 image with pixels in (0, 1).

    >>> import ferrotorch as torch
    >>> from ferrotorch.demo.generate import decoder
    >>> list(decoder(4).float().forward(torch.FloatTensor(2, 4).zero()).size())
    [2, 1, 8, 8]
    """
    m = nn.Sequential()
    m.add(nn.Linear(latent, 64 * 4 * 4))
    m.add(nn.ReLU())
    m.add(nn.Reshape(64, 4, 4))
    m.add(nn.SpatialFullConvolution(64, 32, 4, 4, 2, 2, 1, 1))  # 32x8x8
    m.add(nn.ReLU())
    m.add(nn.SpatialConvolution(32, 1, 3, 3, 1, 1, 1, 1))
    m.add(nn.Sigmoid())
    return m


class VAE:
    """Encoder, decoder and the ELBO's forward and backward through the sampling step.

    >>> import ferrotorch as torch
    >>> from ferrotorch.demo.generate import VAE
    >>> torch.manualSeed(1)
    >>> vae = VAE(4)
    >>> loss = vae.step(torch.FloatTensor(3, 1, 8, 8).uniform())
    >>> loss > 0
    True
    """

    def __init__(self, latent):
        self.latent = latent
        self.encoder, self.decoder = encoder(latent).float(), decoder(latent).float()
        # One container only to flatten both halves' parameters into one tensor for optim.
        self.params, self.grads = (nn.Sequential().add(self.encoder).add(self.decoder)
                                   .getParameters())
        self.bce = nn.BCECriterion().float()
        self.bce.sizeAverage = False

    def step(self, x):
        """Forward and backward of the negative ELBO on batch x; returns it per sample
        (gradients accumulate into self.grads)."""
        n, z = x.size(0), self.latent
        stats = self.encoder.forward(x)
        mu, logvar = stats.narrow(1, 0, z), stats.narrow(1, z, z)
        std = torch.exp(logvar * 0.5)
        eps = torch.randn(n, z).float()
        code = mu + std.clone().cmul(eps)
        recon = self.decoder.forward(code)
        rec_loss = self.bce.forward(recon, x)
        kld = -0.5 * float((logvar + 1 - mu.clone().pow(2) - torch.exp(logvar)).sum())
        dcode = self.decoder.backward(code, self.bce.backward(recon, x))
        # d/dmu: dcode + mu;  d/dlogvar: dcode * eps * std / 2 + (exp(logvar) - 1) / 2
        dstats = torch.FloatTensor(n, 2 * z)
        dstats.narrow(1, 0, z).copy(dcode).add(mu)
        dstats.narrow(1, z, z).copy(dcode).cmul(eps).cmul(std).mul(0.5).add(
            torch.exp(logvar).add(-1).mul(0.5))
        self.encoder.backward(x, dstats)
        return (rec_loss + kld) / n

    def sample(self, codes):
        """Decoder images of the given codes (n x latent) -> n x 1 x 8 x 8."""
        return self.decoder.forward(codes)


def digit_images(limit=None):
    """The embedded digits as 1x8x8 FloatTensors in [0, 1] (all 1,797, or the first ``limit``).

    >>> from ferrotorch.demo.generate import digit_images
    >>> list(digit_images(5).size())
    [5, 1, 8, 8]
    """
    import gzip
    from importlib import resources

    with (resources.files(demo_data.__package__).joinpath(demo_data.DIGITS_FILE).open("rb")
          as raw, gzip.open(raw) as f):
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    if limit is not None:
        table = table[:limit]
    pixels = np.ascontiguousarray(table[:, :64].reshape(-1, 1, 8, 8), dtype=np.float32) / 16
    return torch.fromNumpy(pixels)


def write_grid(images, path, scale):
    """Save a grid of 1x8x8 images (image.toDisplayTensor) as a PNG, each pixel scale x scale."""
    from ferrotorch import image

    grid = image.toDisplayTensor(input=images, padding=1, nrow=8)
    if scale > 1:
        grid = image.scale(grid, grid.size(-1) * scale, grid.size(-2) * scale, "simple")
    image.save(path, grid)
    return path


def main(opt, log=print):
    """Train the VAE and write samples-<epoch>.png into opt.out; returns the last PNG's path
    and the final loss per sample."""
    previous = torch.getdefaulttensortype()
    torch.setdefaulttensortype("torch.FloatTensor")
    try:
        return _main(opt, log)
    finally:
        torch.setdefaulttensortype(previous)


def _main(opt, log):
    os.makedirs(opt.out, exist_ok=True)
    torch.manualSeed(opt.seed)
    images = digit_images(opt.limit)
    vae = VAE(opt.latent)
    codes = torch.randn(64, opt.latent).float()  # the same codes every epoch: watch them form
    adam_state = {"learningRate": opt.lr}
    seed, n = opt.seed, images.size(0)

    def donkey_init(idx):
        torch.manualSeed(seed + 1 + idx)
        torch.setnumthreads(1)

    def sample_batch(size):  # runs on a donkey
        return images.index(0, torch.LongTensor(size).random(0, n - 1))

    donkeys = threads.Threads(opt.threads, donkey_init)
    nbatches = max(1, n // opt.batch_size)
    path, loss = None, float("nan")
    epoch_state = {"total": 0.0, "progress": None}

    def train_batch(x):  # end callback: main thread
        def feval(_):
            vae.grads.zero()
            return vae.step(x), vae.grads

        _, fs = optim.adam(feval, vae.params, adam_state)
        epoch_state["total"] += fs[0]
        epoch_state["progress"].update()

    start = time.perf_counter()
    try:
        for epoch in range(1, opt.epochs + 1):
            epoch_state["total"] = 0.0
            epoch_state["progress"] = bar(nbatches, f"epoch {epoch}/{opt.epochs}",
                                          enabled=opt.progress)
            for _ in range(nbatches):
                donkeys.addjob(sample_batch, train_batch, opt.batch_size)
            donkeys.synchronize()
            epoch_state["progress"].close()
            loss = epoch_state["total"] / nbatches
            path = write_grid(vae.sample(codes), os.path.join(opt.out, f"samples-{epoch}.png"),
                              opt.scale)
            log(f"epoch {epoch}: loss {loss:.3f} per digit (reconstruction + KL), "
                f"samples in {path}")
    finally:
        donkeys.terminate()
    log(f"wall time: {time.perf_counter() - start:.1f} s")
    return path, loss
