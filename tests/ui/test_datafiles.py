"""The data side of the capacity lab: more or less data, and your own data.

File > Open data… and drag-and-drop of a CSV onto the window: every bad file gets a
message box (object name ``data_error``) and leaves the data, the model and the knobs as
they were.
"""

from __future__ import annotations

import numpy as np
import pytest
from hands import find
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
)

from knobsim.core.data.datasets import make_dataset
from knobsim.core.models.machines import make_model
from knobsim.core.training.optimizers import OptimizerConfig
from knobsim.core.training.session import Session


def _window(open_window, degree: int):
    data = make_dataset("sine", n_points=20, noise=0.2, seed=0)
    model = make_model("poly", data, degree=degree)
    session = Session(model, data, optimizer=OptimizerConfig("adam", lr=0.05), seed=0)
    return open_window(session, restore=False)


@pytest.fixture
def window(open_window):
    return _window(open_window, degree=1)


def _train(qtbot, win, steps: int) -> None:
    """Press Train, wait for ``steps`` more optimizer steps, press it again."""
    target = win.controller.session.step_count + steps
    button = find(win, "train", QPushButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.controller.session.step_count >= target, timeout=10_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _verdict(win) -> str:
    return find(win, "fit_verdict", QLabel).text()


def test_more_data_cures_overfitting_live(qtbot, open_window):
    win = _window(open_window, degree=15)
    _train(qtbot, win, 1200)
    assert _verdict(win).startswith("Overfitting")
    before = win.controller.params.copy()
    find(win, "points", QSpinBox).setValue(200)
    np.testing.assert_array_equal(win.controller.params, before)  # the knobs stay
    assert find(win, "capacity_label", QLabel).text() == "16 knobs · 200 training points"
    # the new points reach past the old ones, where the wild curve was wildly wrong:
    # it takes a few thousand steps to tame (the knobs start where they were)
    _train(qtbot, win, 3000)
    assert _verdict(win).startswith("Good fit")


def test_noise_is_live_and_keeps_the_knobs(qtbot, window):
    before = window.controller.params.copy()
    find(window, "noise", QDoubleSpinBox).setValue(0.5)
    assert window.controller.dataset.noise == 0.5
    np.testing.assert_array_equal(window.controller.params, before)


def _bad_files(tmp_path) -> dict[str, tuple[object, str]]:
    """kind -> (path, what the message must say)."""
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "text.csv").write_text("name,age\nalice,thirty\nbob,forty\n")
    (tmp_path / "columns.csv").write_text("1,2,3,4\n5,6,7,8\n")
    (tmp_path / "nan.csv").write_text("x,y\n0,1\n1,nan\n2,3\n3,4\n")
    (tmp_path / "single.csv").write_text("x,y\n0.5,1.0\n")
    with open(tmp_path / "huge.csv", "wb") as f:
        f.truncate(40 * 1024 * 1024)  # sparse: 40 MB on paper, nothing written
    return {
        "missing": (tmp_path / "nope.csv", "file not found"),
        "empty": (tmp_path / "empty.csv", "is empty"),
        "text": (tmp_path / "text.csv", "'alice' is not a number"),
        "wrong columns": (tmp_path / "columns.csv", "has 4 columns"),
        "NaN": (tmp_path / "nan.csv", "row 3 holds NaN"),
        "single row": (tmp_path / "single.csv", "has 1 data row"),
        "huge": (tmp_path / "huge.csv", "is 41.9 MB"),
    }


def _take_error_box(qtbot, win) -> QMessageBox:
    qtbot.waitUntil(lambda: win.findChild(QMessageBox, "data_error") is not None, timeout=2000)
    box = win.findChild(QMessageBox, "data_error")
    box.setObjectName("seen")  # the next file's box is the next one found
    box.close()
    return box


def _drop_event(win, mime: QMimeData) -> tuple[QDragEnterEvent, QDropEvent]:
    pos = QPointF(win.width() / 2, win.height() / 2)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton)
    enter = QDragEnterEvent(pos.toPoint(), *args, Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(pos, *args, Qt.KeyboardModifier.NoModifier)
    return enter, drop


def _drop(win, path) -> None:
    """Drag a file over the window and drop it, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter, drop = _drop_event(win, mime)
    win.dragEnterEvent(enter)
    assert enter.isAccepted()
    win.dropEvent(drop)
    assert drop.isAccepted()


@pytest.mark.parametrize("how", ["menu", "drop"])
def test_every_bad_file_gets_a_message_and_the_data_stays(qtbot, window, tmp_path, how):
    c = window.controller
    data, model, params = c.dataset, c.model, c.params.copy()
    for kind, (path, says) in _bad_files(tmp_path).items():
        if how == "menu":
            assert window.open_data(path) is False, kind
        else:
            _drop(window, path)
        box = _take_error_box(qtbot, window)
        assert says in box.text(), kind
        assert "x1,x2,label" in box.informativeText()  # what a good file looks like
        assert c.dataset is data and c.model is model, kind
        np.testing.assert_array_equal(c.params, params)
    assert find(window, "dataset", QComboBox).currentData() == "sine"


def test_a_drag_without_a_file_is_refused(window):
    mime = QMimeData()
    mime.setText("just words")
    enter, _ = _drop_event(window, mime)
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()


def test_the_file_menu_offers_open_data(window):
    action = window.findChild(QAction, "open_data")
    assert action is not None and action.text().startswith("Open &data")


def test_a_regression_file_keeps_the_polynomial(qtbot, window, tmp_path):
    path = tmp_path / "wave.csv"
    x = np.linspace(-3, 3, 30)
    path.write_text("x,y\n" + "\n".join(f"{a},{np.sin(a)}" for a in x))
    _drop(window, path)
    c = window.controller
    assert c.dataset.name == "csv:wave.csv"
    assert c.dataset.n_train + c.dataset.n_test == 30
    assert c.model.name == "poly"
    combo = find(window, "dataset", QComboBox)
    assert combo.currentData() == "csv:wave.csv" and "wave.csv" in combo.currentText()
    assert not find(window, "points", QSpinBox).isEnabled()  # a file's points are fixed
    assert find(window, "capacity_label", QLabel).text() == (
        f"2 knobs · {c.dataset.n_train} training points"
    )
    assert "Opened wave.csv" in window.statusBar().currentMessage()
    # the capacity tools work on the file's points
    find(window, "capacity", QSlider).setValue(5)
    assert c.dataset.name == "csv:wave.csv" and c.model.degree == 5


def test_a_classification_file_switches_to_a_classifier(qtbot, window, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    path = tmp_path / "two classes.csv"
    rows = (f"{a},{b},{k}" for (a, b), k in zip(X, y, strict=True))
    path.write_text("x1,x2,label\n" + "\n".join(rows))
    assert window.open_data(path)
    c = window.controller
    assert (c.model.name, c.model.task) == ("logistic", "classification")
    assert find(window, "model", QComboBox).currentData() == "logistic"
    assert "accuracy" in find(window, "error_label", QLabel).text()
    # a network on the same file: the file stays chosen, the capacity tools appear
    combo = find(window, "model", QComboBox)
    combo.setCurrentIndex(combo.findData("mlp"))
    assert c.model.name == "mlp" and c.dataset.name == "csv:two classes.csv"
    assert find(window, "capacity", QSlider).isVisible()
    # back to built-in data from the dataset box
    datasets = find(window, "dataset", QComboBox)
    datasets.setCurrentIndex(datasets.findData("moons"))
    assert c.dataset.name == "moons" and find(window, "points", QSpinBox).isEnabled()


def test_a_good_file_after_a_bad_one(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    assert not window.open_data(bad)
    _take_error_box(qtbot, window)
    good = tmp_path / "good.csv"
    good.write_text("x,y\n" + "\n".join(f"{i},{i * i}" for i in range(10)))
    assert window.open_data(good)
    assert window.controller.dataset.name == "csv:good.csv"
    assert window.findChild(QMessageBox, "data_error") is None
