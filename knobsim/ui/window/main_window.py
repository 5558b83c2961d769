"""knobsim's main window: controls, knobs, and the live plots around one session.

Thin: it lays out widgets, builds sessions from what the controls say (through
``knobsim.core``), and forwards intents to the ``SessionController``.
"""

from __future__ import annotations

import math
import os
from contextlib import ExitStack
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QKeyCombination,
    QMimeData,
    QObject,
    QSettings,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from knobsim import __version__
from knobsim.core.capacity.sizes import with_hidden
from knobsim.core.data import datasets
from knobsim.core.data.catalog import COMPATIBLE, DEFAULT_DATASET, dataset_for, session_for
from knobsim.core.data.datasets import DataError, Dataset
from knobsim.core.lessons.hints import hint_text, knob_hints
from knobsim.core.lessons.predict import FREE_PLAY
from knobsim.core.models import machines as models
from knobsim.core.training import optimizers
from knobsim.core.training.session import Session
from knobsim.resources import assets_dir
from knobsim.ui import theme
from knobsim.ui.controller.session_controller import SPEED_LABELS, SPEEDS, SessionController
from knobsim.ui.knobs.panel import KNOB_STYLE_SETTING, KnobPanel, saved_knob_style
from knobsim.ui.knobs.safe_rate import SafeRateLine
from knobsim.ui.network.diagram import NetworkView
from knobsim.ui.network.nextword import CORPUS_FILTER, OPEN_CORPUS_TITLE, NextWordView
from knobsim.ui.plots.embedding_map import EmbeddingMap
from knobsim.ui.plots.fit_plot import FitPlot
from knobsim.ui.plots.landscape_plot import LandscapePlot
from knobsim.ui.plots.loss_plot import LossPlot
from knobsim.ui.plots.scrub import ScrubBar
from knobsim.ui.teaching.capacity import CapacityPanel
from knobsim.ui.teaching.glossary import GlossaryDialog, GlossaryTips
from knobsim.ui.teaching.lessons import install as install_lessons
from knobsim.ui.teaching.predict import Ghosts, PredictMode
from knobsim.ui.teaching.race import RaceDialog
from knobsim.ui.widgets import LogFloatControl, ReadoutLabel, Throttle, guard_wheels
from knobsim.ui.window.files import SessionFiles
from knobsim.ui.window.zoom import Zoom

DATASET_LABELS = {
    "linear": "Linear",
    "quadratic": "Quadratic",
    "cubic": "Cubic",
    "sine": "Sine wave",
    "step": "Step",
    "abs": "V shape (abs)",
    "blobs": "Two blobs",
    "xor": "XOR",
    "circles": "Circles",
    "moons": "Moons",
    "spiral": "Spiral",
}
SETTINGS_GROUP = "main_window"
#: how often the error read-out changes while training (it is exact whenever paused)
ERROR_LABEL_INTERVAL_MS = 100
#: the start window's learning rate
START_LR = 0.03
#: the read-out's interval at the Watch pace: every frame, as the curves (the pace keeps
#: each frame's change to the third digit or so, slow enough to read)
WATCH_LABEL_INTERVAL_MS = 0
#: how long the "Converged after ..." message stays
CONVERGED_MS = 30_000
#: how long a hint stays in the status bar
HINT_MS = 20_000
#: the smallest a plot or view in the window's splitters gets: a splitter handle or a
#: small window stops there (the window's minimum size follows from these)
MIN_VIEW = QSize(160, 130)
OPEN_DATA_TITLE = "Open data: a CSV file of x,y or x1,x2,label rows"
DATA_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
DATA_RULES = (
    "A data file has one point per row: two columns x,y for a curve to fit, or three "
    "columns x1,x2,label (label 0 or 1) for two classes. Numbers only, at least 4 rows; "
    "a header row is fine."
)
#: the models that can learn from each kind of file; the first is chosen when the
#: current model cannot
FILE_MODELS: dict[str, tuple[str, ...]] = {
    "regression": ("poly", "line", "mlp"),
    "classification": ("logistic", "mlp"),
}


def icon() -> QIcon:
    path = assets_dir() / "icon.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def _tip(widget: QWidget, name: str, text: str) -> QWidget:
    widget.setToolTip(text)
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(text)
    return widget


class MainWindow(QMainWindow):
    """The window: controls on the left, plots in the middle, knobs on the right.

    Signals
    -------
    hintShown(str)
        A hint was asked for; the words it gave.
    """

    hintShown = Signal(str)

    def __init__(self, session: Session | None = None, *, restore: bool = True) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("knobsim — turn the knobs of a model")
        self.setWindowIcon(icon())
        # no fixed minimum size: the window's is what its views need (MIN_VIEW, the knob
        # sliders' SLIDER_MIN_PX, the controls' width), so no view is squeezed to nothing
        if session is None:
            # plain gradient descent, in steps small enough to watch (TensorFlow Playground
            # starts at 0.03 too): at 0.1 a line has fallen 95% of the way in 23 steps
            session = session_for("line", "linear", lr=START_LR)
        self.controller = SessionController(session, self)
        #: data files opened in this window, by dataset name ("csv:points.csv")
        self._files: dict[str, Dataset] = {}
        self._hints_asked = 0  # for this model: from the third on, hints say more
        self._words: GlossaryDialog | None = None
        self._race: RaceDialog | None = None
        self.setAcceptDrops(True)

        self.knob_panel = KnobPanel(self.controller)
        self.fit_plot = FitPlot(self.controller)
        self.loss_plot = LossPlot(self.controller)
        self.scrub_bar = ScrubBar(self.controller, self.loss_plot.plot_item)
        self.landscape_plot = LandscapePlot(self.controller)
        self.network_view = NetworkView(self.controller, knob_panel=self.knob_panel)
        self._nextword_view: NextWordView | None = None  # made when first needed
        self.predict_mode = PredictMode(self.controller, self._lesson_id)
        self.ghosts = Ghosts(self.predict_mode, self.knob_panel, self.fit_plot)
        controls = self._build_controls()
        self._build_layout(controls)
        self._build_actions()
        self.files = SessionFiles(self, self.controller)
        self.files.install(self.file_menu)
        self._connect()
        self._sync_controls()
        self._update_error_label()
        self.lessons = install_lessons(self)  # Lessons menu, Help › Lessons, the lesson dock
        # the dock takes its width from the main splitter: share out what is left afresh
        self.lessons.dock.visibilityChanged.connect(
            lambda _shown: QTimer.singleShot(0, self.share_width)
        )
        self.glossary_tips = GlossaryTips(self)  # hover over a term: its plain line
        self.glossary_tips.apply()
        for signal in (
            self.controller.modelChanged,
            self.controller.trainingToggled,
            self.lessons.runner.progressed,
        ):
            signal.connect(self.glossary_tips.apply_soon)
        guard_wheels(self)  # a wheel turns a combo, spin box or slider only with the focus
        self._keys = WindowKeys(self)
        self._activated_once = False
        self._persist = restore
        if restore:
            self._restore_theme()
            self.set_knob_style(saved_knob_style(), save=False)
            self.zoom.restore()
            self._restore_layout()
        else:
            self.resize(1280, 800)

    # -- construction --------------------------------------------------------------------
    def _build_controls(self) -> QWidget:
        c = self.controller
        # Train, Step, Reset and the error stay in view; only the settings below them scroll
        head = QWidget()
        head.setObjectName("controls_head")
        layout = QVBoxLayout(head)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(10)

        # the big buttons first: they are what people reach for
        self.train_button = QPushButton("Train")
        self.train_button.setObjectName("train")
        self.train_button.setCheckable(True)
        _tip(
            self.train_button,
            "Train",
            "Let gradient descent turn the knobs, step after step (Space). Press again to pause.",
        )
        self.step_button = _tip(
            QPushButton("Step"), "Step", "One optimizer step: every knob moves once, downhill (S)."
        )
        self.step_button.setObjectName("step")
        self.reset_button = _tip(
            QPushButton("Reset"),
            "Reset",
            "Back to the starting knob values given by the seed; the "
            "error curve starts over (Ctrl+R).",
        )
        self.reset_button.setObjectName("reset")
        self.randomize_button = _tip(
            QPushButton("Randomize"),
            "Randomize",
            "Throw every unlocked knob to a new random value (R).",
        )
        self.randomize_button.setObjectName("randomize")
        buttons = QGridLayout()
        buttons.addWidget(self.train_button, 0, 0, 1, 2)
        buttons.addWidget(self.step_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1)
        buttons.addWidget(self.randomize_button, 1, 2)
        self.predict_button = _tip(
            QPushButton("Predict"),
            "Predict",
            "Guess first: drag the ghost knobs to where you think Train will leave the "
            "knobs, then press Train to see how close you were (P; Esc stops guessing).",
        )
        self.predict_button.setObjectName("predict")
        self.predict_button.setCheckable(True)
        buttons.addWidget(self.predict_button, 0, 2)
        self.predict_button.setMinimumHeight(36)
        self.train_button.setMinimumHeight(36)
        layout.addLayout(buttons)
        self.prediction_score = QLabel()
        self.prediction_score.setObjectName("prediction_score")
        self.prediction_score.setWordWrap(True)
        self.prediction_score.setFrameShape(QFrame.Shape.StyledPanel)
        self.prediction_score.setStyleSheet(f"border: 2px dashed {theme.GHOST_COLOR}; padding: 4px")
        self.prediction_score.hide()
        layout.addWidget(self.prediction_score)

        self.error_label = ReadoutLabel()
        self.error_label.setObjectName("error_label")
        self.error_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label.setWordWrap(True)
        _tip(
            self.error_label,
            "Current error",
            "How wrong the model is right now, on the training points it learns from and "
            "on the test points it never sees.",
        )
        self.error_label.setFrameShape(QFrame.Shape.StyledPanel)
        # while training, the read-out changes ten times a second (numbers that change
        # sixty times a second cannot be read); a pause shows the exact values at once
        self._error_throttle = Throttle(
            self._update_error_label,
            ERROR_LABEL_INTERVAL_MS,
            lambda: c.is_training,
            self,
            defer=c.refresh_later,
        )
        self.error_label.setMargin(6)
        layout.addWidget(self.error_label)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 2, 8, 4)
        layout.setSpacing(3)
        self.capacity_panel = CapacityPanel(c)
        layout.addWidget(self.capacity_panel)

        # model
        model_box = QGroupBox("Model")
        form = QFormLayout(model_box)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("model")
        for name in models.MODELS:
            self.model_combo.addItem(models.LABELS[name], name)
            self.model_combo.setItemData(
                self.model_combo.count() - 1, models.DESCRIPTIONS[name], Qt.ItemDataRole.ToolTipRole
            )
        _tip(self.model_combo, "Model", "Which machine to turn the knobs of.")
        form.addRow("Model", self.model_combo)
        self.degree_spin = QSpinBox()
        self.degree_spin.setObjectName("degree")
        self.degree_spin.setRange(0, models.MAX_DEGREE)
        self.degree_spin.setValue(3)
        _tip(
            self.degree_spin,
            "Degree",
            "The polynomial's degree: degree d has d + 1 knobs. More knobs, more wiggle.",
        )
        form.addRow("Degree", self.degree_spin)
        self.hidden_edit = QLineEdit("8")
        self.hidden_edit.setObjectName("hidden")
        _tip(
            self.hidden_edit,
            "Hidden units",
            "Units per hidden layer: '8' for one layer, '4,2' for two (1 to 16 each).",
        )
        self.activation_combo = QComboBox()
        self.activation_combo.setObjectName("activation")
        self.activation_combo.addItems(list(models.ACTIVATIONS))
        _tip(
            self.activation_combo,
            "Activation",
            "The bend each hidden unit applies: tanh, ReLU or sigmoid.",
        )
        # the network's two settings share a row (the column fits a laptop unscrolled)
        network_row = QWidget()
        network_row.setObjectName("network_settings")
        row = QHBoxLayout(network_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.hidden_edit, 1)
        row.addWidget(self.activation_combo, 1)  # its tooltip and hover say "Activation"
        form.addRow("Hidden units", network_row)
        self._model_rows = {"poly": self.degree_spin, "mlp": network_row}
        self._model_form = form
        layout.addWidget(model_box)

        # data
        data_box = QGroupBox("Data")
        form = QFormLayout(data_box)
        self.dataset_combo = QComboBox()
        self.dataset_combo.setObjectName("dataset")
        _tip(self.dataset_combo, "Dataset", "The points the model learns from.")
        form.addRow("Dataset", self.dataset_combo)
        self.noise_spin = QDoubleSpinBox()
        self.noise_spin.setObjectName("noise")
        self.noise_spin.setRange(0.0, 1.0)
        self.noise_spin.setSingleStep(0.02)
        self.noise_spin.setDecimals(2)
        _tip(self.noise_spin, "Noise", "How much random scatter the data has.")
        self.points_spin = QSpinBox()
        self.points_spin.setObjectName("points")
        self.points_spin.setRange(2, 2000)
        _tip(
            self.points_spin,
            "Training points",
            "How many points the model learns from (as many fresh test points are drawn).",
        )
        noise_row = QHBoxLayout()  # one row: the column fits a laptop screen unscrolled
        noise_row.addWidget(self.noise_spin, 1)
        noise_row.addWidget(QLabel("Points"))
        noise_row.addWidget(self.points_spin, 1)
        form.addRow("Noise", noise_row)
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("seed")
        self.seed_spin.setRange(0, 999_999)
        _tip(
            self.seed_spin,
            "Seed",
            "The random seed: the same seed gives the same data and starting knobs.",
        )
        self.regenerate_button = _tip(
            QPushButton("New data"),
            "Regenerate",
            "Draw fresh points from the same pattern (next seed).",
        )
        self.regenerate_button.setObjectName("regenerate")
        seed_row = QHBoxLayout()  # one row: the column fits a laptop screen unscrolled
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.regenerate_button)
        form.addRow("Seed", seed_row)
        layout.addWidget(data_box)

        # training
        train_box = QGroupBox("Training")
        form = QFormLayout(train_box)
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("optimizer")
        for name in optimizers.OPTIMIZERS:
            self.optimizer_combo.addItem(optimizers.LABELS[name], name)
            self.optimizer_combo.setItemData(
                self.optimizer_combo.count() - 1,
                optimizers.DESCRIPTIONS[name],
                Qt.ItemDataRole.ToolTipRole,
            )
        _tip(
            self.optimizer_combo,
            "Optimizer",
            "How the knobs are turned from the gradient. Changes take effect at once.",
        )
        form.addRow("Optimizer", self.optimizer_combo)
        self.lr_control = LogFloatControl(1e-4, 10.0, c.config.lr)
        self.lr_control.setObjectName("learning_rate")
        _tip(
            self.lr_control,
            "Learning rate",
            "How far each step turns the knobs (log scale, 0.0001 to 10). Too small "
            "crawls; too large overshoots and explodes.",
        )
        form.addRow("Learning rate", self.lr_control)
        self.safe_lr_line = SafeRateLine(c, self.lr_control)
        form.addRow(self.safe_lr_line)
        self.batch_spin = QSpinBox()
        self.batch_spin.setObjectName("batch_size")
        self.batch_spin.setRange(0, 100_000)
        self.batch_spin.setSpecialValueText("all")
        _tip(
            self.batch_spin,
            "Batch size",
            "Points per step for mini-batch optimizers; 'all' uses every training point. "
            "Full-batch gradient descent always uses all.",
        )
        form.addRow("Batch size", self.batch_spin)
        self.l2_control = LogFloatControl(1e-5, 1.0, 0.0, allow_zero=True)
        self.l2_control.setObjectName("l2")
        _tip(
            self.l2_control,
            "L2 regularization",
            "A pull of every knob towards zero; larger values tame wild fits (0 = off).",
        )
        form.addRow("L2", self.l2_control)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setObjectName("speed")
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setPageStep(1)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(80)
        _tip(
            self.speed_slider,
            "Speed",
            "Training speed. Watch (the start): a pace a person can follow, slow while "
            "the knobs move fast, faster through the long flat end. Then fixed speeds from "
            "one step a second to as fast as the machine allows (Max).",
        )
        speed_row = QHBoxLayout()
        speed_row.addWidget(self.speed_slider, 1)
        speed_row.addWidget(self.speed_label)
        form.addRow("Speed", speed_row)
        self.stop_converged_box = QCheckBox("Stop when converged")
        self.stop_converged_box.setObjectName("stopWhenConverged")
        self.stop_converged_box.setChecked(c.stop_when_converged)
        _tip(
            self.stop_converged_box,
            "Stop when converged",
            "Pause by itself once the error has stopped improving and the knobs have "
            "stopped moving (by less than a pixel over the last fifth of the run). Train "
            "again goes on.",
        )
        form.addRow(self.stop_converged_box)
        layout.addWidget(train_box)
        layout.addStretch(1)

        for box in panel.findChildren(QGroupBox):  # snug groups: the column fits unscrolled
            box.layout().setContentsMargins(8, 2, 8, 2)
            if isinstance(box.layout(), QFormLayout):
                box.layout().setVerticalSpacing(4)
        for combo in head.findChildren(QComboBox) + panel.findChildren(QComboBox):
            # the open list shows long names in full; closed, a combo may be narrower, so at
            # 1280x800 the plots get the width (set before a layout asks: Qt caches it)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        # beside "Hidden units" on one row: as narrow as its longest name ("sigmoid")
        self.activation_combo.setMinimumContentsLength(7)

        scroll = QScrollArea()
        scroll.setObjectName("controls")
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.controls_scroll = scroll
        self._fit_controls_width()
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.setSpacing(0)
        column_layout.addWidget(head)
        column_layout.addWidget(scroll, 1)
        return column

    def _build_layout(self, controls: QWidget) -> None:
        self.banner = QFrame()
        self.banner.setObjectName("explosion_banner")
        self.banner.setStyleSheet(
            "#explosion_banner { background: #fde8e4; border: 1px solid #d6604d; "
            "border-radius: 4px; } #explosion_banner QLabel { color: #67001f; }"
        )
        banner_layout = QHBoxLayout(self.banner)
        self.banner_label = QLabel()
        self.banner_label.setObjectName("explosion_message")
        self.banner_label.setWordWrap(True)
        self.halve_button = _tip(
            QPushButton("Halve learning rate"),
            "Halve learning rate",
            "Try again with steps half as large.",
        )
        self.halve_button.setObjectName("halve_learning_rate")
        dismiss = _tip(QPushButton("Dismiss"), "Dismiss", "Hide this message.")
        dismiss.clicked.connect(self.banner.hide)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.halve_button)
        banner_layout.addWidget(dismiss)
        self.banner.hide()

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.setObjectName("bottom_splitter")
        loss_box = QWidget()
        loss_layout = QVBoxLayout(loss_box)
        loss_layout.setContentsMargins(0, 0, 0, 0)
        loss_layout.addWidget(self.loss_plot, 1)
        loss_layout.addWidget(self.scrub_bar)
        bottom.addWidget(self._titled("Error over time", loss_box))
        # the landscape and the capacity sweep share one place: two views of the error
        self.analysis_tabs = QTabWidget()
        self.analysis_tabs.setObjectName("analysis_tabs")
        self.analysis_tabs.setDocumentMode(True)
        _whole_tabs(self.analysis_tabs)
        self.analysis_tabs.addTab(self.landscape_plot, "Loss landscape")
        self.analysis_tabs.addTab(self.capacity_panel.sweep_plot, "Capacity")
        self.analysis_tabs.setTabToolTip(
            0, "The error over two knobs, the others held where they are. Click to move both."
        )
        self.analysis_tabs.setTabToolTip(
            1, "Final train and test error after training at every size: the U-curve."
        )
        self.capacity_panel.sweep_button.clicked.connect(
            lambda: self.analysis_tabs.setCurrentWidget(self.capacity_panel.sweep_plot)
        )
        bottom.addWidget(self.analysis_tabs)
        bottom.setSizes([1, 1])  # an even share each (the plots' size hints differ)
        self.middle = QSplitter(Qt.Orientation.Vertical)
        self.middle.setObjectName("middle_splitter")
        # Playground's order: the network, then what it outputs
        self.top = QSplitter(Qt.Orientation.Horizontal)
        self.top.setObjectName("top_splitter")
        self.top.addWidget(self._titled("The network: every wire is a knob", self.network_view))
        self.top.addWidget(self._build_output_tabs())
        self.top.setStretchFactor(0, 1)
        self.top.setStretchFactor(1, 1)
        self.top.setSizes([290, 370])
        self.middle.addWidget(self.top)
        self.middle.addWidget(bottom)
        self.middle.setStretchFactor(0, 3)
        self.middle.setStretchFactor(1, 2)
        self.middle.setSizes([430, 300])
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.middle, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(controls)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.knob_panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        # the knob panel as wide as its knobs' rows (narrower, it scrolls sideways)
        self.splitter.setSizes([300, 670, max(310, self.knob_panel.sizeHint().width())])
        for view in (
            self.fit_plot,
            self.loss_plot,
            self.landscape_plot,
            self.network_view,
            self.capacity_panel.sweep_plot,
        ):
            view.setMinimumSize(_at_least(view, MIN_VIEW))
        for s in (self.splitter, self.middle, self.top, bottom):
            s.setChildrenCollapsible(False)  # a handle stops at a view's minimum size
        self.bottom = bottom
        self.setCentralWidget(self.splitter)
        self.statusBar().showMessage(
            "Drag a knob to change the model by hand, or press Train (Space).", 8000
        )

    def set_theme(self, choice: str, *, save: bool = True) -> None:
        """Switch to a light or dark theme now (View › Theme): every widget repaints from
        the new palette, the plots on screen take its colours."""
        old = pg.getConfigOption("foreground")
        theme.set_theme(QApplication.instance(), choice)
        theme.restyle_plots(self.findChildren(pg.GraphicsView), old)
        theme.repolish_styled(self)
        self.theme_actions[choice].setChecked(True)
        if save:
            QSettings().setValue(theme.THEME_SETTING, choice)

    def set_knob_style(self, style: str, *, save: bool = True) -> None:
        """Show the knobs as sliders or dials (View › Knob style); the panel asks for the
        width its new knobs need."""
        self.knob_panel.set_knob_style(style)
        self.knob_style_actions[style].setChecked(True)
        if save:
            QSettings().setValue(KNOB_STYLE_SETTING, style)
        QTimer.singleShot(0, self.share_width)

    def _restore_theme(self) -> None:
        choice = QSettings().value(theme.THEME_SETTING, "system")
        if choice in theme.THEMES and choice != "system":
            self.set_theme(choice, save=False)

    def _fit_controls_width(self) -> None:
        # wide enough for every control: the panel scrolls down, never sideways
        scroll = self.controls_scroll
        scroll.setMinimumWidth(
            scroll.widget().minimumSizeHint().width()
            + scroll.verticalScrollBar().sizeHint().width()
            + 4
        )

    def after_zoom(self) -> None:
        """The text changed size (View › Zoom): measure again what was measured from the
        font (the control column's width, the knobs' rows) and share the width out."""
        self.knob_panel.rebuild()
        self.statusBar().showMessage(f"Zoom {self.zoom.percent}% (Ctrl+0: actual size)", 4000)
        QTimer.singleShot(0, self._refit_after_zoom)

    def _refit_after_zoom(self) -> None:
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # sizes for the font
        self._fit_controls_width()
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        # bigger text needs a bigger window: where the screen has no room for it, part of
        # the window would hang off the screen; zoom back instead, and say why
        need, zoom = self.minimumSizeHint(), self.zoom
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and zoom.factor > zoom.previous:
            room_w = max(screen.width(), zoom.size_before.width())
            room_h = max(screen.height(), zoom.size_before.height())
            if need.width() > room_w or need.height() > room_h:
                wanted, size = zoom.percent, zoom.size_before
                zoom.set(zoom.previous)
                # the bigger text had pushed the window out: back to its size, once the
                # layouts have taken the smaller text in
                QTimer.singleShot(0, lambda: self.resize(size))  # once the layouts shrink
                self.statusBar().showMessage(
                    f"Zoom {wanted}% needs a window of {need.width()}x{need.height()}: "
                    f"more than this screen has. Closing the lessons panel makes room.",
                    8000,
                )
                return
        # while the fonts changed, the window may have grown for a moment: back to the
        # size it had (or what the new text needs, if that is more)
        grew = zoom.factor > zoom.previous
        if grew and not self.isMaximized() and not self.isFullScreen():
            self.resize(zoom.size_before.expandedTo(need))
        self.share_width()

    def share_width(self) -> None:
        """Share the main splitter's width out again (the lessons dock opened or closed):
        the control column what it needs (at most its first 300 px), the knob panel the
        width its rows ask for (sliders of a 200th of the range a pixel) where the plots
        keep their minimum, and the plots the rest."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if total <= 0 or len(sizes) != 3:
            return
        controls, centre, knobs = (self.splitter.widget(k) for k in range(3))
        need = max(controls.minimumSizeHint().width(), self.controls_scroll.minimumWidth())
        left = max(need, min(sizes[0], 300))
        room = total - left - centre.minimumSizeHint().width()
        right = max(knobs.minimumSizeHint().width(), min(knobs.sizeHint().width(), room))
        self.splitter.setSizes([left, total - left - right, right])

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        label = QLabel(title)
        label.setWordWrap(True)  # a narrow view (the lessons open at 1280 px) wraps it
        label.setMinimumWidth(120)  # (a wrapped label asks for more than it needs)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        return box

    def _build_output_tabs(self) -> QTabWidget:
        """The fit plot; for a next-word model, the next-word view in a tab in front of it."""
        self.output_tabs = QTabWidget()
        self.output_tabs.setObjectName("output_tabs")
        self.output_tabs.setDocumentMode(True)
        _whole_tabs(self.output_tabs)
        self.output_tabs.addTab(QWidget(), "Next word")  # the view comes with the first need
        fit = self._titled("Data and the model's output", self.fit_plot)
        self.output_tabs.addTab(fit, "Probability table")
        self.embedding_map = EmbeddingMap(self.controller)
        self.output_tabs.addTab(self.embedding_map, "Word map")
        self.output_tabs.setTabVisible(2, False)  # shown, in front, for an embedding model
        self.controller.modelChanged.connect(self._show_output_tabs)
        self._show_output_tabs()
        return self.output_tabs

    @property
    def nextword_view(self) -> NextWordView:
        """The next-word view (built on first use: most sessions never need it, and it
        is a sixth of the window's construction)."""
        if self._nextword_view is None:
            view = NextWordView(self.controller, self.loss_plot.plot_item)
            self._nextword_view = view
            self.ghosts.attach_words(view)
            view.setMinimumSize(_at_least(view, MIN_VIEW))
            guard_wheels(view)
            tabs = self.output_tabs
            current, visible = tabs.currentIndex(), tabs.isTabVisible(0)
            placeholder = tabs.widget(0)
            tabs.removeTab(0)
            placeholder.deleteLater()
            tabs.insertTab(0, view, "Next word")
            tabs.setTabVisible(0, visible)
            tabs.setCurrentIndex(current)
        return self._nextword_view

    def _show_output_tabs(self) -> None:
        nextword = self.controller.model.task == "nextword"
        if nextword:
            self.nextword_view  # noqa: B018 - builds it
        mapped = self.embedding_map.active
        tabs = self.output_tabs
        if tabs.isTabVisible(0) != nextword or tabs.isTabVisible(2) != mapped:
            tabs.setTabVisible(0, nextword)
            tabs.setTabVisible(2, mapped)
            tabs.setCurrentIndex(2 if mapped else 0 if nextword else 1)
        self.output_tabs.tabBar().setVisible(nextword)

    def _on_open_corpus_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, OPEN_CORPUS_TITLE, "", CORPUS_FILTER)
        if path:
            self.nextword_view.open_corpus(path)

    def _build_actions(self) -> None:
        c = self.controller
        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = file_menu
        self.open_corpus_action = QAction("Open &corpus…", self)
        self.open_corpus_action.setObjectName("open_corpus")
        self.open_corpus_action.setToolTip(OPEN_CORPUS_TITLE)
        self.open_corpus_action.triggered.connect(self._on_open_corpus_triggered)
        file_menu.addAction(self.open_corpus_action)
        self.open_data_action = QAction("Open &data…", self)
        self.open_data_action.setObjectName("open_data")
        self.open_data_action.setToolTip(OPEN_DATA_TITLE)
        self.open_data_action.triggered.connect(self._on_open_data_triggered)
        file_menu.addAction(self.open_data_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = c.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = c.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)

        training = self.menuBar().addMenu("&Training")
        self.train_action = QAction("&Train / Pause", self)
        self.train_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.train_action.triggered.connect(c.toggle_training)
        step = QAction("&Step", self)
        step.setShortcut(QKeySequence(Qt.Key.Key_S))
        step.triggered.connect(c.step_once)
        reset = QAction("&Reset", self)
        reset.setShortcut(QKeySequence("Ctrl+R"))
        reset.triggered.connect(c.reset)
        randomize = QAction("R&andomize", self)
        randomize.setShortcut(QKeySequence(Qt.Key.Key_R))
        randomize.triggered.connect(c.randomize)
        halve = QAction("&Halve learning rate", self)
        halve.setShortcut(QKeySequence("Ctrl+H"))
        halve.triggered.connect(self._on_halve_clicked)
        self.hint_action = QAction("H&int: which knob to turn", self)
        self.hint_action.setObjectName("hint")
        self.hint_action.setShortcut(QKeySequence(Qt.Key.Key_H))
        self.hint_action.setStatusTip(
            "Say which knob lowers the error most, which way and about how far (H)."
        )
        self.hint_action.triggered.connect(self.show_hint)
        self.predict_action = QAction("&Predict where Train will leave the knobs", self)
        self.predict_action.setShortcut(QKeySequence(Qt.Key.Key_P))
        self.predict_action.triggered.connect(self.predict_button.click)
        self.leave_predict_action = QAction("Stop guessing", self)
        self.leave_predict_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.leave_predict_action.setEnabled(False)
        self.leave_predict_action.triggered.connect(self.predict_mode.leave)
        self.addAction(self.leave_predict_action)
        self.race_action = QAction("Race &optimizers…", self)
        self.race_action.setObjectName("race")
        self.race_action.setStatusTip(
            "Two to four optimizers from the same knobs, side by side: paths, errors, a table."
        )
        self.race_action.triggered.connect(self.show_race)
        training.addSeparator()
        for action in (
            self.train_action,
            self.predict_action,
            step,
            reset,
            randomize,
            halve,
            self.hint_action,
        ):
            training.addAction(action)
            self.addAction(action)
        training.addSeparator()
        training.addAction(self.race_action)
        for action in (quit_action, self.undo_action, self.redo_action):
            self.addAction(action)

        view = self.menuBar().addMenu("&View")
        self.view_menu = view
        self.zoom = Zoom(self)
        for name, text, keys, slot in (
            ("zoom_in", "Zoom &in", [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], self.zoom.zoom_in),
            ("zoom_out", "Zoom &out", [QKeySequence.StandardKey.ZoomOut], self.zoom.zoom_out),
            ("zoom_reset", "&Actual size", ["Ctrl+0"], self.zoom.reset),
        ):
            action = QAction(text, self)
            action.setObjectName(name)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setStatusTip(
                "Bigger or smaller text everywhere, for a projector (100% to 200%)."
            )
            action.triggered.connect(slot)
            view.addAction(action)
            self.addAction(action)
        view.addSeparator()
        themes = view.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice, text in (
            ("system", "Like the &system"),
            ("light", "&Light"),
            ("dark", "&Dark"),
        ):
            action = QAction(text, self, checkable=True)
            action.setObjectName(f"theme_{choice}")
            action.setStatusTip("Light or dark colours, now and at every start.")
            action.triggered.connect(lambda _on, c=choice: self.set_theme(c))
            group.addAction(action)
            themes.addAction(action)
            self.theme_actions[choice] = action
        self.theme_actions["system"].setChecked(True)
        styles = view.addMenu("&Knob style")
        group = QActionGroup(self)
        self.knob_style_actions: dict[str, QAction] = {}
        for style, text in (("sliders", "&Sliders"), ("dials", "&Dials")):
            action = QAction(text, self, checkable=True)
            action.setObjectName(f"knob_style_{style}")
            action.setStatusTip("Show every knob as a slider or as a dial, now and at every start.")
            action.triggered.connect(lambda _on, s=style: self.set_knob_style(s))
            group.addAction(action)
            styles.addAction(action)
            self.knob_style_actions[style] = action
        self.knob_style_actions[self.knob_panel.knob_style].setChecked(True)

        help_menu = self.menuBar().addMenu("&Help")
        self.words_action = QAction("&Words…", self)
        self.words_action.setObjectName("words")
        self.words_action.setStatusTip("What each word in knobsim means, in one plain line.")
        self.words_action.triggered.connect(self.show_words)
        help_menu.addAction(self.words_action)
        about = QAction("&About knobsim", self)
        about.triggered.connect(self._on_about_triggered)
        help_menu.addAction(about)

    def _connect(self) -> None:
        c = self.controller
        self.train_button.toggled.connect(c.set_training)
        self.step_button.clicked.connect(c.step_once)
        self.reset_button.clicked.connect(c.reset)
        self.randomize_button.clicked.connect(c.randomize)
        self.halve_button.clicked.connect(self._on_halve_clicked)
        c.trainingToggled.connect(self._on_training_toggled)
        c.paramsChanged.connect(self._error_throttle)
        c.trainingExploded.connect(self._on_training_exploded)
        c.trainingConverged.connect(self._on_training_converged)
        self.predict_button.toggled.connect(self._on_predict_button_toggled)
        self.predict_mode.changed.connect(self._on_prediction_changed)
        self.stop_converged_box.toggled.connect(c.set_stop_when_converged)
        c.optimizerChanged.connect(self._sync_controls)
        c.modelChanged.connect(self._sync_controls)
        c.modelChanged.connect(self._on_model_changed_reset_hints)
        c.dataChanged.connect(self._sync_controls)
        c.messageRaised.connect(self._on_message_raised)
        # looking back, the knobs show the past: Continue from here makes them a hand's again
        c.scrubChanged.connect(lambda: self.knob_panel.setEnabled(c.scrub_step is None))

        self.model_combo.currentIndexChanged.connect(self._on_model_combo_changed)
        self.dataset_combo.currentIndexChanged.connect(self._on_structure_changed)
        self.degree_spin.valueChanged.connect(self._on_degree_spin_changed)
        self.hidden_edit.editingFinished.connect(self._on_hidden_edit_finished)
        self.activation_combo.currentIndexChanged.connect(self._on_structure_changed)
        self.noise_spin.valueChanged.connect(self._on_data_settings_changed)
        self.points_spin.valueChanged.connect(self._on_data_settings_changed)
        self.seed_spin.valueChanged.connect(self._on_data_settings_changed)
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)

        self.optimizer_combo.currentIndexChanged.connect(
            lambda _: c.set_optimizer(self.optimizer_combo.currentData())
        )
        self.lr_control.valueChanged.connect(c.set_learning_rate)
        self.batch_spin.valueChanged.connect(lambda v: c.set_batch_size(v or None))
        self.l2_control.valueChanged.connect(c.set_l2)
        self.speed_slider.valueChanged.connect(c.set_speed)

    # -- sync model -> controls ------------------------------------------------------------
    def _sync_controls(self) -> None:
        c = self.controller
        controls = (
            self.model_combo,
            self.dataset_combo,
            self.degree_spin,
            self.hidden_edit,
            self.activation_combo,
            self.noise_spin,
            self.points_spin,
            self.optimizer_combo,
            self.batch_spin,
            self.speed_slider,
            self.stop_converged_box,
        )  # lr_control and l2_control block their own in show_value
        with ExitStack() as blocked:
            for control in controls:
                blocked.enter_context(QSignalBlocker(control))
            model = c.model
            self._select(self.model_combo, model.name)
            self._fill_datasets(model.name)
            name = c.dataset.name.split(":", 1)[-1]
            self._select(self.dataset_combo, name)
            self._select(self.dataset_combo, c.dataset.name)  # an opened data file
            for key, widget in self._model_rows.items():
                visible = key == model.name
                widget.setVisible(visible)
                self._model_form.labelForField(widget).setVisible(visible)
            if model.name == "poly":
                self.degree_spin.setValue(model.degree)
            if model.name == "mlp":
                self.hidden_edit.setText(",".join(str(h) for h in model.hidden))
                self._select_text(self.activation_combo, model.activation)
            is_text = model.task == "nextword"
            is_file = c.dataset.name in self._files  # its points are what they are
            for w in (self.noise_spin, self.points_spin, self.regenerate_button):
                w.setEnabled(not is_text and not is_file)
            cfg = c.config
            self._select(self.optimizer_combo, cfg.name)
            self.lr_control.show_value(cfg.lr)
            self.batch_spin.setValue(cfg.batch_size or 0)
            self.batch_spin.setEnabled(cfg.name != "gd")
            self.l2_control.show_value(model.l2)
            self.speed_slider.setValue(c.speed_index)
            self.speed_label.setText(SPEED_LABELS[c.speed_index])
            self.stop_converged_box.setChecked(c.stop_when_converged)
            # at the Watch pace the numbers move slowly enough to read in every frame
            watch = c.speed_index == 0
            self._error_throttle.set_interval_ms(
                WATCH_LABEL_INTERVAL_MS if watch else ERROR_LABEL_INTERVAL_MS
            )
            if c.dataset.task != "nextword":
                self.points_spin.setValue(c.dataset.n_train)
            if c.dataset.noise is not None:
                self.noise_spin.setValue(c.dataset.noise)

    def _fill_datasets(self, model: str) -> None:
        wanted = COMPATIBLE[model]
        opened = self.controller.dataset.name.removeprefix("corpus:")
        if model == "nextword" and self.controller.dataset.task == "nextword":
            # a corpus opened from a file is listed while it is in use
            wanted = wanted if opened in wanted else (*wanted, opened)
        # data files opened in this window are listed for every model that can use them
        wanted = (*wanted, *(n for n, d in self._files.items() if model in FILE_MODELS[d.task]))
        current = [self.dataset_combo.itemData(i) for i in range(self.dataset_combo.count())]
        if current == list(wanted):
            return
        self.dataset_combo.clear()
        for name in wanted:
            self.dataset_combo.addItem(_dataset_label(name), name)

    @staticmethod
    def _select(combo: QComboBox, data: str) -> None:
        i = combo.findData(data)
        if i >= 0:
            combo.setCurrentIndex(i)

    @staticmethod
    def _select_text(combo: QComboBox, text: str) -> None:
        i = combo.findText(text)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _update_error_label(self) -> None:
        s = self.controller.shown
        train, test = s.train_loss, s.test_loss
        kind = "cross-entropy" if s.model.task != "regression" else "mean squared error"
        text = (
            f"<b>Error</b> ({kind})<br>train <b>{_fmt(train)}</b> &nbsp; test <b>{_fmt(test)}</b>"
        )
        acc = s.accuracy("train")
        if acc is not None:
            text += f"<br>accuracy train {acc:.0%} · test {s.accuracy('test'):.0%}"
        text += f"<br><span style='color:gray'>step {s.step_count:,}</span>"
        self.error_label.setText(text)

    # -- slots -------------------------------------------------------------------------------
    def _on_training_toggled(self, on: bool) -> None:
        with QSignalBlocker(self.train_button):
            self.train_button.setChecked(on)
        self.train_button.setText("Pause" if on else "Train")
        if not on:
            self._update_error_label()  # paused: the exact values, at once
        if on:
            self.banner.hide()

    def _lesson_id(self) -> str:
        lessons = getattr(self, "lessons", None)
        lesson = lessons.runner.lesson if lessons is not None else None
        return lesson.id if lesson is not None else FREE_PLAY

    def _on_predict_button_toggled(self, on: bool) -> None:
        if on or self.predict_mode.phase == "scored":  # after a score: a fresh guess
            self.predict_mode.start()
        else:
            self.predict_mode.leave()

    def _on_prediction_changed(self) -> None:
        mode = self.predict_mode
        with QSignalBlocker(self.predict_button):
            self.predict_button.setChecked(mode.active)
        self.leave_predict_action.setEnabled(mode.active)
        self.predict_button.setEnabled(not self.controller.is_training or mode.active)
        self.prediction_score.setVisible(mode.active)
        self.prediction_score.setText(
            mode.message
            if mode.phase == "scored"
            else "Training shows the answer now. Your ghosts stay where you put them."
            if mode.phase == "revealing"
            else "Drag the dashed ghost knobs to where you think Train will leave the knobs. "
            "Then press Train."
        )

    def _on_training_converged(self, step: int) -> None:
        self.statusBar().showMessage(
            f"Converged after {step:,} steps: the knobs have stopped moving. Train again to go on.",
            CONVERGED_MS,
        )

    def _on_training_exploded(self, message: str) -> None:
        detail = message.removeprefix("Training exploded: ")  # the banner says it in bold
        detail = detail[:1].upper() + detail[1:]
        self.banner_label.setText(
            f"<b>Training exploded.</b> {detail} "
            f"Halving the learning rate to {self.controller.config.lr / 2:g} may help."
        )
        self.banner.show()

    def show_race(self) -> RaceDialog:
        """Training › Race optimizers…: the race's window (one, kept)."""
        if self._race is None:
            self._race = RaceDialog(self)
        self._race.show()
        self._race.raise_()
        return self._race

    def show_words(self) -> GlossaryDialog:
        """Help › Words: the glossary, in a window of its own (not modal)."""
        if self._words is None:
            self._words = GlossaryDialog(self)
        self._words.show()
        self._words.raise_()
        return self._words

    def show_hint(self) -> str:
        """Say in the status bar (and a lesson's panel) which knob to turn, which way and
        about how far; from the third hint for a model on, the second-best knob too."""
        session = self.controller.session
        self._hints_asked += 1
        text = hint_text(
            knob_hints(session), self._hints_asked, len(session.locked) == session.n_params
        )
        self.statusBar().showMessage(text, HINT_MS)
        self.hintShown.emit(text)
        return text

    def _on_model_changed_reset_hints(self) -> None:
        self._hints_asked = 0

    def _on_halve_clicked(self) -> None:
        self.controller.halve_learning_rate()
        self.banner.hide()
        self.statusBar().showMessage(f"Learning rate is now {self.controller.config.lr:g}.", 5000)

    def _on_message_raised(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About knobsim",
            f"<b>knobsim {__version__}</b><p>A model's parameters are knobs. They are "
            "learned from data, not set by hand; they hold what the model knows; their "
            "number is its capacity.</p><p>Turn them yourself, then press Train and watch "
            "gradient descent turn the same knobs.</p>",
        )

    def _on_model_combo_changed(self) -> None:
        model = self.model_combo.currentData()
        with QSignalBlocker(self.dataset_combo):
            self._fill_datasets(model)
            current = self.controller.dataset.name
            if current in COMPATIBLE[model] or self.dataset_combo.findData(current) >= 0:
                self._select(self.dataset_combo, current)
            else:
                self._select(self.dataset_combo, DEFAULT_DATASET[model])
        self._rebuild_session()

    def _on_structure_changed(self) -> None:
        self._rebuild_session()

    def _on_data_settings_changed(self) -> None:
        c = self.controller
        if c.model.task == "nextword" or c.dataset.name in self._files:
            return
        try:
            data = dataset_for(
                self.dataset_combo.currentData(),
                noise=self.noise_spin.value(),
                points=self.points_spin.value(),
                seed=self.seed_spin.value(),
            )
        except (DataError, ValueError) as exc:
            self._on_message_raised(str(exc))
            return
        if c.model.name == "line" or data.task != c.dataset.task:
            self._rebuild_session()
        else:
            c.set_dataset(data)

    def _on_degree_spin_changed(self, degree: int) -> None:
        if self.controller.model.name == "poly":
            self.controller.set_capacity(degree)  # keeps the coefficients that stay
        else:
            self._rebuild_session()

    def _on_hidden_edit_finished(self) -> None:
        c = self.controller
        model = c.model
        try:
            hidden = models.parse_hidden(self.hidden_edit.text())
            if model.name != "mlp" or len(hidden) != len(model.hidden):
                # another depth: the knobs' names change meaning, so start afresh
                self._rebuild_session()
            elif hidden != model.hidden:
                c.resize_model(with_hidden(model, hidden))  # keeps the knobs that stay
        except ValueError as exc:
            self._on_message_raised(str(exc))
            self._sync_controls()

    # -- data files ------------------------------------------------------------------------
    def _on_open_data_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, OPEN_DATA_TITLE, "", DATA_FILTER)
        if path:
            self.open_data(path)

    def open_data(self, path: str | os.PathLike[str]) -> bool:
        """Load a CSV file (x,y or x1,x2,label) and learn from it.

        The current model stays when it suits the data, else the first of
        ``FILE_MODELS[task]`` is chosen. A file that cannot be used gets a message box
        (object name ``data_error``) and the current data stays. Returns True if loaded.
        """
        try:
            data = dataset_for(path, seed=self.seed_spin.value())  # a CSV file of points
        except DataError as exc:
            show_data_error(self, str(exc))
            return False
        suitable = FILE_MODELS[data.task]
        name = self.controller.model.name
        if not self._start_on_file(data, name if name in suitable else suitable[0]):
            return False
        self._files[data.name] = data
        self._sync_controls()  # lists the file in the dataset box
        model = self.controller.model
        self._on_message_raised(
            f"Opened {Path(path).name}: {data.n_train} training and {data.n_test} test "
            f"points ({data.task}), {model.describe()}."
        )
        return True

    def _start_on_file(self, data: Dataset, model_name: str) -> bool:
        c = self.controller
        try:
            session = session_for(
                model_name,
                data,
                seed=self.seed_spin.value(),
                optimizer=c.config,
                degree=self.degree_spin.value(),
                hidden=self.hidden_edit.text(),
                activation=self.activation_combo.currentText(),
                l2=c.model.l2,
            )
        except (DataError, ValueError) as exc:
            show_data_error(self, str(exc))
            self._sync_controls()
            return False
        was_training = c.is_training
        c.set_training(False)
        c.replace_session(session)
        if was_training:
            c.set_training(True)
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt naming
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt naming
        path = dropped_file(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_data(path)

    def _on_regenerate_clicked(self) -> None:
        self.seed_spin.setValue(self.seed_spin.value() + 1)

    def _rebuild_session(self) -> None:
        c = self.controller
        name = self.dataset_combo.currentData()
        if name is None:
            return
        defaults = datasets.DEFAULTS.get(name)
        if defaults is not None and c.dataset.name != name:
            # a new kind of data starts from its own sensible size and noise
            with QSignalBlocker(self.noise_spin), QSignalBlocker(self.points_spin):
                self.noise_spin.setValue(defaults.noise)
                self.points_spin.setValue(defaults.n_points)
        if name in self._files:  # an opened file: its points, with the chosen model
            self._start_on_file(self._files[name], self.model_combo.currentData())
            return
        try:
            session = session_for(
                self.model_combo.currentData(),
                name,
                noise=self.noise_spin.value(),
                points=self.points_spin.value(),
                seed=self.seed_spin.value(),
                optimizer=c.config,
                degree=self.degree_spin.value(),
                hidden=self.hidden_edit.text(),
                activation=self.activation_combo.currentText(),
                l2=c.model.l2,
            )
        except (DataError, ValueError) as exc:
            self._on_message_raised(str(exc))
            self._sync_controls()
            return
        was_training = c.is_training
        c.set_training(False)
        c.replace_session(session)
        if was_training:
            c.set_training(True)

    # -- persistence -------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        settings.beginGroup(SETTINGS_GROUP)
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        for key, splitter in (
            ("main", self.splitter),
            ("middle", self.middle),
            ("top", self.top),
            ("bottom2", self.bottom),
        ):
            state = settings.value(f"splitter/{key}")
            if isinstance(state, QByteArray | bytes) and state:
                splitter.restoreState(state)
        settings.endGroup()

    def save_layout(self) -> None:
        settings = QSettings()
        settings.beginGroup(SETTINGS_GROUP)
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("splitter/main", self.splitter.saveState())
        settings.setValue("splitter/middle", self.middle.saveState())
        settings.setValue("splitter/top", self.top.saveState())
        settings.setValue("splitter/bottom2", self.bottom.saveState())
        settings.endGroup()
        settings.sync()

    def set_session_path(self, path: str | os.PathLike[str] | None) -> None:
        """The file the current session came from (``knobsim FILE``)."""
        self.files.set_path(path)

    def audit(self) -> list[str]:
        """Every disagreement between what the views show and the session, one plain
        sentence each; empty when the screen is true (see ``knobsim.ui.window.audit``)."""
        from knobsim.ui.window.audit import audit

        return audit(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None:
            self._keys.watch(handle)
        if not self._activated_once:
            # take the keyboard when first shown, as a window manager would; without one
            # (Xvfb, a kiosk) the window is never activated and no shortcut works
            self._activated_once = True
            self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        self.controller.set_training(False)
        if not self.files.maybe_discard():
            event.ignore()
            return
        if self._persist:
            self.save_layout()
        self.controller.shutdown()
        super().closeEvent(event)


def _whole_tabs(tabs: QTabWidget) -> None:
    """Every tab's title in full: no scroll arrows, no eliding; the tab widget's minimum
    width then includes the whole tab bar, so a splitter cannot clip it."""
    bar = tabs.tabBar()
    bar.setUsesScrollButtons(False)
    bar.setElideMode(Qt.TextElideMode.ElideNone)
    tabs.setUsesScrollButtons(False)
    tabs.setElideMode(Qt.TextElideMode.ElideNone)


def _at_least(view: QWidget, size: QSize) -> QSize:
    """A minimum size for ``view`` that is ``size`` or what it needs, whichever is more
    (a minimum size set on a widget overrides the one its layout asks for)."""
    return view.minimumSizeHint().expandedTo(view.minimumSize()).expandedTo(size)


def is_text_box(widget: QWidget | None) -> bool:
    """True for a widget that takes typing: a line edit (a knob's value, a spin box's
    text), a text edit or an editable combo box. There the keys type."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox | QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    return isinstance(widget, QComboBox) and widget.isEditable()


class WindowKeys(QObject):
    """The window's shortcuts for keys that reach the window instead of Qt's shortcut map.

    Qt tries a key on the window's shortcuts first, but only while the window is active,
    and not when the focused widget claims the key (``ShortcutOverride``). Under an X
    server without a window manager the window is never activated, yet the keyboard
    reaches the window under the pointer: Space went to the lesson list, which searched
    its items, instead of training. Watching the window's ``QWindow``, this sees every key
    press that reaches the window unconsumed; one that is the shortcut of an enabled
    action of the window triggers it, unless a text box has the focus and wants the key
    (it types), and the window is activated so the next keys take Qt's own path.

    So Space trains wherever the focus is, a focused button or check box included
    (Space does not click it there), except in a text box.
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._watched: QObject | None = None

    def watch(self, handle: QObject) -> None:
        """Watch ``handle`` (the window's ``QWindow``; it can be recreated)."""
        if handle is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            handle.installEventFilter(self)
            self._watched = handle

    def action_for(self, ev: QKeyEvent) -> QAction | None:
        """The window's enabled action whose shortcut is this key press, if any."""
        mods = ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(QKeyCombination(mods, Qt.Key(ev.key())))
        for action in self._window.actions():
            if action.isEnabled() and pressed in action.shortcuts():
                return action
        return None

    def eventFilter(self, watched: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt naming
        if ev.type() != QEvent.Type.KeyPress or not isinstance(ev, QKeyEvent):
            return False
        window = self._window
        if not window.isActiveWindow():
            window.activateWindow()
        action = self.action_for(ev)
        if action is None:
            return False
        focus = window.focusWidget()
        if is_text_box(focus):
            # the text box decides, as in Qt's own path: it claims the keys it types
            ask = QKeyEvent(
                QEvent.Type.ShortcutOverride, ev.key(), ev.modifiers(), ev.text(),
                ev.isAutoRepeat(), ev.count(),
            )  # fmt: skip
            ask.ignore()
            QApplication.sendEvent(focus, ask)
            if ask.isAccepted():
                return False
        action.trigger()
        return True


def dropped_file(mime: QMimeData) -> str | None:
    """The first local file among dropped URLs, or None."""
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile():
            return url.toLocalFile()
    return None


def show_data_error(parent: QWidget, message: str) -> QMessageBox:
    """A window-modal warning about a data file that does not block the caller."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "This file cannot be used as data",
        message,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("data_error")
    box.setInformativeText(DATA_RULES)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _dataset_label(name: str) -> str:
    if name.startswith("csv:"):
        return f"{name.removeprefix('csv:')} (your file)"
    return DATASET_LABELS.get(name, name.capitalize())


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    return f"{x:.4g}" if x >= 1e-3 else f"{x:.2e}"
