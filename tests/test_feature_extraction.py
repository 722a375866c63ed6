import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import FEATURE_SCRIPT as SCRIPT
from conftest import interruptible
from conftest import run_feature_extraction as run_script

from ser_keras.features.bundle import BundleError, read_bundle, write_bundle


def test_bundle_matches_the_design_contract(demo_bundle):
    out, _ = demo_bundle
    bundle = read_bundle(out)
    n = len(bundle.meta)
    assert n == 80 and bundle.classes == ["angry", "excited", "neutral", "sad"]
    expected = {
        "acoustic": ((n, 200, 34), np.float32),
        "acoustic_lengths": ((n,), np.int32),
        "speech_embeddings": ((n, 128, 16), np.float32),
        "tokens": ((n, 128), np.int32),
        "embedding_matrix": ((len(bundle.vocabulary), 16), np.float32),
        "labels": ((n,), np.int32),
        "dimensions": ((n, 3), np.float32),
        "votes": ((n, 4), np.float32),
    }
    for name, (shape, dtype) in expected.items():
        array = bundle.array(name)
        assert (array.shape, array.dtype) == (shape, dtype), name
    declared = {name: list(value["arrays"]) for name, value in bundle.feature_sets.items()}
    assert declared == {
        "acoustic": ["acoustic", "acoustic_lengths"],
        "words": ["speech_embeddings", "tokens", "embedding_matrix"],
    }
    assert bundle.feature_sets["acoustic"]["arrays"]["acoustic"]["shape"] == [n, 200, 34]
    # The demo's ratings (1-5) and three annotators' votes, of whom the label's class has the most.
    dimensions, votes = np.asarray(bundle.array("dimensions")), np.asarray(bundle.array("votes"))
    assert np.all((dimensions >= 1) & (dimensions <= 5))
    assert np.all(votes.sum(axis=1) >= 2) and np.all(votes.argmax(axis=1) == np.asarray(bundle.array("labels")))
    assert list(bundle.meta.columns) == [
        "id",
        "session",
        "speaker",
        "dialogue",
        "start",
        "label",
        "transcript",
        "duration",
        "frames",
        "words",
        "oov",
    ]
    assert bundle.vocabulary[:2] == ["<pad>", "<unk>"]
    assert bundle.manifest["counts"] == {name: 20 for name in bundle.classes}


def test_padding_is_exactly_zero_past_each_length(demo_bundle):
    bundle = read_bundle(demo_bundle[0])
    acoustic, lengths = bundle.array("acoustic"), bundle.array("acoustic_lengths")
    tokens, embeddings = bundle.array("tokens"), bundle.array("speech_embeddings")
    words = bundle.meta["words"].to_numpy()
    assert np.array_equal(lengths, bundle.meta["frames"].to_numpy())
    for i in range(len(lengths)):
        assert np.all(acoustic[i, lengths[i] :] == 0) and np.any(acoustic[i, lengths[i] - 1] != 0)
        assert np.all(tokens[i, words[i] :] == 0) and np.all(tokens[i, : words[i]] > 0)
        assert np.all(embeddings[i, words[i] :] == 0)
    # Each row of speech_embeddings is the embedding matrix row of its token.
    matrix = bundle.array("embedding_matrix")
    np.testing.assert_array_equal(embeddings[3], matrix[tokens[3]])


def test_summary_reports_classes_skips_oov_cuts_and_speed(demo_bundle):
    _, stdout = demo_bundle
    assert "utterances per class: angry 20, excited 20, neutral 20, sad 20" in stdout
    assert "skipped: none" in stdout and "OOV rate 0.00%" in stdout
    assert "utterances cut at 200 frames: 0" in stdout and "x real time" in stdout


def test_pretrained_vectors_file_and_oov_rate(small_demo, tmp_path):
    # A tiny vector file with two words of the demo vocabulary: every other word is out of vocabulary.
    (tmp_path / "tiny.vec").write_text("the 1 0 0 0\nwas 0 1 0 0\n\n")
    out = tmp_path / "bundle"
    result = run_script("--root", str(small_demo), "--out", str(out), "--embeddings", str(tmp_path / "tiny.vec"))
    assert result.returncode == 0, result.stderr
    bundle = read_bundle(out)
    assert bundle.vocabulary == ["<pad>", "<unk>", "the", "was"]
    assert bundle.array("speech_embeddings").shape[2] == 4
    words = bundle.manifest["words"]
    assert 0.5 < words["oov_rate"] < 1 and words["oov_tokens"] == int(bundle.meta["oov"].sum())
    assert f"OOV rate {words['oov_rate']:.2%}" in result.stdout


def test_reference_backend_gives_the_same_bundle(small_demo, demo_bundle, tmp_path):
    out = tmp_path / "reference"
    result = run_script(
        "--root",
        str(small_demo),
        "--out",
        str(out),
        "--dim",
        "16",
        "--acoustic-backend",
        "pyaudioanalysis",
        "--workers",
        "1",
    )
    assert result.returncode == 0, result.stderr
    fast, reference = read_bundle(demo_bundle[0]), read_bundle(out)
    np.testing.assert_allclose(fast.array("acoustic"), reference.array("acoustic"), rtol=1e-6, atol=1e-7)
    assert reference.manifest["acoustic"]["backend"] == "pyaudioanalysis"
    np.testing.assert_array_equal(fast.array("tokens"), reference.array("tokens"))


def test_bad_arguments_get_one_line_errors(tmp_path):
    result = run_script("--embeddings", str(tmp_path / "none.vec"))
    assert result.returncode == 2 and "no such file" in result.stderr
    result = run_script("--corpus", "iemocap")
    assert result.returncode == 2 and result.stderr.strip() == "error: --corpus iemocap needs --root"
    result = run_script("--corpus", "iemocap", "--root", str(tmp_path))
    assert result.returncode == 2 and "is not an IEMOCAP tree" in result.stderr
    assert "Traceback" not in result.stderr


def test_writes_are_atomic_and_never_touch_a_foreign_folder(tmp_path):
    arrays = {"labels": np.zeros(2, np.int32)}
    meta = pd.DataFrame({"id": ["a", "b"]})
    out = write_bundle(tmp_path / "b", arrays, ["<pad>", "<unk>"], meta, {"classes": ["x"]})
    assert read_bundle(out).classes == ["x"]
    # A failure half way leaves the previous complete bundle and no partial folder.
    with pytest.raises(ValueError, match="unknown bundle array"):
        write_bundle(out, {"labels": arrays["labels"], "bogus": arrays["labels"]}, [], meta, {"classes": ["y"]})
    assert read_bundle(out).classes == ["x"]
    assert [p.name for p in tmp_path.iterdir()] == ["b"]
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    with pytest.raises(BundleError, match="not a feature bundle"):
        write_bundle(foreign, arrays, [], meta, {"classes": []})
    with pytest.raises(BundleError, match="not a complete feature bundle"):
        read_bundle(foreign)


def test_an_interrupted_extraction_leaves_no_bundle(small_demo, tmp_path):
    import signal
    import time

    out = tmp_path / "bundle"
    process = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--root",
            str(small_demo),
            "--out",
            str(out),
            "--workers",
            "1",
            "--acoustic-backend",
            "pyaudioanalysis",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    process.stdout.readline()  # "N utterances from ...": the corpus is read, extraction starts
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted: no bundle written" in stderr
    assert not out.exists() and not list(tmp_path.glob(".bundle.*"))


def test_slices_merged_give_the_bundle_of_one_call(small_demo, demo_bundle, tmp_path):
    out = tmp_path / "merged"
    common = ["--root", str(small_demo), "--out", str(out), "--dim", "16"]
    early = run_script(*common, "--merge", "3")
    assert early.returncode == 2 and "slice 1 of 3 is missing: run --shard 1/3" in early.stderr
    for shard in ("1/3", "2/3", "3/3"):
        # One process per slice, as three machines would run them; the first slice with two.
        result = run_script(*common, "--shard", shard, "--jobs", "2" if shard == "1/3" else "1")
        assert result.returncode == 0, result.stderr
        assert f"wrote slice {shard.replace('/', ' of ')}" in result.stdout
    assert not (out / "manifest.json").exists()  # slices are not a bundle
    other = run_script(*common, "--merge", "3", "--max-frames", "100")
    assert other.returncode == 2 and "differs from this call in max_frames" in other.stderr
    merged = run_script(*common, "--merge", "3")
    assert merged.returncode == 0, merged.stderr

    one, joined = read_bundle(demo_bundle[0]), read_bundle(out)
    for name in ("acoustic", "acoustic_lengths", "speech_embeddings", "tokens", "embedding_matrix", "labels"):
        np.testing.assert_array_equal(np.asarray(one.array(name)), np.asarray(joined.array(name)), err_msg=name)
    pd.testing.assert_frame_equal(one.meta, joined.meta)
    assert one.vocabulary == joined.vocabulary
    timing = {"seconds", "corpus"}  # when it ran, and the corpus root as given
    assert {k: v for k, v in one.manifest.items() if k not in timing} == {
        k: v for k, v in joined.manifest.items() if k not in timing
    }


def test_feature_sets_computed_in_slices_and_merged_equal_one_call(demo_bundle, tmp_path):
    from ser_keras.features.sets import BundleContext, add_feature_sets
    from ser_keras.features.shards import SliceContext

    whole, sliced = tmp_path / "whole", tmp_path / "sliced"
    shutil.copytree(demo_bundle[0], whole)
    shutil.copytree(demo_bundle[0], sliced)
    one = add_feature_sets(read_bundle(whole), ["segments", "silence_ratio"], progress=False, log=None)
    common = ["--out", str(sliced), "--feature-sets", "segments,silence_ratio", "--quiet"]
    early = run_script(*common, "--merge", "2")
    assert early.returncode == 2 and "slice 1 of 2 of segments is missing" in early.stderr
    for shard in ("1/2", "2/2"):
        result = run_script(*common, "--shard", shard, "--jobs", "1")
        assert result.returncode == 0, result.stderr
        assert f"wrote slice {shard.replace('/', ' of ')} of silence_ratio" in result.stdout
    merged = run_script(*common, "--merge", "2")
    assert merged.returncode == 0, merged.stderr
    joined = read_bundle(sliced)
    for name in ("segment_counts", "segment_bounds", "segment_mfcc", "segment_spectrogram", "silence_ratio"):
        np.testing.assert_array_equal(np.asarray(one.array(name)), np.asarray(joined.array(name)), err_msg=name)
    assert joined.feature_sets["segments"]["settings"]["shards"] == 2

    # A slice reads its own segments of a per-segment array, its own rows of a per-utterance one.
    rows = np.array([3, 4, 5])
    view = SliceContext(BundleContext(one, progress=False), rows)
    counts = np.asarray(one.array("segment_counts"))
    start = counts[:3].sum()
    np.testing.assert_array_equal(
        view.array("segment_bounds"), one.array("segment_bounds")[start : start + counts[3:6].sum()]
    )
    np.testing.assert_array_equal(view.array("silence_ratio"), one.array("silence_ratio")[rows])
    assert view.array("embedding_matrix").shape == one.array("embedding_matrix").shape  # a table of its own

    refused = run_script("--out", str(sliced), "--feature-sets", "egemaps", "--shard", "1/2")
    assert refused.returncode == 2 and "egemaps cannot be computed in slices" in refused.stderr


def test_a_bad_slice_is_a_one_line_error(small_demo, tmp_path):
    for shard in ("0/3", "4/3", "two"):
        result = run_script("--root", str(small_demo), "--out", str(tmp_path / "b"), "--shard", shard)
        assert result.returncode == 2 and result.stderr.strip() == (
            f"error: --shard: expected K/N with 1 <= K <= N, got {shard!r}"
        )
    both = run_script("--root", str(small_demo), "--shard", "1/2", "--merge", "2")
    assert both.returncode == 2 and "give one of the two" in both.stderr


def test_worker_processes_compute_the_arrays_of_one(small_demo):
    from functools import partial

    from ser_keras.corpora import read_iemocap
    from ser_keras.features.mate import log_mel_of_file
    from ser_keras.features.parallel import map_files

    # A log-mel's mel filter bank is a matrix product that rounds by thread count: each process uses one.
    paths = [str(utterance.wav_path) for utterance in read_iemocap(small_demo).utterances][:12]
    function = partial(log_mel_of_file, n_mels=32, seconds=2.0)
    one = np.stack(map_files(function, paths, workers=1, progress=False))
    two = np.stack(map_files(function, paths, workers=2, progress=False))
    np.testing.assert_array_equal(one, two)
