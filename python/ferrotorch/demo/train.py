"""Train the Torch7 talk's convnet (or an MLP) on handwritten digits: nn + optim + threads.

The loop is the talk's, line for line: "donkey" worker threads sample batches
(``threads.Threads`` jobs with per-worker seeds), each batch is trained in its end callback on
the main thread with ``optim.sgd`` and a closure over ``model.getParameters()``. Every epoch
the held-out set is scored (``optim.ConfusionMatrix``), ``optim.Logger`` plots loss and
accuracy into PNGs, and a checkpoint is written atomically; at the end the model is saved as
a .t7 file, loaded back and scored again.
"""

import os
import time

import ferrotorch as torch
from ferrotorch import nn, optim, threads
from ferrotorch.demo import data as demo_data
from ferrotorch.demo.progress import bar

CHECKPOINT = "checkpoint.t7"
MODEL_FILE = "model.t7"


def convnet(nclasses=10):
    """The convnet of the Torch7 talk, exactly as written there (3x32x32 input).

    >>> import ferrotorch as torch
    >>> from ferrotorch.demo.train import convnet
    >>> model = convnet()
    >>> list(model.forward(torch.FloatTensor(3, 32, 32).zero().double()).size())
    [10]
    """
    from ferrotorch import image

    model = nn.Sequential()
    model.add(nn.SpatialConvolution(3, 16, 5, 5))
    model.add(nn.Tanh())
    model.add(nn.SpatialMaxPooling(2, 2, 2, 2))
    model.add(nn.SpatialContrastiveNormalization(16, image.gaussian(3)))
    model.add(nn.SpatialConvolution(16, 64, 5, 5))
    model.add(nn.Tanh())
    model.add(nn.SpatialMaxPooling(2, 2, 2, 2))
    model.add(nn.SpatialContrastiveNormalization(64, image.gaussian(3)))
    model.add(nn.SpatialConvolution(64, 256, 5, 5))
    model.add(nn.Tanh())
    model.add(nn.Reshape(256))
    model.add(nn.Linear(256, nclasses))
    model.add(nn.LogSoftMax())
    return model


def mlp(nclasses=10, hidden=256):
    """A two-layer perceptron over the flattened 3x32x32 image.

    >>> import ferrotorch as torch
    >>> from ferrotorch.demo.train import mlp
    >>> list(mlp().forward(torch.DoubleTensor(3, 32, 32).zero()).size())
    [10]
    """
    model = nn.Sequential()
    model.add(nn.Reshape(3 * 32 * 32))
    model.add(nn.Linear(3 * 32 * 32, hidden))
    model.add(nn.Tanh())
    model.add(nn.Linear(hidden, nclasses))
    model.add(nn.LogSoftMax())
    return model


MODELS = {"convnet": convnet, "mlp": mlp}


def evaluate(model, dataset, batch_size, nclasses, classes):
    """Score ``model`` on ``dataset`` in evaluation mode -> a filled ConfusionMatrix."""
    confusion = optim.ConfusionMatrix(classes[:nclasses])
    model.evaluate()
    for first in range(0, dataset.size(), batch_size):
        inputs, labels = dataset.batch(first, batch_size)
        confusion.batchAdd(model.forward(inputs), labels)
    confusion.updateValids()
    return confusion


def save_atomically(path, obj):
    """torch.save writes a temporary file and renames it, so a crash never truncates ``path``."""
    torch.save(path, obj)


class Trainer:
    """The training session: model, flat parameters, optimizer state, loggers and donkeys."""

    def __init__(self, opt, train_set, test_set, log=print):
        self.opt, self.train_set, self.test_set, self.log = opt, train_set, test_set, log
        self.nclasses = max(train_set.nclasses, test_set.nclasses)
        self.classes = train_set.classes
        self.epoch = 0
        os.makedirs(opt.out, exist_ok=True)
        checkpoint = os.path.join(opt.out, CHECKPOINT)
        if opt.resume and os.path.exists(checkpoint):
            state = torch.load(checkpoint)
            self.model, self.optim_state = state["model"], state["optimState"]
            self.epoch = int(state["epoch"])
            log(f"resumed from {checkpoint} after epoch {self.epoch}")
        else:
            if opt.resume:
                log(f"--resume: no {checkpoint} yet, starting afresh")
            torch.manualSeed(opt.seed)
            self.model = MODELS[opt.model](self.nclasses).float()
            self.optim_state = {"learningRate": opt.lr, "learningRateDecay": opt.lr_decay,
                                "weightDecay": opt.weight_decay, "momentum": opt.momentum}
        self.params, self.grads = self.model.getParameters()
        self.criterion = nn.ClassNLLCriterion().float()
        self.loss_log = optim.Logger(os.path.join(opt.out, "loss.log"))
        self.loss_log.setNames(["train loss"])
        self.acc_log = optim.Logger(os.path.join(opt.out, "accuracy.log"))
        self.acc_log.setNames(["train accuracy (%)", "test accuracy (%)"])
        seed = opt.seed

        def donkey_init(idx):
            torch.manualSeed(seed + 1 + idx)  # per-worker seed, as in the talk
            torch.setnumthreads(1)            # the cores belong to training

        self.donkeys = threads.Threads(opt.threads, donkey_init)

    def train_epoch(self):
        """One epoch: batches sampled by the donkeys, trained in their end callbacks."""
        opt, model, criterion = self.opt, self.model, self.criterion
        params, grads = self.params, self.grads
        confusion = optim.ConfusionMatrix(self.classes[:self.nclasses])
        nbatches = max(1, self.train_set.size() // opt.batch_size)
        progress = bar(nbatches, f"epoch {self.epoch + 1}/{opt.epochs}", enabled=opt.progress)
        totals = {"loss": 0.0, "batches": 0}
        model.training()

        def train_batch(inputs, labels):  # end callback: runs on the main thread
            def feval(x):
                grads.zero()  # gradients accumulate, so reset them
                output = model.forward(inputs)
                loss = criterion.forward(output, labels)
                model.backward(inputs, criterion.backward(output, labels))
                confusion.batchAdd(output, labels)
                return loss, grads

            _, fs = optim.sgd(feval, params, self.optim_state)
            totals["loss"] += fs[0]
            totals["batches"] += 1
            progress.update()
            progress.set_postfix_str(f"loss {totals['loss'] / totals['batches']:.4f}")

        batch_size, jitter = opt.batch_size, getattr(opt, "jitter", 0)

        def sample():  # runs on a worker: draws and shifts a batch
            return self.train_set.sample(batch_size, jitter=jitter)

        start = time.perf_counter()
        try:
            for _ in range(nbatches):
                self.donkeys.addjob(sample, train_batch)
            self.donkeys.synchronize()
        finally:
            progress.close()
        seconds = time.perf_counter() - start
        confusion.updateValids()
        return totals["loss"] / max(1, totals["batches"]), confusion, seconds, nbatches

    def run(self):
        """Train from the current epoch to opt.epochs; on Ctrl-C save a checkpoint and stop."""
        opt, log = self.opt, self.log
        start = time.perf_counter()
        interrupted = False
        try:
            while self.epoch < opt.epochs:
                loss, train_cm, seconds, nbatches = self.train_epoch()
                self.epoch += 1
                test_cm = evaluate(self.model, self.test_set, opt.batch_size, self.nclasses,
                                   self.classes)
                rate = nbatches * opt.batch_size / seconds
                log(f"epoch {self.epoch}: loss {loss:.4f}, train accuracy "
                    f"{100 * train_cm.totalValid:.2f}%, test accuracy "
                    f"{100 * test_cm.totalValid:.2f}% ({rate:.0f} samples/s)")
                if opt.confusion:
                    log(str(test_cm))
                self.loss_log.add({"train loss": loss})
                self.acc_log.add({"train accuracy (%)": 100 * train_cm.totalValid,
                                  "test accuracy (%)": 100 * test_cm.totalValid})
                if opt.plot:
                    self.loss_log.style({"train loss": "-"})
                    self.loss_log.plot()
                    self.acc_log.style({"train accuracy (%)": "-", "test accuracy (%)": "-"})
                    self.acc_log.plot()
                self.save_checkpoint()
        except KeyboardInterrupt:
            interrupted = True
            log(f"\ninterrupted: saving a checkpoint after epoch {self.epoch} "
                f"(continue with --resume)")
            self.save_checkpoint()
        finally:
            self.donkeys.terminate()
        wall = time.perf_counter() - start
        return interrupted, wall

    def save_checkpoint(self):
        state = {"model": self.model, "optimState": self.optim_state, "epoch": self.epoch}
        save_atomically(os.path.join(self.opt.out, CHECKPOINT), state)

    def finish(self):
        """Save the model as .t7, load it back and score it: the file is the model."""
        path = os.path.join(self.opt.out, MODEL_FILE)
        self.model.clearState()
        save_atomically(path, self.model)
        reloaded = torch.load(path)
        before = evaluate(self.model, self.test_set, self.opt.batch_size, self.nclasses,
                          self.classes)
        after = evaluate(reloaded, self.test_set, self.opt.batch_size, self.nclasses,
                         self.classes)
        return path, before.totalValid, after.totalValid


def main(opt, log=print):
    """Run the training demo with parsed options; returns a dict of the results."""
    previous = torch.getdefaulttensortype()
    torch.setdefaulttensortype("torch.FloatTensor")
    try:
        return _main(opt, log)
    finally:
        torch.setdefaulttensortype(previous)


def _main(opt, log):
    train_set, test_set = demo_data.load(opt.data)
    train_set, test_set = train_set.subset(opt.limit), test_set.subset(opt.limit)
    log(f"data: {train_set.name} {train_set.size()} images, {test_set.name} "
        f"{test_set.size()} images, {train_set.nclasses} classes; model: {opt.model}; "
        f"{opt.threads} donkey thread(s), {torch.getnumthreads()} kernel thread(s)")
    trainer = Trainer(opt, train_set, test_set, log)
    if opt.model == "convnet" and opt.verbose:
        log(str(trainer.model))
    interrupted, wall = trainer.run()
    result = {"epochs": trainer.epoch, "wall": wall, "interrupted": interrupted}
    if interrupted:
        return result
    path, before, after = trainer.finish()
    log(f"saved {path}; reloaded, its test accuracy is {100 * after:.2f}% "
        f"(before saving {100 * before:.2f}%)")
    log(f"wall time: {wall:.1f} s for {trainer.epoch} epochs")
    result.update(model=path, accuracy=before, reloaded_accuracy=after)
    return result
