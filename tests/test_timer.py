"""torch.Timer: real/user/sys seconds, stop, resume, reset."""

import time

import ferrotorch as torch

NAP = 0.05


def busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_time_keys_and_types():
    t = torch.Timer()
    r = t.time()
    assert set(r) == {"real", "user", "sys"}
    assert all(isinstance(v, float) and v >= 0 for v in r.values())


def test_real_time_grows_while_running():
    t = torch.Timer()
    time.sleep(NAP)
    r = t.time()["real"]
    assert NAP * 0.9 <= r < NAP + 2.0


def test_user_time_counts_cpu_work():
    t = torch.Timer()
    busy(0.1)
    r = t.time()
    assert r["user"] + r["sys"] > 0.02
    assert r["real"] >= 0.09


def test_stop_freezes():
    t = torch.Timer()
    time.sleep(NAP)
    assert t.stop() is t
    frozen = t.time()
    time.sleep(NAP)
    assert t.time() == frozen
    assert frozen["real"] >= NAP * 0.9
    assert t.stop() is t  # stopping twice changes nothing
    assert t.time() == frozen


def test_resume_continues():
    t = torch.Timer()
    time.sleep(NAP)
    t.stop()
    stopped = t.time()["real"]
    time.sleep(0.3)  # not counted
    assert t.resume() is t
    time.sleep(NAP)
    r = t.time()["real"]
    assert stopped + NAP * 0.9 <= r < stopped + 0.25
    t.resume()  # resuming a running timer changes nothing
    assert r <= t.time()["real"] < stopped + 0.25


def test_resume_excludes_stopped_interval():
    t = torch.Timer()
    t.stop()
    time.sleep(0.2)
    t.resume()
    r = t.time()["real"]
    assert r < 0.15


def test_reset_zeroes():
    t = torch.Timer()
    time.sleep(NAP)
    assert t.reset() is t
    r = t.time()["real"]
    assert r < NAP
    time.sleep(NAP)
    assert t.time()["real"] >= NAP * 0.9


def test_reset_while_stopped_stays_stopped():
    t = torch.Timer()
    time.sleep(NAP)
    t.stop()
    t.reset()
    assert t.time() == {"real": 0.0, "user": 0.0, "sys": 0.0}
    time.sleep(NAP)
    assert t.time()["real"] == 0.0
    t.resume()
    time.sleep(NAP)
    assert t.time()["real"] >= NAP * 0.9


def test_chaining():
    t = torch.Timer().stop().reset().resume()
    assert isinstance(t, torch.Timer)
