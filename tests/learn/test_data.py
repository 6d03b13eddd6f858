"""The names data set: loading (default and from files), vocabulary, split, pairs, batches."""

from __future__ import annotations

import importlib.resources
import itertools
import json
import re
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualgrad.learn.data import BOUNDARY, Vocab, batches, examples, in_order, load_names, split


# -- the default data set (mimesis) ---------------------------------------------------------------
@pytest.fixture(scope="module")
def mimesis_names():
    pytest.importorskip("mimesis")
    return load_names()


def test_default_names_are_the_mimesis_english_first_names(mimesis_names):
    names = mimesis_names
    assert len(names) == 3323
    assert names == sorted(set(names))  # distinct and sorted
    assert all(re.fullmatch(r"[a-z]+", n) for n in names)
    assert names[:3] == ["aaron", "abe", "abel"]
    assert names[-1] == "zulma"
    assert {"james", "william", "mary", "elizabeth"} <= set(names)


def test_default_vocabulary_and_bigram_count(mimesis_names):
    vocab = Vocab(mimesis_names)
    assert vocab.size == 27
    assert "".join(vocab.itos) == ".abcdefghijklmnopqrstuvwxyz"
    pairs = examples(mimesis_names, vocab, context=1)
    assert len(pairs) == sum(len(n) + 1 for n in mimesis_names) == 23164


def test_load_names_returns_a_fresh_list(mimesis_names):
    names = load_names()
    names.clear()
    assert len(load_names()) == 3323


def fake_mimesis(monkeypatch, tmp_path, person):
    """Point the loader at a stand-in mimesis package directory holding `person`."""
    folder = tmp_path / "datasets" / "en"
    folder.mkdir(parents=True)
    (folder / "person.json").write_text(json.dumps(person), encoding="utf-8")
    monkeypatch.setattr(importlib.resources, "files", lambda package: tmp_path)


def test_default_names_are_cleaned(monkeypatch, tmp_path):
    names = {"female": ["Zoë", "Anna", "Mary-Jane", "ANNA", "Bo"], "male": ["Al", "Anna", "O'Neil"]}
    fake_mimesis(monkeypatch, tmp_path, {"names": names})
    assert load_names() == ["al", "anna", "bo"]  # lowercased, a-z only, distinct, sorted


def test_reshaped_mimesis_data_is_reported(monkeypatch, tmp_path):
    fake_mimesis(monkeypatch, tmp_path, {"first_names": []})
    with pytest.raises(RuntimeError, match=r"person\.json.*pass a names file"):
        load_names()


def test_missing_mimesis_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "mimesis", None)  # makes `import mimesis` fail
    with pytest.raises(ImportError, match=r"'examples' extra.*names file"):
        load_names()


# -- names files ----------------------------------------------------------------------------------
def test_names_file_is_stripped_lowercased_and_blank_lines_skipped(tmp_path):
    f = tmp_path / "names.txt"
    f.write_text("Emma\n  olivia  \n\n\t\nAVA\r\nemma\nzoë\nmary-jane\n", encoding="utf-8")
    # order and duplicates kept; characters outside a-z kept (the vocabulary follows the data)
    assert load_names(f) == ["emma", "olivia", "ava", "emma", "zoë", "mary-jane"]
    assert load_names(str(f)) == load_names(f)


def test_names_file_without_final_newline_and_with_bom(tmp_path):
    f = tmp_path / "names.txt"
    f.write_bytes(b"\xef\xbb\xbfanna\nbob")
    assert load_names(f) == ["anna", "bob"]


def test_missing_file_names_it(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        load_names(missing)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n\t\n"])
def test_empty_file_is_an_error_naming_it(tmp_path, content):
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    with pytest.raises(ValueError, match=r"empty\.txt.*no names"):
        load_names(f)


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\xff\xfe\x00", b"ab\x00cd\n", b"caf\xe9\n"])
def test_binary_file_is_not_utf8_text(tmp_path, content):
    f = tmp_path / "data.bin"
    f.write_bytes(content)
    with pytest.raises(ValueError, match=r"data\.bin.*is not a UTF-8 text file"):
        load_names(f)


def test_boundary_character_in_a_name_is_refused_with_line_number(tmp_path):
    f = tmp_path / "names.txt"
    f.write_text("anna\nj.r.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"names\.txt.*line 2.*'j\.r\.'"):
        load_names(f)


def test_file_names_feed_the_vocabulary(tmp_path):
    f = tmp_path / "names.txt"
    f.write_text("zoë\nmary-jane\n", encoding="utf-8")
    vocab = Vocab(load_names(f))
    assert vocab.itos == (".", "-", "a", "e", "j", "m", "n", "o", "r", "y", "z", "ë")
    assert vocab.encode("zoë") == [10, 7, 11]
    assert vocab.encode("mary-jane")[4] == 1  # the hyphen


# -- vocabulary -----------------------------------------------------------------------------------
def test_vocab_layout():
    v = Vocab(["cab", "abba"])
    assert v.itos == (".", "a", "b", "c")
    assert v.stoi == {".": 0, "a": 1, "b": 2, "c": 3}
    assert v.size == len(v) == 4
    assert v.encode("cab") == [3, 1, 2]
    assert v.decode([0, 3, 1, 2, 0]) == ".cab."
    assert v.encode("") == [] and v.decode([]) == ""
    assert repr(v) == "Vocab('.abc')"
    assert v == Vocab(["abc"]) and v != Vocab(["ab"]) and hash(v) == hash(Vocab(["bca"]))


def test_vocab_errors_name_the_culprit():
    v = Vocab(["abc"])
    with pytest.raises(ValueError, match=r"character 'z' in 'abz'"):
        v.encode("abz")
    with pytest.raises(ValueError, match=r"id 4 .*0\.\.3"):
        v.decode([1, 4])
    with pytest.raises(ValueError, match=r"id -1"):  # not silently the last character
        v.decode([-1])
    with pytest.raises(ValueError, match="start/end token"):
        Vocab(["a.b"])


@given(st.lists(st.text(alphabet="abcxyz-é", max_size=8), min_size=1, max_size=5))
def test_encode_decode_round_trip(names):
    v = Vocab(names)
    for name in names:
        ids = v.encode(name)
        assert all(1 <= i < v.size for i in ids)  # 0 is reserved for the boundary
        assert v.decode(ids) == name


# -- split ----------------------------------------------------------------------------------------
def test_split_is_a_deterministic_partition():
    names = [f"n{i}" for i in range(100)]
    train, val = split(names, val_fraction=0.1, seed=3)
    assert len(val) == 10 and len(train) == 90
    assert sorted(train + val) == sorted(names)
    assert split(names, val_fraction=0.1, seed=3) == (train, val)
    assert split(names, val_fraction=0.1, seed=4) != (train, val)
    assert names == [f"n{i}" for i in range(100)]  # input untouched


@pytest.mark.parametrize(
    ("n", "fraction", "n_val"),
    [(1, 0.1, 0), (2, 0.1, 1), (2, 0.9, 1), (3, 0.01, 1), (10, 0.99, 9), (10, 0.25, 2)],
)
def test_split_sizes_never_leave_val_empty(n, fraction, n_val):
    train, val = split([str(i) for i in range(n)], val_fraction=fraction)
    assert len(val) == n_val and len(train) == n - n_val


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        split(["a", "b"], val_fraction=fraction)


def test_split_rejects_empty():
    with pytest.raises(ValueError, match="empty"):
        split([])


# -- training pairs -------------------------------------------------------------------------------
def test_bigram_pairs():
    v = Vocab(["ab", "b"])  # . a b -> 0 1 2
    assert examples(["ab", "b"], v, context=1) == [
        ((0,), 1),
        ((1,), 2),
        ((2,), 0),
        ((0,), 2),
        ((2,), 0),
    ]


def test_context_three_matches_makemore():
    v = Vocab(["emma"])  # . a e m -> 0 1 2 3
    pairs = examples(["emma"], v, context=3)
    decoded = [(v.decode(x), v.itos[y]) for x, y in pairs]
    assert decoded == [
        ("...", "e"),
        ("..e", "m"),
        (".em", "m"),
        ("emm", "a"),
        ("mma", "."),
    ]


@given(st.lists(st.text(alphabet="abc", max_size=6), max_size=4), st.integers(1, 5))
def test_pair_count_and_window_shape(names, context):
    v = Vocab(["abc"])
    pairs = examples(names, v, context)
    assert len(pairs) == sum(len(n) + 1 for n in names)
    assert all(len(x) == context for x, _ in pairs)
    assert sum(y == 0 for _, y in pairs) == len(names)  # each name ends exactly once


@pytest.mark.parametrize("context", [0, -1, 1.0, True])
def test_examples_rejects_bad_context(context):
    with pytest.raises(ValueError, match="context"):
        examples(["a"], Vocab(["a"]), context)


# -- batches --------------------------------------------------------------------------------------
def test_batches_are_deterministic_and_drawn_from_pairs():
    pairs = [((i,), i % 3) for i in range(20)]
    a = list(itertools.islice(batches(pairs, batch_size=4, seed=7), 50))
    b = list(itertools.islice(batches(pairs, batch_size=4, seed=7), 50))
    c = list(itertools.islice(batches(pairs, batch_size=4, seed=8), 50))
    assert a == b and a != c
    assert all(len(batch) == 4 for batch in a)
    drawn = Counter(p for batch in a for p in batch)
    assert set(drawn) <= set(pairs)
    assert len(drawn) == 20  # 200 draws from 20 pairs: every pair shows up


def test_batches_do_not_see_later_changes_to_pairs():
    pairs = [((0,), 1), ((1,), 0)]
    stream = batches(pairs, batch_size=2, seed=0)
    pairs.append(((9,), 9))
    assert all(p != ((9,), 9) for _ in range(20) for p in next(stream))


@pytest.mark.parametrize(("pairs", "batch_size"), [([((0,), 1)], 0), ([((0,), 1)], 2.0), ([], 1)])
def test_batches_validate_eagerly(pairs, batch_size):
    with pytest.raises(ValueError, match=r"batch_size|empty"):
        batches(pairs, batch_size=batch_size, seed=0)  # raises before the first next()


def test_in_order_takes_the_items_one_after_the_other_and_wraps():
    stream = in_order([1, 2, 3, 4, 5], batch_size=2)
    assert [next(stream) for _ in range(4)] == [[1, 2], [3, 4], [5, 1], [2, 3]]
    ones = in_order(["a", "b"], batch_size=1)
    assert [next(ones)[0] for _ in range(5)] == ["a", "b", "a", "b", "a"]
    with pytest.raises(ValueError, match="empty"):
        in_order([], 1)
    with pytest.raises(ValueError, match="batch_size"):
        in_order([1], 0)


def test_boundary_is_dot():
    assert BOUNDARY == "." and Vocab(["a"]).stoi[BOUNDARY] == 0
