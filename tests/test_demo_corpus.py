import hashlib
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile
from conftest import interruptible

from ser_keras.corpora import PAPER_CLASSES, read_iemocap
from ser_keras.corpora.demo import DemoSettings, build_demo_corpus, read_marker
from ser_keras.corpora.espeak import synthesize
from ser_keras.features.text import tokenize


def digest(root):
    hasher = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "DEMO_CORPUS.json"):
        hasher.update(str(path.relative_to(root)).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def test_espeak_synthesises_int16_speech_with_word_events():
    synthesis = synthesize("The meeting went really well.", "en-us+f1", rate=175, pitch=50, pitch_range=50)
    assert synthesis.samples.dtype == np.int16 and synthesis.sample_rate == 22050
    assert 0.5 < len(synthesis.samples) / synthesis.sample_rate < 3
    starts = [start for _, start, _ in synthesis.words]
    assert starts == sorted(starts) and len(starts) >= 4
    assert all(start < end for _, start, end in synthesis.words)
    with pytest.raises(ValueError, match="no voice"):
        synthesize("hello", "xx-nonexistent")


def test_demo_corpus_reads_through_the_iemocap_reader(small_demo):
    corpus = read_iemocap(small_demo)
    utterances = corpus.utterances
    assert corpus.class_counts() == {name: 10 * 2 for name in PAPER_CLASSES}
    assert set(corpus.excluded) <= {"fru", "xxx"} and sum(corpus.excluded.values()) == 10
    assert not corpus.skipped and not corpus.notes
    assert {u.session for u in utterances} == {1, 2, 3, 4, 5}
    assert len({u.speaker for u in utterances}) == 10
    for utterance in utterances:
        info = soundfile.info(str(utterance.wav_path))
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        assert 1.5 <= info.duration <= 6.0
        assert utterance.duration == pytest.approx(info.duration, abs=1e-3)
        assert utterance.transcript and utterance.label in PAPER_CLASSES
        assert utterance.speaker.startswith(f"Ses0{utterance.session}")
        # The alignment's words are the transcript's words, in order, inside the audio.
        assert [w.word for w in utterance.words] == tokenize(utterance.transcript)
        times = [t for w in utterance.words for t in (w.start, w.end)]
        assert times == sorted(times) and all(w.start < w.end for w in utterance.words)
        assert times[-1] <= info.duration + 1e-6


def test_happy_is_written_as_hap_and_merged_into_excited(small_demo):
    corpus = read_iemocap(small_demo, labels="all")
    excited_codes = {u.source_label for u in corpus.utterances if u.label in ("happy", "excited")}
    assert excited_codes <= {"hap", "exc"}
    merged = read_iemocap(small_demo)
    assert {u.source_label for u in merged.utterances if u.label == "excited"} == excited_codes


def test_same_seed_same_bytes_other_seed_other_bytes(small_demo, tmp_path):
    settings = DemoSettings(seed=7, per_class=2, extra_per_speaker=1)
    again = build_demo_corpus(tmp_path / "again", settings, progress=False)
    assert digest(again) == digest(small_demo)
    other = build_demo_corpus(
        tmp_path / "other", DemoSettings(seed=8, per_class=2, extra_per_speaker=1), progress=False
    )
    assert digest(other) != digest(small_demo)


def test_a_complete_corpus_is_reused_and_a_foreign_folder_is_never_touched(small_demo, tmp_path):
    marker = small_demo / "DEMO_CORPUS.json"
    before = marker.stat().st_mtime_ns
    build_demo_corpus(small_demo, DemoSettings(seed=7, per_class=2, extra_per_speaker=1), progress=False)
    assert marker.stat().st_mtime_ns == before
    foreign = tmp_path / "my_thesis"
    foreign.mkdir()
    (foreign / "chapter1.tex").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a demo corpus"):
        build_demo_corpus(foreign, DemoSettings(per_class=1), progress=False)
    assert (foreign / "chapter1.tex").read_text() == "keep me"


def test_an_interrupted_build_leaves_nothing_that_looks_complete(tmp_path):
    out = tmp_path / "demo"
    process = subprocess.Popen(
        # Large enough that the build is still running when the signal lands, however slow the machine.
        [sys.executable, "-m", "ser_keras.corpora.demo", "--out", str(out), "--per-class", "200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=interruptible,
    )
    # Wait until synthesis is under way (the worker process has drawn its progress bar), then interrupt.
    # The partial folder alone is not enough: on a loaded machine the signal could land while the
    # worker process is being started, leaving it running with the pipes open.
    said = b""
    deadline = time.time() + 120
    while b"synthesising" not in said and time.time() < deadline:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            break
        said += chunk
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert process.returncode != 0
    assert not out.exists() and read_marker(out) is None


def test_command_line_rejects_bad_arguments():
    result = subprocess.run(
        [sys.executable, "-m", "ser_keras.corpora.demo", "--per-class", "0"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "--per-class must be at least 1" in result.stderr
