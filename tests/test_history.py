"""Tests for the bounded, decimating loss history."""

from __future__ import annotations

import math

import numpy as np
import pytest

from knobsim.core.training.history import LossHistory


def test_empty_history() -> None:
    history = LossHistory(limit=4)
    assert len(history) == 0
    assert history.last() is None
    assert history.steps.size == history.train.size == history.test.size == 0
    assert history.marks == []


def test_stores_points_until_full() -> None:
    history = LossHistory(limit=4)
    for step in range(8):
        history.append(step, 1.0 / (step + 1), 2.0 / (step + 1))
        # the 8th point fills the buffers and triggers the first decimation
    np.testing.assert_array_equal(history.steps, [0, 2, 4, 6, 7])
    assert history.steps.dtype == np.int64
    assert history.train.dtype == history.test.dtype == np.float64
    assert history.last() == (7, 1.0 / 8, 2.0 / 8)
    assert history.stride == 2


def test_decimation_keeps_an_even_grid_plus_the_latest_point() -> None:
    history = LossHistory(limit=4)
    for step in range(13):
        history.append(step, 0.0, 0.0)
    np.testing.assert_array_equal(history.steps, [0, 2, 4, 6, 8, 10, 12])
    history.append(13, 0.0, 0.0)  # latest point sits off the grid until 14 arrives
    np.testing.assert_array_equal(history.steps, [0, 2, 4, 6, 8, 10, 12, 13])
    history.append(14, 0.0, 0.0)  # fills up: every second point goes, stride 4
    np.testing.assert_array_equal(history.steps, [0, 4, 8, 12, 14])


def test_bounded_memory_under_a_million_appends() -> None:
    limit = 50
    history = LossHistory(limit=limit)
    buffers = (history._steps, history._train, history._test)
    steps = np.arange(1_000_000)
    train = np.exp(-steps / 1e5)
    sizes = set()
    for chunk in range(0, steps.size, 1000):
        sl = slice(chunk, chunk + 1000)
        history.extend(steps[sl], train[sl], -train[sl])
        sizes.add(len(history))
        assert history.steps[-1] == steps[sl][-1]
    for step in range(1_000_000, 1_005_000):  # and single appends, interleaved checks
        history.append(step, 0.5, 0.25)
        assert len(history) <= 2 * limit
    assert max(sizes) <= 2 * limit
    assert min(sizes) >= limit
    assert (history._steps, history._train, history._test) == buffers
    assert all(buf.size == 2 * limit for buf in buffers)
    s = history.steps
    assert s[0] == 0
    assert s[-1] == 1_004_999
    assert np.all(np.diff(s) > 0)
    # the whole run stays visible: the stored points are spread evenly over it
    assert np.max(np.diff(s)) <= history.stride
    assert history.last() == (1_004_999, 0.5, 0.25)


def test_extend_matches_repeated_append() -> None:
    rng = np.random.default_rng(0)
    n = 5000
    steps = np.cumsum(rng.integers(0, 3, n))  # non-decreasing, with repeats
    train, test = rng.random(n), rng.random(n)
    one = LossHistory(limit=16)
    for i in range(n):
        one.append(int(steps[i]), float(train[i]), float(test[i]))
    many = LossHistory(limit=16)
    start = 0
    while start < n:
        stop = start + int(rng.integers(0, 90))
        many.extend(steps[start:stop], train[start:stop], test[start:stop])
        start = stop
    assert len(one) == len(many)
    assert one.stride == many.stride
    np.testing.assert_array_equal(one.steps, many.steps)
    np.testing.assert_array_equal(one.train, many.train)
    np.testing.assert_array_equal(one.test, many.test)


def test_smallest_limit() -> None:
    history = LossHistory(limit=1)
    for step in range(100):
        history.append(step, float(step), float(step))
        assert 1 <= len(history) <= 2
        assert history.steps[0] == 0
        assert history.last() == (step, float(step), float(step))


def test_non_finite_losses_are_stored() -> None:
    history = LossHistory(limit=4)
    history.append(0, math.nan, math.inf)
    history.extend([1, 2], [-math.inf, 1.0], [math.nan, math.nan])
    assert np.isnan(history.train[0])
    assert history.test[0] == math.inf
    assert history.train[1] == -math.inf
    step, train, test = history.last()
    assert (step, train) == (2, 1.0)
    assert math.isnan(test)


def test_views_are_read_only() -> None:
    history = LossHistory(limit=4)
    history.append(0, 1.0, 1.0)
    with pytest.raises(ValueError):
        history.train[0] = 5.0


def test_steps_may_repeat_but_not_go_backwards() -> None:
    history = LossHistory(limit=4)
    history.append(3, 1.0, 1.0)
    history.append(3, 0.5, 0.5)  # a hand move at the same step
    with pytest.raises(ValueError, match="clear"):
        history.append(2, 1.0, 1.0)
    with pytest.raises(ValueError, match="backwards"):
        history.extend([4, 1], [0.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="as many"):
        history.extend([4, 5], [0.0], [0.0, 0.0])
    assert len(history) == 2


def test_clear_starts_over() -> None:
    history = LossHistory(limit=2)
    for step in range(50):
        history.append(step, 1.0, 1.0)
    history.mark(10)
    history.clear()
    assert len(history) == 0
    assert history.marks == []
    assert history.stride == 1
    history.append(0, 2.0, 3.0)
    assert history.last() == (0, 2.0, 3.0)


def test_marks_are_bounded_and_keep_first_and_latest() -> None:
    history = LossHistory(limit=10)
    for step in range(10_000):
        history.mark(step, "hand" if step % 2 else "reset")
        assert len(history.marks) <= 20
    marks = history.marks
    assert marks[0] == (0, "reset")
    assert marks[-1] == (9999, "hand")
    assert [s for s, _ in marks] == sorted(s for s, _ in marks)


def test_repeated_mark_is_stored_once() -> None:
    history = LossHistory()
    for _ in range(100):  # dragging a slider without training in between
        history.mark(7)
    history.mark(7, "reset")
    history.mark(8)
    assert history.marks == [(7, "hand"), (7, "reset"), (8, "hand")]


@pytest.mark.parametrize("limit", [0, -3, 2.5, True])
def test_bad_limit(limit: object) -> None:
    with pytest.raises(ValueError, match="limit"):
        LossHistory(limit=limit)  # type: ignore[arg-type]


def test_peak_decimate_keeps_extremes_ends_and_order():
    from knobsim.core.training.history import peak_decimate

    rng = np.random.default_rng(0)
    x = np.arange(10_000)
    train = np.exp(-x / 2000) + 0.01 * rng.random(x.size)
    test = train + 0.05
    test[5000] = 7.0  # a spike must survive
    train[310:330] = np.nan  # NaN inside a bucket (of 50) is skipped...
    train[1000:1100] = np.nan  # ...and a gap as wide as whole buckets stays a gap
    xs, (tr, te) = peak_decimate(x, [train, test], 200)
    assert xs.size == tr.size == te.size == 401
    assert xs[0] == 0 and xs[-1] == x[-1] and np.all(np.diff(xs) >= 0)
    assert te.max() == 7.0
    assert np.nanmin(tr) == np.nanmin(train) and np.nanmax(tr) == np.nanmax(train)
    assert np.isfinite(tr[12:14]).all() and np.isnan(tr[40:44]).all()
    assert np.isfinite(np.delete(tr, range(40, 44))).all()
    # a falling curve: each bucket's high comes before its low (and a rising one the reverse)
    _, (falling, rising) = peak_decimate(x, [np.exp(-x / 2000), -np.exp(-x / 2000)], 200)
    assert np.all(falling[0:-1:2] > falling[1:-1:2])
    assert np.all(rising[0:-1:2] < rising[1:-1:2])


def test_peak_decimate_ends_at_the_last_value():
    # issue #12: the last bucket fell from 5 to 0.65, then a hand pushed the error to 4.763;
    # its extremes in visiting order (5, 0.65) ended the curve at 0.65, the read-out said 4.763
    from knobsim.core.training.history import peak_decimate

    x = np.arange(1000)
    y = np.full(1000, 5.0)
    y[-8:-1] = 0.65
    y[-1] = 4.763
    xs, (ys,) = peak_decimate(x, [y], 100)
    assert (xs[-1], ys[-1]) == (999, 4.763)
    assert ys.max() == 5.0 and ys.min() == 0.65


def test_peak_decimate_leaves_short_curves_alone():
    from knobsim.core.training.history import peak_decimate

    x = np.arange(50.0)
    y = np.sin(x)
    xs, (ys,) = peak_decimate(x, [y], 100)
    assert xs is x and ys is y


def test_until_keeps_the_points_and_marks_up_to_a_step():
    h = LossHistory(limit=4)
    for s in range(50):
        h.append(s, 1.0 / (s + 1), 2.0 / (s + 1))
    h.mark(10, "hand")
    h.mark(40, "hand")
    part = h.until(25)
    assert part.steps.tolist() == [s for s in h.steps.tolist() if s <= 25]
    assert part.train.tolist() == h.train[: len(part)].tolist()
    assert part.marks == [(10, "hand")]
    assert len(h.steps) > 0 and h.last()[0] == 49  # the history itself is left alone
    part.append(26, 0.5, 0.5)  # and the part goes on by itself
    assert h.last()[0] == 49 and part.last()[0] == 26
