"""Every model's maths: analytic gradients against central finite differences, etc."""

from __future__ import annotations

import numpy as np
import pytest

from knobsim.core.models.machines import (
    MLP,
    Embedding,
    InputScaler,
    Line,
    Logistic,
    Model,
    NextWord,
    Polynomial,
    legendre_features,
    nice_ceil,
    parse_hidden,
)


def _regression_data(rng: np.random.Generator, n: int = 25):
    X = rng.uniform(-1.5, 2.0, size=(n, 1))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=n)
    return X, y


def _classification_data(rng: np.random.Generator, n: int = 30):
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


def _text_data(rng: np.random.Generator, V: int, context: int, n: int = 40):
    return rng.integers(0, V, size=(n, context)), rng.integers(0, V, size=n)


def _cases():
    """(id, model factory, data factory) for every model and both MLP tasks."""
    cases = [
        ("line", lambda l2: Line(l2), _regression_data),
        ("poly0", lambda l2: Polynomial(0, l2), _regression_data),
        (
            "poly4",
            lambda l2: Polynomial(4, l2, scaler=InputScaler([-1.5], [2.0])),
            _regression_data,
        ),
        (
            "poly15",
            lambda l2: Polynomial(15, l2, scaler=InputScaler([-1.5], [2.0])),
            _regression_data,
        ),
        (
            "logistic",
            lambda l2: Logistic(l2, scaler=InputScaler([-2, 0], [1, 3])),
            _classification_data,
        ),
    ]
    for act in ("tanh", "relu", "sigmoid"):
        cases.append(
            (f"mlp-reg-{act}", lambda l2, a=act: MLP((5,), a, "regression", l2), _regression_data)
        )
        cases.append(
            (
                f"mlp-cls-2layer-{act}",
                lambda l2, a=act: MLP((4, 2), a, "classification", l2),
                _classification_data,
            )
        )
    cases.append(
        ("mlp-reg-2layer", lambda l2: MLP((3, 4), "tanh", "regression", l2), _regression_data)
    )
    cases.append(
        ("mlp-cls-1layer", lambda l2: MLP((6,), "tanh", "classification", l2), _classification_data)
    )
    words = (".", "the", "cat", "sat", "mat")
    cases.append(("nextword", lambda l2: NextWord(words, 1, l2), lambda r: _text_data(r, 5, 1)))
    cases.append(
        ("nextword-ctx2", lambda l2: NextWord(words, 2, l2), lambda r: _text_data(r, 5, 2))
    )
    cases.append(("embed", lambda l2: Embedding(words, 2, 1, l2), lambda r: _text_data(r, 5, 1)))
    cases.append(
        ("embed-d3-ctx2", lambda l2: Embedding(words, 3, 2, l2), lambda r: _text_data(r, 5, 2))
    )
    return cases


CASES = _cases()


@pytest.mark.parametrize("l2", [0.0, 0.05], ids=["no-l2", "l2"])
@pytest.mark.parametrize(("make", "data"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gradient_matches_central_differences(make, data, l2):
    rng = np.random.default_rng(7)
    model: Model = make(l2)
    X, y = data(rng)
    theta = model.init_params(rng) + rng.normal(0, 0.3, size=model.n_params)
    if isinstance(model, MLP) and model.activation == "relu":
        # keep away from the kink where the derivative is undefined
        theta = theta + 0.05
    loss, g = model.loss_and_grad(theta, X, y)
    assert loss == pytest.approx(model.loss(theta, X, y), rel=1e-10, abs=1e-12)
    eps = 1e-6
    numeric = np.empty_like(theta)
    for i in range(model.n_params):
        d = np.zeros_like(theta)
        d[i] = eps
        numeric[i] = (model.loss(theta + d, X, y) - model.loss(theta - d, X, y)) / (2 * eps)
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.grad(theta, X, y), g)


@pytest.mark.parametrize(("make", "data"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_loss_many_matches_loss(make, data):
    rng = np.random.default_rng(3)
    model: Model = make(0.01)
    X, y = data(rng)
    thetas = np.stack([model.init_params(rng) for _ in range(5)])
    many = model.loss_many(thetas, X, y)
    assert many.shape == (5,)
    np.testing.assert_allclose(many, [model.loss(t, X, y) for t in thetas], rtol=1e-12)


@pytest.mark.parametrize(("make", "data"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_names_ranges_and_init_are_consistent(make, data):
    model: Model = make(0.0)
    rng = np.random.default_rng(0)
    theta = model.init_params(rng)
    assert theta.shape == (model.n_params,)
    assert len(set(model.param_names)) == model.n_params
    ranges = model.param_ranges()
    assert ranges.shape == (model.n_params, 2)
    assert np.all(ranges[:, 0] < ranges[:, 1])
    assert np.all((theta >= ranges[:, 0]) & (theta <= ranges[:, 1]))
    np.testing.assert_array_equal(theta, model.init_params(np.random.default_rng(0)))


def test_line_is_in_data_units_and_ranges_hold_the_fit():
    x = np.linspace(100, 200, 50)
    y = 0.5 * x - 20
    model = Line.for_data(x[:, None], y)
    np.testing.assert_allclose(model.predict(np.array([0.5, -20.0]), x[:, None]), y)
    assert model.loss(np.array([0.5, -20.0]), x[:, None], y) == pytest.approx(0.0, abs=1e-18)
    (wlo, whi), (blo, bhi) = model.param_ranges()
    assert wlo < 0.5 < whi and blo < -20 < bhi
    assert whi <= 5 and bhi <= 500  # fitted, not absurd


def test_nice_ceil():
    assert [nice_ceil(v) for v in (0.7, 1.0, 1.3, 2.5, 7, 12, 0.0)] == [1, 1, 2, 5, 10, 20, 1]


def test_legendre_features_are_the_legendre_polynomials():
    u = np.linspace(-1, 1, 7)
    P = legendre_features(u, 3)
    np.testing.assert_allclose(P[:, 2], 0.5 * (3 * u**2 - 1))
    np.testing.assert_allclose(P[:, 3], 0.5 * (5 * u**3 - 3 * u))


def test_polynomial_scales_inputs_to_unit_interval():
    model = Polynomial(1, scaler=InputScaler([10.0], [20.0]))
    # c1 = 1: prediction is u, which runs from -1 at x=10 to 1 at x=20
    np.testing.assert_allclose(
        model.predict(np.array([0.0, 1.0]), np.array([[10.0], [15.0], [20.0]])), [-1, 0, 1]
    )


def test_polynomial_degree_limits():
    with pytest.raises(ValueError, match="between 0 and 15"):
        Polynomial(16)


def test_logistic_probabilities_and_stability():
    model = Logistic()
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    p = model.predict(np.array([1.0, 1.0, 0.0]), X)
    np.testing.assert_allclose(p, [0.5, 1 / (1 + np.exp(-2))])
    huge = np.array([1e4, 1e4, 0.0])
    assert np.isfinite(model.loss(huge, X, np.array([1.0, 0.0])))


def test_mlp_names_and_shapes():
    model = MLP((4, 2), "tanh", "classification")
    assert model.n_params == 2 * 4 + 4 + 4 * 2 + 2 + 2 * 1 + 1  # Playground's 2-4-2-1
    assert model.param_names[:3] == ["W1[0,0]", "W1[0,1]", "W1[0,2]"]
    assert "b3[0]" in model.param_names and "W2[3,1]" in model.param_names
    X = np.random.default_rng(0).uniform(-1, 1, size=(10, 2))
    p = model.predict(model.init_params(np.random.default_rng(1)), X)
    assert p.shape == (10,) and np.all((p > 0) & (p < 1))
    outs = model.hidden_outputs(model.init_params(np.random.default_rng(1)), X)
    assert [o.shape for o in outs] == [(10, 4), (10, 2), (10,)]
    np.testing.assert_allclose(outs[-1], p)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": (4, 4, 4)}, "one or two hidden layers"),
        ({"hidden": (17,)}, "1 to 16 units"),
        ({"hidden": (0,)}, "1 to 16 units"),
        ({"activation": "gelu"}, "Unknown activation"),
    ],
)
def test_mlp_rejects_bad_shapes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_parse_hidden():
    assert parse_hidden("8") == (8,)
    assert parse_hidden("4, 2") == (4, 2)
    with pytest.raises(ValueError, match="--hidden"):
        parse_hidden("four")


def test_negative_l2_is_refused():
    with pytest.raises(ValueError, match="L2"):
        Line(-1.0)


def test_l2_adds_the_penalty():
    rng = np.random.default_rng(0)
    X, y = _regression_data(rng)
    theta = np.array([0.3, -0.2, 0.1])
    plain, reg = Polynomial(2), Polynomial(2, l2=0.5)
    assert reg.loss(theta, X, y) == pytest.approx(plain.loss(theta, X, y) + 0.5 * theta @ theta)


def test_nextword_probabilities_sum_to_one_and_knob_raises_its_word():
    model = NextWord((".", "a", "b", "c"), context=1)
    theta = model.init_params(np.random.default_rng(0))
    P = model.probabilities(theta)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    i = model.param_index("a→b")
    before = model.probabilities(theta)[1]
    theta[i] += 1.0
    after = model.probabilities(theta)[1]
    assert after[2] > before[2]
    assert np.all(np.delete(after, 2) < np.delete(before, 2))


def test_nextword_two_word_context_has_vocab_cubed_knobs():
    model = NextWord((".", "a", "b", "c", "d"), context=2)
    assert model.n_params == 5**3
    assert model.param_names[model.n_params - 1] == "d d→d"
    assert model.context_label(model.context_row([1, 2])) == "a b"


def test_nextword_loss_at_count_optimum_is_conditional_entropy():
    model = NextWord((".", "a", "b"), context=1)
    X = np.array([[0], [0], [0], [1], [1], [2]])
    y = np.array([1, 1, 2, 2, 0, 0])
    C = model.counts(X, y)
    with np.errstate(divide="ignore"):
        theta = np.log(np.where(C > 0, C / C.sum(axis=1, keepdims=True), 1e-300)).reshape(-1)
    # rows: '.' -> a,a,b ; 'a' -> b,. ; 'b' -> .
    expected = -(2 * np.log(2 / 3) + np.log(1 / 3) + 2 * np.log(1 / 2)) / 6
    assert model.loss(theta, X, y) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", ["linear", "quadratic", "cubic", "sine", "step", "abs"])
def test_first_line_is_drawn_through_the_data(name):
    # issue #12: w=0.274, b=-1.151 put the first line under the linear data's points
    from knobsim.core.data.datasets import make_dataset
    from knobsim.core.models.machines import make_model

    for seed in range(10):
        data = make_dataset(name, seed=seed)
        model = make_model("line", data)
        theta = model.init_params(np.random.default_rng(seed))
        np.testing.assert_array_equal(theta, model.init_params(np.random.default_rng(seed)))
        lo, hi = model.param_ranges().T
        assert np.all(lo <= theta) and np.all(theta <= hi)
        x = np.linspace(data.X_train.min(), data.X_train.max(), 50)[:, None]
        y = model.predict(theta, x)
        inside = (y >= data.y_train.min()) & (y <= data.y_train.max())
        assert inside.mean() >= 0.6, (seed, theta)


def test_embedding_knobs_are_named_and_counted():
    words = (".", "the", "cat", "dog")
    model = Embedding(words, dim=2, context=1)
    V, d = 4, 2
    assert model.n_params == V * d + d * V + V
    assert model.param_names[:4] == ["emb[.].x", "emb[.].y", "emb[the].x", "emb[the].y"]
    assert model.param_names[model.embedding_index(2, 1)] == "emb[cat].y"
    assert "W[y→dog]" in model.param_names and model.param_names[-1] == "b[dog]"
    two = Embedding(words, dim=2, context=2)
    assert two.n_params == V * d + 2 * d * V + V
    assert "W[2.x→cat]" in two.param_names
    with pytest.raises(ValueError, match="knobs per word"):
        Embedding(words, dim=0)


def test_embedding_words_at_one_point_predict_alike():
    model = Embedding((".", "a", "b", "c"), dim=2)
    theta = model.init_params(np.random.default_rng(1))
    P = model.predict(theta, np.array([[1], [2]]))
    assert not np.allclose(P[0], P[1])
    for axis in range(2):  # put word b on word a's point
        theta[model.embedding_index(2, axis)] = theta[model.embedding_index(1, axis)]
    P = model.predict(theta, np.array([[1], [2]]))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[0], P[1])
    np.testing.assert_array_equal(model.embeddings(theta)[1], model.embeddings(theta)[2])


def test_embedding_predicts_nothing_for_no_contexts():
    model = Embedding((".", "a", "b"), dim=2, context=2)
    theta = model.init_params(np.random.default_rng(0))
    assert model.predict(theta, np.zeros((0, 2), dtype=np.int64)).shape == (0, 3)
    table = model.probabilities(theta)
    assert table.shape == (9, 3)
    np.testing.assert_allclose(table[model.context_row([1, 2])], model.predict(theta, [[1, 2]])[0])
