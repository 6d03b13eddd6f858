"""Character models: parameter counts, exact agreement across number types, derivatives against
central differences, a stable cross-entropy, the documented layout, and sampling."""

from __future__ import annotations

import math
import random

import pytest

from dualgrad import Dual
from dualgrad.learn.models import (
    GPT,
    MLP,
    Bigram,
    GPTConfig,
    cross_entropy,
    sample,
    softmax,
    value_of,
)
from dualgrad.testing import central_difference
from dualgrad.tree import flatten, unflatten


# -- helpers --------------------------------------------------------------------------------------
class Boxed:
    """A third number type shaped like reverse-mode Value: ``.data``, arithmetic with floats on
    either side and dmath-named methods, but no comparisons and no float(). A model that called
    math.* on a parameter or compared parameters directly would fail on it."""

    __slots__ = ("data",)

    def __init__(self, data: float) -> None:
        self.data = data

    def __add__(self, o):
        return Boxed(self.data + (o.data if type(o) is Boxed else o))

    def __radd__(self, o):
        return Boxed(o + self.data)

    def __sub__(self, o):
        return Boxed(self.data - (o.data if type(o) is Boxed else o))

    def __rsub__(self, o):
        return Boxed(o - self.data)

    def __mul__(self, o):
        return Boxed(self.data * (o.data if type(o) is Boxed else o))

    def __rmul__(self, o):
        return Boxed(o * self.data)

    def __truediv__(self, o):
        return Boxed(self.data / (o.data if type(o) is Boxed else o))

    def __rtruediv__(self, o):
        return Boxed(o / self.data)

    def __neg__(self):
        return Boxed(-self.data)

    def __float__(self):
        raise TypeError("float(Boxed) would drop the graph")

    def exp(self):
        return Boxed(math.exp(self.data))

    def log(self):
        return Boxed(math.log(self.data))

    def tanh(self):
        return Boxed(math.tanh(self.data))


def replace_leaf(params, i, new):
    """A copy of `params` whose leaf i (in flatten order) is new(old value)."""
    leaves, spec = flatten(params)
    leaves[i] = new(leaves[i])
    return unflatten(spec, leaves)


def perturbed(params, seed, scale=0.5):
    """Every leaf moved by N(0, scale): no zero biases or tiny output weights, so derivatives
    are O(0.01..1) and a central difference resolves them to 1e-6."""
    rng = random.Random(seed)
    leaves, spec = flatten(params)
    return unflatten(spec, [x + rng.gauss(0.0, scale) for x in leaves])


def covering_batch(vocab_size, context, seed, n=None):
    """A batch in which every id appears as the latest context id and as a target, so every
    parameter of the small models below moves the loss."""
    rng = random.Random(seed)
    n = n or vocab_size
    targets = list(range(vocab_size))
    rng.shuffle(targets)
    batch = []
    for k in range(n):
        ctx = (*(rng.randrange(vocab_size) for _ in range(context - 1)), k % vocab_size)
        batch.append((ctx, targets[k % vocab_size]))
    return batch


def naive_cross_entropy(logits, target):
    return -math.log(math.exp(logits[target]) / sum(math.exp(v) for v in logits))


SMALL_MODELS = [Bigram(5), MLP(5, context=3, embed=2, hidden=4)]


# -- parameter counts ------------------------------------------------------------------------------
def test_bigram_27_has_729_parameters():
    model = Bigram(27)
    assert model.num_params == 729
    assert len(flatten(model.init_params(0))[0]) == 729


@pytest.mark.parametrize(
    ("vocab", "context", "embed", "hidden"),
    [(27, 3, 10, 200), (27, 3, 2, 16), (5, 1, 1, 1), (30, 4, 3, 7)],
)
def test_mlp_num_params_matches_the_tree(vocab, context, embed, hidden):
    model = MLP(vocab, context=context, embed=embed, hidden=hidden)
    leaves, _ = flatten(model.init_params(0))
    assert model.num_params == len(leaves)
    assert all(type(x) is float for x in leaves)


def test_makemore_sized_mlp_has_11897_parameters():
    assert MLP(27, context=3, embed=10, hidden=200).num_params == 11897


@pytest.mark.parametrize("target", [150, 500, 1000, 2000, 3000, 5000, 10_000, 20_000])
def test_with_params_lands_near_the_target(target):
    model = MLP.with_params(27, target)
    per_hidden = model.context * model.embed + 1 + 27
    assert abs(model.num_params - target) <= per_hidden / 2
    assert model.num_params == len(flatten(model.init_params(0))[0])


def test_with_params_sweeps_from_about_100_upwards():
    sizes = [MLP.with_params(27, n).num_params for n in (100, 300, 1000, 3000, 10_000)]
    assert sizes == sorted(sizes)
    assert sizes[0] == 85  # the smallest MLP: embed = hidden = 1
    assert 9_900 <= sizes[-1] <= 10_100


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="vocab_size"):
        Bigram(1)
    with pytest.raises(ValueError, match="hidden"):
        MLP(27, hidden=0)
    with pytest.raises(ValueError, match="target_n"):
        MLP.with_params(27, 0)


def test_init_is_deterministic_per_seed():
    model = MLP(6, embed=2, hidden=3)
    assert model.init_params(3) == model.init_params(3)
    assert model.init_params(3) != model.init_params(4)


# -- cross-entropy and softmax ---------------------------------------------------------------------
@pytest.mark.parametrize("target", [0, 1, 2, 3])
def test_cross_entropy_equals_the_naive_formula(target):
    logits = [0.5, -1.25, 2.0, 0.0]
    assert cross_entropy(logits, target) == pytest.approx(
        naive_cross_entropy(logits, target), rel=1e-14
    )


def test_cross_entropy_is_finite_where_the_naive_formula_overflows():
    logits = [1000.0, -1000.0, 0.0]
    with pytest.raises(OverflowError):
        naive_cross_entropy(logits, 0)
    assert cross_entropy(logits, 0) == 0.0
    assert cross_entropy(logits, 1) == 2000.0
    assert cross_entropy(logits, 2) == 1000.0
    assert softmax(logits) == [1.0, 0.0, 0.0]


def test_cross_entropy_is_shift_invariant():
    logits = [0.3, -0.7, 1.1]
    shifted = [v + 500.0 for v in logits]
    assert cross_entropy(shifted, 2) == pytest.approx(cross_entropy(logits, 2), rel=1e-12)


@pytest.mark.parametrize("logits", [[0.5, -1.25, 2.0, 0.0], [1000.0, 999.0, -1000.0, 0.0]])
@pytest.mark.parametrize("target", [0, 2])
def test_cross_entropy_derivative_is_softmax_minus_onehot(logits, target):
    probs = softmax(logits)
    for k in range(len(logits)):
        seeded = [Dual(v, 1.0) if i == k else v for i, v in enumerate(logits)]
        out = cross_entropy(seeded, target)
        assert out.value == cross_entropy(logits, target)
        assert out.tangent == pytest.approx(probs[k] - (k == target), rel=1e-12, abs=1e-300)


def test_cross_entropy_second_derivative_through_nested_duals():
    # d2/dl_k2 of cross-entropy is p_k (1 - p_k); the shift must unwrap two levels of Dual
    logits = [0.5, -1.25, 2.0]
    p = softmax(logits)
    x = Dual(Dual(logits[1], 1.0, tag=1), 1.0, tag=2)
    out = cross_entropy([logits[0], x, logits[2]], 0)
    assert out.tangent.tangent == pytest.approx(p[1] * (1 - p[1]), rel=1e-12)


def test_softmax_matches_the_naive_formula_and_sums_to_one():
    logits = [0.1, 2.0, -3.0, 0.7]
    exps = [math.exp(v) for v in logits]
    assert softmax(logits) == pytest.approx([e / sum(exps) for e in exps], rel=1e-14)
    assert sum(softmax(logits)) == pytest.approx(1.0, rel=1e-15)


def test_value_of_unwraps_every_number_type():
    assert value_of(2.5) == 2.5
    assert value_of(3) == 3
    assert value_of(Dual(1.5, 2.0)) == 1.5
    assert value_of(Dual(Dual(1.5, 1.0, tag=1), 1.0, tag=2)) == 1.5
    assert value_of(Boxed(-4.0)) == -4.0


def test_functions_work_on_a_type_without_comparisons():
    logits = [Boxed(1000.0), Boxed(-1000.0), 0.0]
    assert cross_entropy(logits, 1).data == 2000.0
    assert [p.data for p in softmax(logits)] == [1.0, 0.0, 0.0]


# -- one model, every number type, identical values ------------------------------------------------
@pytest.mark.parametrize("model", [*SMALL_MODELS, MLP.with_params(27, 1000)], ids=repr)
def test_float_dual_and_boxed_losses_agree_bit_for_bit(model):
    params = perturbed(model.init_params(1), seed=2)
    batch = covering_batch(model.vocab_size, model.context, seed=3)
    expected = model.loss(params, batch)
    assert type(expected) is float

    leaves, spec = flatten(params)
    all_dual = model.loss(unflatten(spec, [Dual(x, 0.0) for x in leaves]), batch)
    assert all_dual.value == expected
    assert all_dual.tangent == 0.0
    all_boxed = model.loss(unflatten(spec, [Boxed(x) for x in leaves]), batch)
    assert all_boxed.data == expected

    for i in random.Random(4).sample(range(len(leaves)), 8):
        assert model.loss(replace_leaf(params, i, lambda x: Dual(x, 1.0)), batch).value == expected
        assert model.loss(replace_leaf(params, i, Boxed), batch).data == expected


# -- derivatives against central differences -------------------------------------------------------
def _leaf_sample(model, params, seed):
    """~10 leaves: spread over every parameter tensor of the model."""
    leaves, _ = flatten(params)
    sizes = [len(flatten(params[k])[0]) for k in sorted(params)]  # flatten's key order
    rng, picks, start = random.Random(seed), [], 0
    per_tensor = max(2, 10 // len(sizes))
    for size in sizes:
        picks += [start + j for j in rng.sample(range(size), min(per_tensor, size))]
        start += size
    assert start == len(leaves)
    return picks


@pytest.mark.parametrize("model", [*SMALL_MODELS, MLP.with_params(27, 300)], ids=repr)
def test_dual_derivative_matches_central_difference(model):
    params = perturbed(model.init_params(5), seed=6)
    batch = covering_batch(model.vocab_size, model.context, seed=7)
    leaves, _ = flatten(params)
    for i in _leaf_sample(model, params, seed=8):
        exact = model.loss(replace_leaf(params, i, lambda x: Dual(x, 1.0)), batch).tangent
        approx = central_difference(
            lambda t, i=i: model.loss(replace_leaf(params, i, lambda _: t), batch), leaves[i]
        )
        assert exact != 0.0  # every leaf matters on a covering batch
        assert exact == pytest.approx(approx, rel=1e-6, abs=1e-10), f"leaf {i}"


def test_bigram_derivative_is_mean_softmax_minus_onehot():
    # d loss / d logits[i][j] = mean over examples with context i of (p_j - [target == j])
    model = Bigram(4)
    params = perturbed(model.init_params(0), seed=1)
    batch = [((2,), 1), ((2,), 3), ((0,), 2)]
    p = softmax(params["logits"][2])
    for j in range(4):
        seeded = replace_leaf(params, 2 * 4 + j, lambda x: Dual(x, 1.0))
        expected = (2 * p[j] - (j == 1) - (j == 3)) / 3
        assert model.loss(seeded, batch).tangent == pytest.approx(expected, rel=1e-12)
    # row 1 is no example's context: the Dual never enters, the loss stays a plain float
    untouched = replace_leaf(params, 1 * 4 + 0, lambda x: Dual(x, 1.0))
    assert type(model.loss(untouched, batch)) is float


# -- the documented layout ------------------------------------------------------------------------
def test_mlp_logits_follow_the_documented_layout():
    model = MLP(6, context=3, embed=2, hidden=5)
    params = perturbed(model.init_params(9), seed=10)
    C, W1, b1, W2, b2 = (params[k] for k in ("C", "W1", "b1", "W2", "b2"))
    context = (4, 0, 5)
    x = C[4] + C[0] + C[5]  # concatenated embeddings, oldest first
    h = [math.tanh(b1[j] + sum(x[i] * W1[i][j] for i in range(6))) for j in range(5)]
    expected = [b2[k] + sum(h[j] * W2[j][k] for j in range(5)) for k in range(6)]
    assert model.logits(params, context) == pytest.approx(expected, rel=1e-13)


def test_loss_is_the_mean_cross_entropy_of_logits():
    for model in SMALL_MODELS:
        params = perturbed(model.init_params(0), seed=11)
        batch = covering_batch(model.vocab_size, model.context, seed=12, n=7)
        per_example = [cross_entropy(model.logits(params, c), t) for c, t in batch]
        assert model.loss(params, batch) == sum(per_example) / 7


def test_bigram_logits_are_a_copy_of_the_row():
    model = Bigram(3)
    params = model.init_params(0)
    row = model.logits(params, (1, 2))  # only the latest id counts
    assert row == params["logits"][2]
    row[0] = 99.0
    assert params["logits"][2][0] != 99.0


def test_mlp_context_windows_are_left_padded_or_trimmed():
    model = MLP(6, context=3, embed=2, hidden=4)
    params = perturbed(model.init_params(0), seed=13)
    assert model.logits(params, (5,)) == model.logits(params, (0, 0, 5))
    assert model.logits(params, (1, 2, 3, 4)) == model.logits(params, (2, 3, 4))
    assert model.logits(params, (1, 2, 3)) != model.logits(params, (2, 2, 3))


def test_mismatched_shapes_and_empty_batches_raise():
    params = MLP(6, hidden=4).init_params(0)
    with pytest.raises(ValueError, match="shapes"):
        MLP(6, hidden=5).loss(params, [((0, 0, 0), 1)])
    with pytest.raises(ValueError, match="empty"):
        MLP(6, hidden=4).loss(params, [])
    with pytest.raises(ValueError, match="empty"):
        Bigram(6).loss(Bigram(6).init_params(0), [])


@pytest.mark.parametrize("model", [Bigram(27), MLP(27), MLP.with_params(27, 3000)], ids=repr)
def test_initial_loss_is_near_log_vocab(model):
    batch = covering_batch(27, model.context, seed=14, n=54)
    assert model.loss(model.init_params(0), batch) == pytest.approx(math.log(27), abs=0.02)


# -- sampling ------------------------------------------------------------------------------------
def test_sample_ends_at_the_boundary_and_is_reproducible():
    model = MLP(27, embed=2, hidden=8)
    params = model.init_params(0)
    names = [sample(model, params, 27, random.Random(s)) for s in range(20)]
    for ids in names:
        assert ids[-1] == 0
        assert 0 not in ids[:-1]
        assert all(type(i) is int and 0 <= i < 27 for i in ids)
        assert len(ids) <= 21
    assert names == [sample(model, params, 27, random.Random(s)) for s in range(20)]
    assert len({tuple(ids) for ids in names}) > 10


def test_sample_follows_the_logits():
    # a bigram whose row i all but forces i + 1, and whose last row forces the boundary
    v = 5
    table = [[-50.0] * v for _ in range(v)]
    for i in range(v):
        table[i][(i + 1) % v] = 50.0
    model, params = Bigram(v), {"logits": table}
    assert sample(model, params, v, random.Random(0)) == [1, 2, 3, 4, 0]
    assert sample(model, params, v, random.Random(0), max_len=2) == [1, 2, 0]


def test_sample_slides_the_context_window():
    seen = []

    class Recorder:
        vocab_size, context, num_params = 4, 3, 0

        def logits(self, params, context):
            seen.append(context)
            nxt = len(seen) % 4  # 1, 2, 3, then the boundary
            return [50.0 if k == nxt else -50.0 for k in range(4)]

    assert sample(Recorder(), {}, 4, random.Random(0)) == [1, 2, 3, 0]
    assert seen == [(0, 0, 0), (0, 0, 1), (0, 1, 2), (1, 2, 3)]


def test_sample_temperature_sharpens_and_is_checked():
    # row i prefers i + 1 by a logit margin of only 1: varied names at temperature 1,
    # the preferred path every time at temperature 0.02 (margin 50)
    v = 5
    table = [[1.0 if j == (i + 1) % v else 0.0 for j in range(v)] for i in range(v)]
    model, params = Bigram(v), {"logits": table}
    warm = {tuple(sample(model, params, v, random.Random(s))) for s in range(20)}
    cold = {tuple(sample(model, params, v, random.Random(s), temperature=0.02)) for s in range(20)}
    assert len(warm) > 5
    assert cold == {(1, 2, 3, 4, 0)}
    with pytest.raises(ValueError, match="temperature"):
        sample(model, params, v, random.Random(0), temperature=0.0)
    with pytest.raises(ValueError, match="logits"):
        sample(model, params, v + 1, random.Random(0))


# -- GPT ------------------------------------------------------------------------------------------
def _gpt_setup():
    from dualgrad.learn.data import Vocab, load_names, sequences

    names = load_names()[::300][:8]
    vocab = Vocab(load_names())
    return GPT(), sequences(names, vocab)


def test_gpt_has_microgpts_shape_and_init():
    model = GPT()
    params = model.init_params(0)
    leaves, _ = flatten(params)
    assert model.num_params == len(leaves) == 4192
    assert sorted(params) == sorted(
        ["wte", "wpe", "lm_head"]
        + [
            f"layer0.{k}"
            for k in ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")
        ]
    )
    assert len(params["layer0.mlp_fc1"]) == 64 and len(params["layer0.mlp_fc1"][0]) == 16
    std = (sum(x * x for x in leaves) / len(leaves)) ** 0.5
    assert 0.075 < std < 0.085
    assert model.init_params(0) == params != model.init_params(1)
    with pytest.raises(ValueError, match="multiple"):
        GPTConfig(n_embd=10, n_head=4)


def test_the_course_preset_has_4064_parameters_and_the_courses_init():
    from dualgrad.learn.gpt import COURSE_RECIPE

    c = GPTConfig.course()
    assert (c.vocab_size, c.n_embd, c.n_head, c.n_layer, c.block_size) == (27, 16, 4, 1, 8)
    assert (c.init_std, c.zero_proj, c.activation, c.embed_norm) == (0.02, True, "relu2", True)
    model = GPT(c)
    params = model.init_params(0)
    leaves, _ = flatten(params)
    assert model.num_params == len(leaves) == 4064
    assert len(params["wpe"]) == 8
    for name in ("layer0.attn_wo", "layer0.mlp_fc2"):  # the projections start at exactly 0
        assert {x for row in params[name] for x in row} == {0.0}
    drawn = [x for k, m in params.items() if not k.endswith(("wo", "fc2")) for r in m for x in r]
    std = (sum(x * x for x in drawn) / len(drawn)) ** 0.5
    assert 0.019 < std < 0.021
    # the zero matrices draw their numbers too, so every other weight is as without zero_proj
    other = GPT(GPTConfig(block_size=8, init_std=0.02)).init_params(0)
    assert {k: v for k, v in other.items() if not k.endswith(("wo", "fc2"))} == {
        k: v for k, v in params.items() if not k.endswith(("wo", "fc2"))
    }
    r = COURSE_RECIPE
    assert (r.lr, r.betas, r.schedule, r.steps, r.order) == (
        0.01,
        (0.9, 0.95),
        "cosine",
        500,
        "in order",
    )
    assert r.train_options() == {
        "lr": 0.01,
        "betas": (0.9, 0.95),
        "schedule": "cosine",
        "order": "in order",
    }


def test_gpt_options_change_the_model_as_documented():
    from dualgrad import reverse
    from dualgrad.learn.data import Vocab, load_names, sequences

    vocab = Vocab(load_names())
    seq = sequences(["christopher"], vocab)[0]  # 13 tokens: longer than the block of 8
    base = GPTConfig(block_size=8, init_std=0.3)
    params = GPT(base).init_params(1)

    def loss(**changes):
        return GPT(GPTConfig(**{**base.__dict__, **changes})).loss(params, [seq])

    # block size: only the first 8 predictions count, the rest of the name is never seen
    assert GPT(base).loss(params, [seq]) == GPT(base).loss(params, [seq[:9]])
    # the activation and the embedding's rmsnorm change the loss (that they are the course's
    # is checked against its own scalar code in test_course.py)
    assert len({loss(), loss(activation="relu2"), loss(embed_norm=False)}) == 3
    # zero projections: at the start every block is the identity, so the gradient reaches
    # neither the attention's q/k/v nor the MLP's first layer - but does reach the projections
    course = GPT(GPTConfig.course())
    _, g = reverse.value_and_grad(lambda p: course.loss(p, [seq]), course.init_params(0))
    for name in ("attn_wq", "attn_wk", "attn_wv", "mlp_fc1"):
        assert {x for row in g[f"layer0.{name}"] for x in row} == {0.0}, name
    for name in ("layer0.attn_wo", "layer0.mlp_fc2", "wte", "lm_head"):
        assert any(x != 0 for row in g[name] for x in row), name
    with pytest.raises(ValueError, match="activation"):
        GPTConfig(activation="gelu")
    with pytest.raises(ValueError, match="init_std"):
        GPTConfig(init_std=-0.1)
    with pytest.raises(ValueError, match="zero_proj"):
        GPTConfig(zero_proj=1)  # type: ignore[arg-type]


def test_gpt_initial_loss_is_near_uniform_and_sampling_works():
    model, seqs = _gpt_setup()
    params = model.init_params(0)
    loss = model.loss(params, seqs[:4])
    assert abs(loss - math.log(27)) < 0.3
    ids = sample(model, params, 27, random.Random(0))
    assert ids[-1] == 0 and len(ids) <= model.config.block_size
    assert ids == sample(model, params, 27, random.Random(0))


@pytest.mark.parametrize(
    ("chunk", "packed"),
    [("all", True), ("all", False), (1400, True), (100, True)],
    ids=["all", "all-dense", "1400", "100"],
)
def test_gpt_forward_gradient_equals_reverse_for_every_parameter(chunk, packed):
    from dualgrad import reverse, value_and_grad
    from dualgrad.vector.settings import SETTINGS

    # without packed tangents every tangent is dense: the bulk products' other path
    dense_fraction = SETTINGS.dense_fraction if packed else 0.0
    model, seqs = _gpt_setup()
    params = model.init_params(2)
    for seq in seqs[:2]:

        def loss(p, seq=seq):
            return model.loss(p, [seq])

        with SETTINGS.changed(dense_fraction=dense_fraction):
            r = value_and_grad(loss, params, chunk=chunk)
        rv, rg = reverse.value_and_grad(loss, params)
        fwd, rev = flatten(r.grad)[0], flatten(rg)[0]
        assert r.value == rv  # the same float arithmetic for the value
        scale = max(abs(g) for g in rev)
        for a, b in zip(fwd, rev, strict=True):
            assert a == pytest.approx(b, rel=1e-10, abs=1e-13 * scale)
        assert sum(g != 0 for g in rev) > 3000  # most parameters matter for one name


def test_gpt_gradient_matches_central_differences_on_a_sample():
    from dualgrad import value_and_grad

    model, seqs = _gpt_setup()
    params = model.init_params(3)
    leaves, spec = flatten(params)

    def loss(p):
        return model.loss(p, seqs[:1])

    g = flatten(value_and_grad(loss, params, chunk="all").grad)[0]
    rng = random.Random(4)
    big = [i for i, gi in enumerate(g) if abs(gi) > 1e-3]
    for i in rng.sample(big, 8):
        up, down = list(leaves), list(leaves)
        up[i] += 1e-5
        down[i] -= 1e-5
        fd = (loss(unflatten(spec, up)) - loss(unflatten(spec, down))) / 2e-5
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_gpt_forward_and_reverse_training_give_the_same_losses():
    from dualgrad.learn.train import train

    model, seqs = _gpt_setup()
    runs = {
        m: train(model, seqs, seqs[:2], m, 4, batch_size=1, seed=5, progress=False)
        for m in ("reverse", "forward:all", "forward:512")
    }
    for m in ("forward:all", "forward:512"):
        assert runs[m].losses == pytest.approx(runs["reverse"].losses, rel=1e-12)
        a, b = flatten(runs[m].params)[0], flatten(runs["reverse"].params)[0]
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-9
    assert [s["passes"] for s in runs["forward:512"].steps] == [9] * 4
