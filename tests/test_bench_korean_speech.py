"""The bench's Korean recorded speech (``bench/packaged_speech.py``, source ``ko-picovoice``).

Its three recordings are on GitHub, which bench runs cannot reach, so someone puts them in
the cache by hand. The source is then all or nothing, and only the pinned files are read:
a source made of whichever files happen to be there, or of a changed file, would report
figures that no other run can reproduce.
"""

import pytest

from bench.packaged_speech import KOREAN_FILES, SourceMissing, korean_utterances


def test_the_korean_source_is_left_out_naming_every_missing_file_and_where_it_is(tmp_path):
    first, *rest = KOREAN_FILES
    (tmp_path / first[0]).write_bytes(b"")  # one present file does not make the source

    with pytest.raises(SourceMissing) as missing:
        korean_utterances(tmp_path)

    message = str(missing.value)
    assert message.startswith("ko-picovoice left out")
    for name, _, url, _, _ in rest:
        assert url in message and str(tmp_path / name) in message
    assert first[2] not in message


def test_a_cached_korean_recording_that_changed_is_refused_not_read(tmp_path):
    for name, *_ in KOREAN_FILES:
        (tmp_path / name).write_bytes(b"RIFF not the pinned recording")

    with pytest.raises(SystemExit, match="does not match the pinned sha256"):
        korean_utterances(tmp_path)
