"""A model's data and parameters are checked against it: errors name the culprit and say what
to do."""

from __future__ import annotations

import pytest

from dualgrad.learn.data import Vocab, examples, sequences
from dualgrad.learn.models import GPT, MLP, Bigram, GPTConfig
from dualgrad.learn.train import train

NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "zoe", "quinn", "xavier", "yuki"]


@pytest.fixture
def vocab():
    return Vocab(NAMES)


def test_an_mlp_refuses_pairs_with_a_shorter_context(vocab):
    pairs = examples(NAMES, vocab, context=1)
    with pytest.raises(ValueError, match=r"looks at 3 previous tokens.*context=3"):
        train(MLP(vocab.size, context=3), pairs, pairs, "reverse", 1, progress=False)
    model = MLP(vocab.size, context=2)  # longer contexts are windowed: fine
    model.loss(model.init_params(0), examples(NAMES, vocab, context=3)[:4])


def test_eval_every_must_be_non_negative(vocab):
    pairs = examples(NAMES, vocab, context=1)
    for bad in (-1, 1.5, "2"):
        with pytest.raises(ValueError, match="eval_every"):
            train(Bigram(vocab.size), pairs, pairs, "reverse", 1, eval_every=bad, progress=False)


def test_the_gpt_given_pairs_says_to_give_sequences(vocab):
    model = GPT(GPTConfig(vocab_size=vocab.size, n_embd=4, n_head=1, block_size=8))
    params = model.init_params(0)
    with pytest.raises(TypeError, match=r"token sequences.*sequences\(names, vocab\)"):
        model.loss(params, examples(NAMES, vocab, context=1)[:3])
    model.loss(params, sequences(NAMES, vocab)[:2])
    with pytest.raises(ValueError, match=r"token id 99 .* outside the vocabulary"):
        model.loss(params, [(0, 99, 0)])


def test_a_bigram_too_small_for_the_data_or_its_parameters(vocab):
    pairs = examples(NAMES, vocab, context=1)
    small = Bigram(5)
    with pytest.raises(ValueError, match=r"outside the vocabulary of Bigram\(vocab_size=5\)"):
        small.loss(small.init_params(0), pairs)
    with pytest.raises(ValueError, match=r"'logits' must be \d+ x \d+, got 5 rows"):
        Bigram(vocab.size).loss(small.init_params(0), pairs)


def test_a_target_outside_the_vocabulary_is_named(vocab):
    model = Bigram(vocab.size)
    with pytest.raises(ValueError, match=r"target 40 in the pair \(\(0,\), 40\)"):
        model.loss(model.init_params(0), [((0,), 40)])
    mlp = MLP(vocab.size, context=2, hidden=3)
    with pytest.raises(ValueError, match=r"target -1"):
        mlp.loss(mlp.init_params(0), [((0, 1), -1)])
    params = mlp.init_params(0)
    params["b2"] = params["b2"][:-1]
    with pytest.raises(ValueError, match=r"'b2' must be"):
        mlp.loss(params, [((0, 1), 2)])
