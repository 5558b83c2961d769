"""The command line: `knobsim train` end to end, and every bad input's message."""

from __future__ import annotations

import json

import pytest

from knobsim import __version__
from knobsim.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_poly_cubic_json_loss_falls_tenfold(capsys):
    code, out, err = run(
        capsys,
        "train",
        "--model",
        "poly",
        "--degree",
        "3",
        "--dataset",
        "cubic",
        "--steps",
        "2000",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["model"] == "poly" and result["dataset"] == "cubic"
    assert result["n_params"] == 4 and list(result["params"]) == ["c0", "c1", "c2", "c3"]
    history = result["history"]
    assert history[0]["step"] == 0 and history[-1]["step"] == 2000
    assert set(history[0]) == {"step", "train_loss", "test_loss"}
    assert result["final_train_loss"] < history[0]["train_loss"] / 10
    assert result["final_test_loss"] == history[-1]["test_loss"]


def test_train_prints_progress_and_knobs(capsys):
    code, out, _ = run(capsys, "train", "--steps", "50")
    assert code == 0
    assert "training line (2 knobs) on linear" in out
    assert "    50" in out and "knobs (2):" in out and "\n  w " in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--model", "mlp", "--hidden", "4,2", "--dataset", "xor", "--activation", "relu"], 25),
        (["--model", "logistic", "--dataset", "moons", "--optimizer", "adam"], 3),
        (["--model", "nextword", "--corpus", "rhymes", "--optimizer", "adam", "--lr", "0.1"], None),
        (["--model", "poly", "--degree", "15", "--l2", "0.01", "--points", "20"], 16),
    ],
)
def test_every_model_trains_from_the_command_line(capsys, args, expected):
    code, out, err = run(capsys, "train", "--steps", "100", "--json", *args)
    assert code == 0, err
    result = json.loads(out)
    if expected is not None:
        assert result["n_params"] == expected
    assert result["final_train_loss"] < result["history"][0]["train_loss"]


def test_same_seed_same_result(capsys):
    a = json.loads(run(capsys, "train", "--model", "mlp", "--optimizer", "sgd", "--json")[1])
    b = json.loads(run(capsys, "train", "--model", "mlp", "--optimizer", "sgd", "--json")[1])
    assert a["params"] == b["params"]


def test_csv_training(capsys, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(10)))
    code, out, err = run(
        capsys, "train", "--csv", str(path), "--steps", "3000", "--lr", "0.01", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["dataset"] == "csv:points.csv"
    assert result["params"]["w"] == pytest.approx(2, abs=0.05)


def test_diverging_training_stops_with_finite_weights(capsys):
    code, out, err = run(capsys, "train", "--lr", "100", "--steps", "100", "--json")
    assert code == 1
    assert "exploded" in err and "\n" not in err.strip()
    result = json.loads(out)
    assert result["diverged"] is True
    assert all(abs(v) < 1e6 for v in result["params"].values())
    assert result["final_train_loss"] == pytest.approx(result["history"][-1]["train_loss"])


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for option in (
        "--model",
        "--dataset",
        "--csv",
        "--optimizer",
        "--lr",
        "--steps",
        "--seed",
        "--noise",
        "--points",
        "--degree",
        "--hidden",
        "--activation",
        "--l2",
        "--json",
    ):
        assert option in out


def _bad_csv(tmp_path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


BAD_INPUTS = [
    (["--model", "transformer"], "unknown model 'transformer'"),
    (["--dataset", "mnist"], "Unknown dataset 'mnist'"),
    (["--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'"),
    (["--lr", "0"], "--lr: must be a positive number"),
    (["--lr", "-0.1"], "--lr: must be a positive number"),
    (["--lr", "nan"], "--lr: must be a positive number"),
    (["--lr", "fast"], "--lr: 'fast' is not a number"),
    (["--steps", "0"], "--steps: must be a positive whole number"),
    (["--steps", "-5"], "--steps: must be a positive whole number"),
    (["--model", "poly", "--degree", "16"], "degree must be between 0 and 15"),
    (["--model", "mlp", "--hidden", "4,x"], "--hidden takes unit counts"),
    (["--model", "mlp", "--hidden", "4,4,4"], "one or two hidden layers"),
    (["--model", "line", "--dataset", "circles"], "needs regression data"),
    (["--csv", "/nonexistent/data.csv"], "not found"),
    (["--noise", "-1"], "--noise: must be zero or a positive number"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_and_status_2(capsys, args, message):
    code, out, err = run(capsys, "train", *args)
    assert code == 2
    assert out == ""
    assert err.startswith("knobsim: error: ")
    assert err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "empty"),
        ("words.csv", "x,y\n1,2\n3,abc\n4,5\n6,7\n", "row 3"),
        ("columns.csv", "1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n", "4 columns"),
        ("nan.csv", "1,2\n2,3\n3,nan\n4,5\n5,6\n", "row 3"),
        ("inf.csv", "1,2\n2,3\n3,4\n4,inf\n5,6\n", "row 4"),
        ("binary.csv", b"\x00\xff\xfe\x00binary", "csv"),
    ],
)
def test_bad_csv_names_the_problem(capsys, tmp_path, name, content, message):
    path = _bad_csv(tmp_path, name, content)
    code, out, err = run(capsys, "train", "--csv", path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert message in err.lower() or message in err
    assert "Traceback" not in err


def test_nan_and_infinity_rows_are_named(capsys, tmp_path):
    _, _, err = run(capsys, "train", "--csv", _bad_csv(tmp_path, "a.csv", "1,2\n2,3\n3,nan\n4,5\n"))
    assert "nan" in err.lower()
    _, _, err = run(capsys, "train", "--csv", _bad_csv(tmp_path, "b.csv", "1,2\n2,inf\n3,4\n4,5\n"))
    assert "infinit" in err.lower()


def test_no_display_says_so_in_one_line(capsys, monkeypatch):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    code, out, err = run(capsys)
    assert code == 2
    assert "no display" in err and "knobsim screenshot" in err
    assert err.count("\n") == 1


# -- the next-word model on a person's own text ------------------------------------------------


def test_train_on_your_own_corpus_file(capsys, tmp_path):
    path = _bad_csv(tmp_path, "pets.txt", "The cat sat. The dog sat. The cat ran!\n")
    code, out, err = run(
        capsys, "train", "--corpus", path, "--optimizer", "adam", "--lr", "0.1", "--steps", "300",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["model"] == "nextword"  # --corpus implies the next-word model
    assert result["dataset"] == "corpus:pets"
    vocab = [".", "the", "cat", "sat", "dog", "ran"]
    assert result["n_params"] == len(vocab) ** 2
    assert list(result["params"])[:2] == [".→.", ".→the"]
    assert result["params"][".→the"] > 3  # every sentence starts with "the"
    assert result["final_train_loss"] < result["history"][0]["train_loss"]


def test_two_word_context_from_the_command_line(capsys, tmp_path):
    path = _bad_csv(tmp_path, "pets.txt", "The cat sat. The dog sat.")
    code, out, err = run(capsys, "train", "--corpus", path, "--context", "2", "--json")
    assert code == 0, err
    assert json.loads(out)["n_params"] == 5**3


BAD_CORPORA = [
    ("empty.txt", "", "empty.txt has no words"),
    ("binary.txt", b"\x00\x01\xfe\xffsome\x00bytes", "binary.txt is not a UTF-8 text file"),
    ("one.txt", "Go. Go go! GO?", "one.txt uses only one distinct word ('go')"),
    (
        "many.txt",
        " ".join(f"w{chr(97 + i)}x" for i in range(13)) + ".",
        "many.txt uses 13 distinct words; the limit is 12",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), BAD_CORPORA, ids=[c[0] for c in BAD_CORPORA]
)
def test_bad_corpus_file_is_one_line_and_status_2(capsys, tmp_path, name, content, message):
    code, out, err = run(
        capsys, "train", "--model", "nextword", "--corpus", _bad_csv(tmp_path, name, content)
    )
    assert code == 2 and out == ""
    assert err.startswith("knobsim: error: ")
    assert err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


def test_bad_context_and_missing_corpus(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--corpus", "rhymes", "--context", "3")
    assert code == 2 and "context must be between 1 and 2" in err
    code, _, err = run(capsys, "train", "--corpus", str(tmp_path / "nope.txt"))
    assert code == 2 and "nope.txt: file not found" in err


def _saved_session(tmp_path):
    from knobsim.core.data.datasets import make_dataset
    from knobsim.core.io import sessionfile
    from knobsim.core.models.machines import make_model
    from knobsim.core.training.session import Session

    data = make_dataset("sine", n_points=20, seed=0)
    session = Session(make_model("poly", data, degree=4), data)
    session.step(10)
    return sessionfile.save(session, tmp_path / "lesson.knobsim")


def test_screenshot_of_a_saved_session(capsys, tmp_path, qapp):
    path = _saved_session(tmp_path)
    out = tmp_path / "shot.png"
    code, stdout, err = run(capsys, "screenshot", str(out), "--session", str(path))
    assert code == 0, err
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"format": "knobsim-session", "version": 7}', "newer knobsim"),
    ],
)
def test_screenshot_of_a_bad_session_is_one_line_and_status_2(capsys, tmp_path, content, message):
    bad = tmp_path / "bad.knobsim"
    bad.write_bytes(content)
    code, out, err = run(capsys, "screenshot", str(tmp_path / "x.png"), "--session", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "bad.knobsim" in err
    assert not (tmp_path / "x.png").exists()


def test_opening_a_bad_session_file_from_the_command_line(capsys, tmp_path):
    bad = tmp_path / "bad.knobsim"
    bad.write_text("[]")
    code, out, err = run(capsys, str(bad))
    assert code == 2
    assert "not a knobsim session" in err and err.count("\n") == 1


@pytest.mark.parametrize("model", ["line", "poly"])
def test_json_safe_lr_is_where_training_from_the_command_line_blows_up(capsys, model):
    common = ["train", "--model", model, "--dataset", "cubic", "--optimizer", "gd", "--json"]
    code, out, err = run(capsys, *common, "--steps", "1")
    assert code == 0, err
    safe = json.loads(out)["safe_lr"]
    assert safe > 0

    def final(scale: float) -> tuple[int, dict]:
        code, out, _ = run(capsys, *common, "--steps", "500", "--lr", repr(scale * safe))
        return code, json.loads(out)

    code, calm = final(0.9)
    assert code == 0 and not calm["diverged"]
    assert calm["final_train_loss"] < calm["history"][0]["train_loss"]
    code, wild = final(1.1)
    assert code == 1 and wild["diverged"]


def test_a_closed_pipe_ends_quietly():
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m knobsim train --model line --steps 200000 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.startswith("knobsim: training")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


@pytest.mark.parametrize(("dim", "context"), [(2, 1), (3, 2)])
def test_embed_json_gives_each_word_its_point(capsys, dim, context):
    code, out, _ = run(
        capsys, "train", "--model", "embed", "--corpus", "roles", "--optimizer", "adam",
        "--lr", "0.05", "--steps", "20", "--dim", str(dim), "--context", str(context), "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert code == 0 and result["model"] == "embed"
    V = len(result["vocab"])
    assert result["vocab"][0] == "." and "cat" in result["vocab"]
    assert result["n_params"] == V * dim + context * dim * V + V
    cat = result["vocab"].index("cat")
    point = [result["params"][f"emb[cat].{a}"] for a in "xyz"[:dim]]
    assert len(result["embeddings"]) == V and result["embeddings"][cat] == point
    assert result["final_test_loss"] != result["final_train_loss"]  # held-out sentences


def test_table_json_has_no_embeddings(capsys):
    _, out, _ = run(capsys, "train", "--corpus", "roles", "--steps", "2", "--json")
    assert "embeddings" not in json.loads(out)
