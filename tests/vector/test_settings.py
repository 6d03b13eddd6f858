"""The vector layer's switches: set for a block, restored after it, even on an error."""

from __future__ import annotations

import pytest

from dualgrad.vector.settings import SETTINGS, VectorSettings


def _all() -> dict[str, object]:
    return {name: getattr(SETTINGS, name) for name in VectorSettings.__slots__}


def test_changed_sets_the_settings_for_the_block_and_restores_them():
    before = _all()

    def fails_inside():
        with SETTINGS.changed(sums_wait=False, rows_kept=3) as inside:
            assert inside is SETTINGS and not SETTINGS.sums_wait and SETTINGS.rows_kept == 3
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fails_inside()
    assert _all() == before


def test_an_unknown_setting_is_named():
    with pytest.raises(TypeError, match="no vector setting named wait"), SETTINGS.changed(wait=1):
        pass
