"""The names data set and its character vocabulary, makemore style.

The default data set is the list of English first names that ships inside the ``mimesis``
package (no download): 3,323 distinct lowercase names over the letters a-z. A file with one
name per line (makemore's ``names.txt`` format) can be used instead.

>>> names = ["emma", "ava", "zoe"]
>>> vocab = Vocab(names)
>>> vocab.itos
('.', 'a', 'e', 'm', 'o', 'v', 'z')
>>> vocab.encode("ava")
[1, 5, 1]
>>> examples(["ava"], vocab, context=2)
[((0, 0), 1), ((0, 1), 5), ((1, 5), 1), ((5, 1), 0)]
"""

from __future__ import annotations

import importlib.resources
import json
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BOUNDARY",
    "Example",
    "Vocab",
    "batches",
    "examples",
    "in_order",
    "load_names",
    "sequences",
    "split",
]

BOUNDARY = "."
"""The token that marks both the start and the end of a name; always index 0."""

Example = tuple[tuple[int, ...], int]
"""One training pair: (context window of token ids, id of the next token)."""

_LETTERS = re.compile(r"[a-z]+")


def _mimesis_names() -> list[str]:
    """The English first names shipped in mimesis: lowercase, a-z only, distinct, sorted."""
    try:
        root = importlib.resources.files("mimesis")
    except ImportError:
        raise ImportError(
            "the default names data set comes from the mimesis package: "
            "install dualgrad with its 'examples' extra (see the README), or pass a names file "
            "(one name per line) "
            "to load_names(path)"
        ) from None
    resource = root.joinpath("datasets").joinpath("en").joinpath("person.json")
    try:
        people = json.loads(resource.read_text(encoding="utf-8"))
        groups = people["names"].values()
    except (OSError, KeyError, AttributeError, ValueError) as exc:
        # A future mimesis could move or reshape its data; say so instead of a bare KeyError.
        raise RuntimeError(
            f"could not read the names in mimesis's datasets/en/person.json ({exc!r}); "
            "pass a names file (one name per line) to load_names(path)"
        ) from exc
    lowered = (name.lower() for group in groups for name in group)
    return sorted({name for name in lowered if _LETTERS.fullmatch(name)})


def load_names(path: str | Path | None = None) -> list[str]:
    """Load a list of names: the mimesis English first names, or a file of one name per line.

    From a file, each line is stripped and lowercased and blank lines are skipped; order and
    duplicates are kept (the file is the data set as given; a repeated name is more frequent).
    Characters outside a-z are kept too: the :class:`Vocab` is built from whatever the data
    holds. Only the boundary token ``"."`` is refused, since it would be indistinguishable from
    the start/end marker.

    Raises FileNotFoundError for a missing file, and ValueError naming the file when it is not
    UTF-8 text, holds no names, or a name contains ``"."``. Without a path and without mimesis
    installed, raises ImportError saying how to get it.

    ``load_names()`` gives 3,323 names, from ``'aaron'``, ``'abe'``, ``'abel'`` to ``'zulma'``.
    """
    if path is None:
        return _mimesis_names()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"names file not found: {str(path)!r}")
    data = path.read_bytes()
    try:
        # utf-8-sig: a byte order mark written by some editors is not part of the first name.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{str(path)!r} is not a UTF-8 text file") from None
    if "\x00" in text:  # valid UTF-8 but binary all the same
        raise ValueError(f"{str(path)!r} is not a UTF-8 text file (it contains NUL bytes)")
    names = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        name = line.strip().lower()
        if not name:
            continue
        if BOUNDARY in name:
            raise ValueError(
                f"{str(path)!r} line {lineno}: name {name!r} contains {BOUNDARY!r}, "
                "which is reserved as the start/end token"
            )
        names.append(name)
    if not names:
        raise ValueError(f"{str(path)!r} holds no names (it is empty or blank)")
    return names


class Vocab:
    """Characters <-> integer ids: the boundary ``"."`` is 0, then the sorted characters.

    >>> v = Vocab(["bob", "al"])
    >>> v.size, v.stoi["b"], v.decode(v.encode("bob"))
    (5, 2, 'bob')
    """

    __slots__ = ("itos", "stoi")

    itos: tuple[str, ...]
    stoi: dict[str, int]

    def __init__(self, names: Iterable[str]) -> None:
        chars: set[str] = set()
        for name in names:
            chars.update(name)
        if BOUNDARY in chars:
            raise ValueError(f"names may not contain {BOUNDARY!r}: it is the start/end token")
        self.itos = (BOUNDARY, *sorted(chars))
        self.stoi = {ch: i for i, ch in enumerate(self.itos)}

    @property
    def size(self) -> int:
        """Number of tokens, the boundary included."""
        return len(self.itos)

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other: object) -> bool:
        return self.itos == other.itos if isinstance(other, Vocab) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.itos)

    def __repr__(self) -> str:
        return f"Vocab({''.join(self.itos)!r})"

    def encode(self, name: str) -> list[int]:
        """The ids of the characters of `name` (no boundary tokens added)."""
        stoi = self.stoi
        try:
            return [stoi[ch] for ch in name]
        except KeyError as exc:
            raise ValueError(
                f"character {exc.args[0]!r} in {name!r} is not in the vocabulary"
            ) from None

    def decode(self, ids: Iterable[int]) -> str:
        """The string for a sequence of ids; the boundary id 0 decodes to ``"."``."""
        itos, size = self.itos, len(self.itos)
        out = []
        for i in ids:
            # Check the range ourselves: itos[-1] would silently be the last character.
            if type(i) is not int or not 0 <= i < size:
                raise ValueError(f"id {i!r} is not in the vocabulary (valid ids: 0..{size - 1})")
            out.append(itos[i])
        return "".join(out)


def split(
    names: Sequence[str], val_fraction: float = 0.1, seed: int = 0
) -> tuple[list[str], list[str]]:
    """Shuffle deterministically with ``random.Random(seed)`` and split into (train, val).

    The validation part holds ``round(len(names) * val_fraction)`` names, but at least one and
    at most ``len(names) - 1``, so with two names or more neither part is empty. The input is
    not modified.

    >>> split(["a", "b", "c", "d"], val_fraction=0.25, seed=1)
    (['d', 'a', 'c'], ['b'])
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1 (exclusive), got {val_fraction!r}")
    if not names:
        raise ValueError("cannot split an empty list of names")
    shuffled = list(names)
    random.Random(seed).shuffle(shuffled)
    n = len(shuffled)
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    return shuffled[: n - n_val], shuffled[n - n_val :]


def sequences(names: Iterable[str], vocab: Vocab) -> list[tuple[int, ...]]:
    """Each name as one token sequence with the boundary at both ends: a GPT's examples.

    >>> sequences(["ab"], Vocab(["ab"]))
    [(0, 1, 2, 0)]
    """
    return [(0, *vocab.encode(name), 0) for name in names]


def examples(names: Iterable[str], vocab: Vocab, context: int) -> list[Example]:
    """Next-character training pairs, makemore style.

    Each name yields ``len(name) + 1`` pairs: the window of the previous `context` ids (padded
    on the left with the boundary id 0) and the id that follows; the last target is the boundary,
    which teaches the model where names end. ``context=1`` gives bigram pairs.

    >>> v = Vocab(["ab"])
    >>> examples(["ab"], v, context=1)
    [((0,), 1), ((1,), 2), ((2,), 0)]
    """
    if type(context) is not int or context < 1:
        raise ValueError(f"context must be a positive int, got {context!r}")
    pairs: list[Example] = []
    for name in names:
        window = (0,) * context
        for ix in [*vocab.encode(name), 0]:
            pairs.append((window, ix))
            window = (*window[1:], ix)
    return pairs


def batches(pairs: Sequence[Example], batch_size: int, seed: int) -> Iterator[list[Example]]:
    """An endless, deterministic stream of minibatches drawn from `pairs`.

    Each batch is `batch_size` pairs drawn uniformly with replacement (like makemore's
    ``torch.randint``) from ``random.Random(seed)``: the same seed gives the same stream.

    >>> stream = batches([((0,), 1), ((1,), 0)], batch_size=3, seed=0)
    >>> len(next(stream)), len(next(stream))
    (3, 3)
    """
    # Validate now, not at the first next(): a generator function would defer the error.
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if not pairs:
        raise ValueError("cannot draw batches from an empty list of pairs")
    return _batches(list(pairs), batch_size, random.Random(seed))


def _batches(pairs: list[Example], batch_size: int, rng: random.Random) -> Iterator[list[Example]]:
    while True:
        yield rng.choices(pairs, k=batch_size)


def in_order(pairs: Sequence[Any], batch_size: int) -> Iterator[list[Any]]:
    """An endless stream of minibatches taken from `pairs` in order, wrapping around.

    Batch ``t`` holds items ``t * batch_size`` onwards (modulo ``len(pairs)``): with
    ``batch_size=1``, step ``t`` trains on ``pairs[t % len(pairs)]``, as the course's microgpt
    takes one name per step in the order of its shuffled list.

    >>> stream = in_order(["a", "b", "c"], batch_size=2)
    >>> next(stream), next(stream)
    (['a', 'b'], ['c', 'a'])
    """
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if not pairs:
        raise ValueError("cannot draw batches from an empty list of pairs")
    return _in_order(list(pairs), batch_size)


def _in_order(pairs: list[Any], batch_size: int) -> Iterator[list[Any]]:
    n, start = len(pairs), 0
    while True:
        yield [pairs[(start + i) % n] for i in range(batch_size)]
        start = (start + batch_size) % n
