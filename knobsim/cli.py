"""knobsim's command line: the window by default, ``train`` headless, ``screenshot``.

Parsing and the headless ``train`` run live here; the window is imported only when it
is needed, so ``knobsim train`` never loads Qt. Bad input ends in one line on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from knobsim import __version__
from knobsim.core.data.catalog import DEFAULT_DATASET, dataset_for, session_for
from knobsim.core.models.curvature import session_safe_lr

EXIT_OK = 0
EXIT_DIVERGED = 1
EXIT_USAGE = 2


COMMANDS = ("train", "race", "screenshot", "lessons")


class UsageError(Exception):
    """Bad input from the command line; the message is the one line we print."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive_float(text: str) -> float:
    return _number(text, zero_ok=False)


def _non_negative_float(text: str) -> float:
    return _number(text, zero_ok=True)


def _number(text: str, *, zero_ok: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        wanted = "zero or a positive number" if zero_ok else "a positive number"
        raise argparse.ArgumentTypeError(f"must be {wanted}, not {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}")
    return value


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes look like 1280x800, not {text!r}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"width and height must be 200 to 8000, not {text}")
    return w, h


def _add_setup_options(p: argparse.ArgumentParser, optimizer: bool = True) -> None:
    """Options that choose a model, its data and (with ``optimizer``) its optimizer."""
    from knobsim.core.data.datasets import DATASETS
    from knobsim.core.models.machines import ACTIVATIONS, MODELS
    from knobsim.core.training.optimizers import OPTIMIZERS

    p.add_argument(
        "--model", help=f"one of {', '.join(MODELS)} (default line, or nextword with --corpus)"
    )
    data = p.add_mutually_exclusive_group()
    data.add_argument(
        "--dataset", help=f"one of {', '.join(DATASETS)} (default depends on the model)"
    )
    data.add_argument("--csv", metavar="PATH", help="your own data: x,y or x1,x2,label rows")
    data.add_argument(
        "--corpus", metavar="NAME_OR_FILE", help="nextword, embed: a built-in corpus or a text file"
    )
    if optimizer:
        p.add_argument("--optimizer", default="gd", help=f"one of {', '.join(OPTIMIZERS)}")
        p.add_argument("--lr", type=_positive_float, help="learning rate (default per optimizer)")
    p.add_argument("--batch-size", type=_positive_int, help="mini-batch size (sgd default 10)")
    p.add_argument("--seed", type=int, default=0, help="seeds data and starting weights")
    p.add_argument("--noise", type=_non_negative_float, help="noise of the built-in dataset")
    p.add_argument("--points", type=_positive_int, help="number of training points")
    p.add_argument("--degree", type=int, default=3, help="poly: degree 0 to 15 (default 3)")
    p.add_argument(
        "--hidden", default="8", help="mlp: units per hidden layer, e.g. 8 or 4,2 (default 8)"
    )
    p.add_argument("--activation", default="tanh", help=f"mlp: one of {', '.join(ACTIVATIONS)}")
    p.add_argument("--l2", type=_non_negative_float, default=0.0, help="L2 strength (default 0)")
    p.add_argument(
        "--context", type=int, default=1, help="nextword, embed: 1 or 2 words of context"
    )
    p.add_argument("--dim", type=int, default=2, help="embed: knobs per word (default 2)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="knobsim",
        description=(
            "Turn a model's parameters by hand as knobs, then watch gradient descent turn "
            "them. With no command, opens the window."
        ),
    )
    parser.add_argument("--version", action="version", version=f"knobsim {__version__}")
    parser.add_argument(
        "--lesson",
        metavar="NAME",
        help="open the window in a lesson: its id or number (see 'knobsim lessons'), or a "
        "lesson file (.json)",
    )
    parser.add_argument(
        "--class",
        dest="class_file",
        metavar="FILE",
        help="open the window with a teacher's class file: its lessons, hidden parts and "
        "pace (see docs/lessons.md)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = sub.add_parser(
        "train",
        help="train a model headless and print its progress",
        description=("Train a model headless. Prints progress, or with --json one JSON object."),
    )
    _add_setup_options(train)
    train.add_argument("--steps", type=_positive_int, default=1000, help="optimizer steps")
    train.add_argument("--json", action="store_true", help="print one JSON object at the end")

    race = sub.add_parser(
        "race",
        help="race 2 to 4 optimizers from the same starting knobs",
        description=(
            "Race optimizers (or one optimizer at several learning rates) from the same "
            "starting knobs on the same model and data. Prints a table, or with --json one "
            "JSON object: start, and runs with their history, final errors, "
            "steps_to_converge and path."
        ),
    )
    _add_setup_options(race, optimizer=False)
    race.add_argument(
        "--optimizers", default="sgd,momentum,adam", help="comma-separated, e.g. sgd,momentum,adam"
    )
    race.add_argument(
        "--lrs", help="learning rates, one per optimizer (or several for one optimizer)"
    )
    race.add_argument("--steps", type=_positive_int, default=1000, help="optimizer steps per run")
    race.add_argument("--json", action="store_true", help="print one JSON object")

    shot = sub.add_parser(
        "screenshot",
        help="render the window headless to a PNG",
        description="Render the window headless (after --steps training steps) to a PNG.",
    )
    shot.add_argument("out", metavar="OUT.png", help="where to write the image")
    shot.add_argument("--session", metavar="FILE", help="render a saved .knobsim session instead")
    _add_setup_options(shot)
    shot.add_argument("--steps", type=int, default=0, help="training steps first (default 0)")
    shot.add_argument("--size", type=_size, default=(1280, 800), help="WxH (default 1280x800)")
    shot.add_argument(
        "--sweep",
        action="store_true",
        help="poly/mlp: run the capacity sweep first and show its U curve",
    )
    shot.add_argument("--lesson", metavar="NAME", help="render the window in this lesson")

    lessons = sub.add_parser(
        "lessons",
        help="list the guided lessons (id and title)",
        description="List the guided lessons, or check a folder of lesson files you wrote.",
    )
    lessons.add_argument(
        "folder", nargs="?", metavar="FOLDER", help="a folder of lesson files (default: built-in)"
    )
    return parser


def build_session(args: argparse.Namespace):
    """A ``Session`` from parsed options; raises ``UsageError`` with a readable line."""
    from knobsim.core.models.machines import MODELS
    from knobsim.core.training.optimizers import OPTIMIZERS

    if args.model is None:
        args.model = "nextword" if args.corpus else "line"
    if args.model not in MODELS:
        raise UsageError(f"unknown model {args.model!r}; choose one of {', '.join(MODELS)}")
    if args.optimizer not in OPTIMIZERS:
        raise UsageError(
            f"unknown optimizer {args.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
        )
    name = args.csv or args.corpus or args.dataset or DEFAULT_DATASET[args.model]
    read_as = "nextword" if args.corpus else None if args.csv else args.model  # for a file
    try:
        data = dataset_for(
            name,
            read_as,
            noise=args.noise,
            points=args.points,
            seed=args.seed,
            context=args.context,
        )
        return session_for(
            args.model,
            data,
            seed=args.seed,
            optimizer=args.optimizer,
            lr=args.lr,
            batch_size=args.batch_size,
            degree=args.degree,
            hidden=args.hidden,
            activation=args.activation,
            l2=args.l2,
            context=args.context,
            dim=args.dim,
        )
    except ValueError as exc:
        raise UsageError(str(exc).rstrip(".")) from None


def run_race(args: argparse.Namespace) -> int:
    """``knobsim race``: every runner from the same knobs; a table or one JSON object."""
    from knobsim.core.training.race import entrants, race

    try:
        lrs = [float(x) for x in args.lrs.split(",")] if args.lrs else None
    except ValueError:
        raise UsageError(f"--lrs takes numbers separated by commas, not {args.lrs!r}") from None
    try:
        runners = entrants(args.optimizers.split(","), lrs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    args.optimizer, args.lr = runners[0].name, runners[0].lr
    session = build_session(args)
    start = session.params.copy()
    runs = race(session, runners, args.steps)
    out = sys.stdout
    if args.json:
        result = {
            "model": session.model.name,
            "dataset": session.dataset.name,
            "n_params": session.n_params,
            "steps": args.steps,
            "start": start.tolist(),
            "runs": [run.to_json() for run in runs],
        }
        json.dump(result, out)
        out.write("\n")
        return 0
    print(
        f"knobsim: a race of {len(runs)} on {session.model.describe()}, "
        f"{session.dataset.name}, {args.steps:,} steps each, all from the same knobs",
        file=out,
    )
    print(
        f"{'optimizer':<10} {'lr':>8} {'train error':>12} {'test error':>12} {'converged at':>13}"
    )
    for run in runs:
        at = "diverged" if run.diverged else (
            "-" if run.steps_to_converge is None else f"{run.steps_to_converge:,}"
        )  # fmt: skip
        print(
            f"{run.optimizer:<10} {run.lr:>8.4g} {run.final_train_loss:>12.6g} "
            f"{run.final_test_loss:>12.6g} {at:>13}",
            file=out,
        )
    return 0


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def run_train(args: argparse.Namespace) -> int:
    from knobsim.core.models.machines import Embedding

    session = build_session(args)
    steps = args.steps
    out = sys.stdout
    safe_lr = session_safe_lr(session)  # at the starting knobs
    if not args.json:
        print(
            f"knobsim: training {session.model.describe()} on {session.dataset.name} "
            f"({session.dataset.n_train} training points) with {session.config.name}, "
            f"learning rate {session.config.lr:g}",
            file=out,
        )
        print(
            f"Full-batch gradient descent is stable here below a learning rate of "
            f"{safe_lr:.4g} (2 / the steepest curvature of the error at the starting knobs).",
            file=out,
        )
        print(f"{'step':>8}  {'train loss':>12}  {'test loss':>12}", file=out)
        print(f"{0:>8}  {session.train_loss:>12.6g}  {session.test_loss:>12.6g}", file=out)
    chunk = max(1, steps // 10)
    report = None
    done = 0
    while done < steps:
        n = min(chunk, steps - done)
        report = session.step(n)
        done += report.steps
        if not args.json:
            print(
                f"{session.step_count:>8}  {session.train_loss:>12.6g}  {session.test_loss:>12.6g}",
                file=out,
                flush=True,
            )
        if report.diverged:
            break
    diverged = bool(report and report.diverged)
    if args.json:
        h = session.history
        result = {
            "model": session.model.name,
            "dataset": session.dataset.name,
            "n_params": session.n_params,
            "params": session.as_dict(),
            "history": [
                {
                    "step": int(s),
                    "train_loss": _finite_or_none(float(a)),
                    "test_loss": _finite_or_none(float(b)),
                }
                for s, a, b in zip(h.steps, h.train, h.test, strict=True)
            ],
            "final_train_loss": session.train_loss,
            "final_test_loss": session.test_loss,
            "diverged": diverged,
            "safe_lr": _finite_or_none(safe_lr),
        }
        if isinstance(session.model, Embedding):
            result["vocab"] = list(session.model.vocab)
            result["embeddings"] = session.model.embeddings(session.params).tolist()
        if diverged:
            result["message"] = report.message
        json.dump(result, out)
        out.write("\n")
    else:
        width = max(len(n) for n in session.param_names)
        shown = list(session.as_dict().items())
        print(f"knobs ({session.n_params}):", file=out)
        for name, value in shown[:40]:
            print(f"  {name:<{width}}  {value: .6g}", file=out)
        if len(shown) > 40:
            print(f"  ... and {len(shown) - 40} more (use --json for all)", file=out)
    if diverged:
        print(f"knobsim: {report.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return EXIT_OK


def has_display() -> bool:
    """True when Qt can open a window here (or a platform plugin was chosen)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(
    session_path: str | None = None, lesson: str | None = None, class_file: str | None = None
) -> int:
    session = load_session_file(session_path) if session_path else None
    if lesson is not None:
        check_lesson_name(lesson)
    class_setup = read_class_file(class_file) if class_file else None
    if not has_display():
        print(
            "knobsim: no display found (DISPLAY is not set), so the window cannot open; "
            "use 'knobsim screenshot OUT.png' to render it to an image instead.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from knobsim.app import run

    return run(session=session, session_path=session_path, lesson=lesson, class_setup=class_setup)


def read_class_file(path: str):
    """The class file at ``path``, checked; ``UsageError`` naming its problem otherwise."""
    from knobsim.core.lessons.classfile import ClassFileError, load_class
    from knobsim.core.lessons.lesson import load_lessons

    try:
        return load_class(path, load_lessons()[0])
    except ClassFileError as exc:
        raise UsageError(f"{path}: {str(exc).rstrip('.')}") from None


def check_lesson_name(name: str) -> None:
    """``UsageError`` unless ``name`` is a lesson id or number, or a lesson file that loads."""
    from knobsim.core.lessons.lesson import LessonFileError, find_lesson, load_lesson, load_lessons

    if name.lower().endswith(".json") or os.path.isfile(name):
        try:
            load_lesson(name)
        except LessonFileError as exc:
            raise UsageError(f"{name}: {str(exc).rstrip('.')}") from None
        return
    lessons, _ = load_lessons()
    if find_lesson(lessons, name) is None:
        ids = ", ".join(lesson.id for lesson in lessons)
        raise UsageError(
            f"unknown lesson {name!r}; choose one of {ids}, a number 1 to {len(lessons)}, "
            "or a lesson file"
        )


def run_lessons(args: argparse.Namespace) -> int:
    """Print each lesson's number, id and title; a file that does not load goes to stderr."""
    from knobsim.core.lessons.lesson import load_lessons

    lessons, errors = load_lessons(args.folder)
    width = max((len(lesson.id) for lesson in lessons), default=0)
    for i, lesson in enumerate(lessons, 1):
        print(f"{i:>2}  {lesson.id:<{width}}  {lesson.title}")
    for error in errors:
        print(f"knobsim: {error.path}: {error.message}", file=sys.stderr)
    return EXIT_DIVERGED if errors else EXIT_OK  # 1: some lesson files need fixing


def load_session_file(path: str):
    """A saved session, or ``UsageError`` with the file's problem in one line."""
    from knobsim.core.io.sessionfile import SessionFileError, load

    try:
        return load(path)[0]
    except SessionFileError as exc:
        raise UsageError(str(exc).rstrip(".")) from None


def run_screenshot(args: argparse.Namespace) -> int:
    session = load_session_file(args.session) if args.session else build_session(args)
    if args.steps < 0:
        raise UsageError(f"--steps must be zero or more, not {args.steps}")
    from knobsim.app import screenshot

    if args.sweep and args.model not in ("poly", "mlp"):
        raise UsageError(
            f"--sweep needs a model whose size can change (poly or mlp), not {args.model}"
        )
    if args.lesson is not None:
        check_lesson_name(args.lesson)
        return screenshot(session, args.out, steps=args.steps, size=args.size, lesson=args.lesson)
    return screenshot(session, args.out, steps=args.steps, size=args.size, sweep=args.sweep)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and return a process exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in COMMANDS:
            # `knobsim FILE`: open a saved session in the window
            return run_gui(argv[0])
        args = parser.parse_args(argv)
        if args.command == "train":
            return run_train(args)
        if args.command == "race":
            return run_race(args)
        if args.command == "screenshot":
            return run_screenshot(args)
        if args.command == "lessons":
            return run_lessons(args)
        return run_gui(lesson=args.lesson, class_file=args.class_file)
    except UsageError as exc:
        print(f"knobsim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("knobsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`knobsim train | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
