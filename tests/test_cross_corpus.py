"""Pooled bundles of several corpora and the cross-corpus protocol, on two acted releases the test lays out.

Each class is a tone of its own pitch in both corpora (angry highest, sad lowest), so what is
learnt on one corpus holds on the other: a model trained on RAVDESS alone must recognise the
EMOVO utterances, and the reverse.
"""

import json

import numpy as np
import pytest
from conftest import run_feature_extraction, write_tone

from ser_keras.cli.feature_extraction import main as extract
from ser_keras.features.bundle import BundleError, read_bundle
from ser_keras.features.pool import pool_bundles
from ser_keras.protocols import ProtocolError, folds

PITCH = {"angry": 420.0, "happy": 300.0, "neutral": 190.0, "sad": 120.0}
RAVDESS_CODES = {"angry": 5, "happy": 3, "neutral": 1, "sad": 4, "calm": 2}
EMOVO_CODES = {"angry": "rab", "happy": "gio", "neutral": "neu", "sad": "tri", "disgusted": "dis"}


def _ravdess(root):
    for actor in (1, 2, 5, 6):
        for label, code in RAVDESS_CODES.items():
            for statement in (1, 2):
                name = f"Actor_{actor:02d}/03-01-{code:02d}-01-{statement:02d}-01-{actor:02d}.wav"
                write_tone(root / name, 0.6 + 0.1 * statement, frequency=PITCH.get(label, 250.0) + 3 * actor)
    return root


def _emovo(root):
    for actor in ("f1", "f2", "m1"):
        for label, code in EMOVO_CODES.items():
            for sentence in ("b1", "b2", "n1"):
                name = f"{actor}/{code}-{actor}-{sentence}.wav"
                write_tone(root / name, 0.7, frequency=PITCH.get(label, 250.0) * (1.04 if actor == "m1" else 1.0))
    return root


@pytest.fixture(scope="module")
def four_class_bundles(tmp_path_factory):
    """A RAVDESS and an EMOVO bundle, four classes each, with the statistics the SVM baseline reads."""
    folder = tmp_path_factory.mktemp("cross")
    bundles = []
    for kind, layout in (("ravdess", _ravdess), ("emovo", _emovo)):
        root = layout(folder / kind)
        out = folder / f"{kind}-four"
        arguments = ["--corpus", kind, "--root", str(root), "--out", str(out), "--labels", "four", "--dim", "8"]
        # openSMILE in a process of its own: it can crash in one where TensorFlow is loaded.
        result = run_feature_extraction(*arguments, "--workers", "1", "--feature-sets", "acoustic_stats,egemaps")
        assert result.returncode == 0, result.stderr
        bundles.append(out)
    return bundles


def test_pooling_joins_rows_keeps_corpora_apart_and_leaves_the_words_out(four_class_bundles, tmp_path):
    ravdess, emovo = (read_bundle(path) for path in four_class_bundles)
    pooled_path = tmp_path / "pool"
    manifest = pool_bundles(four_class_bundles, pooled_path)
    pooled = read_bundle(pooled_path)
    assert len(pooled.meta) == len(ravdess.meta) + len(emovo.meta) == 32 + 36
    assert pooled.classes == ["angry", "happy", "neutral", "sad"]
    assert list(pooled.meta["corpus"].unique()) == ["ravdess", "emovo"]
    assert set(pooled.feature_sets) == {"acoustic", "acoustic_stats", "egemaps"}
    assert "words" in manifest["left_out_sets"]
    # eGeMAPS's descriptors are padded to each corpus's longest utterance: pooled, to the longer of the two.
    lengths = [np.asarray(bundle.array("egemaps_lld")).shape[1] for bundle in (ravdess, emovo)]
    assert lengths[0] != lengths[1]
    lld = np.asarray(pooled.array("egemaps_lld"))
    assert lld.shape[1] == max(lengths)
    np.testing.assert_array_equal(lld[32:, : lengths[1]], np.asarray(emovo.array("egemaps_lld")))
    assert not lld[32:, lengths[1] :].any()
    for name in ("acoustic", "acoustic_stats", "labels"):
        joined = np.concatenate([np.asarray(ravdess.array(name)), np.asarray(emovo.array(name))])
        np.testing.assert_array_equal(np.asarray(pooled.array(name)), joined)
    # Fold groups numbered on: RAVDESS's 1-2, then EMOVO's f1, f2 and m1 (its groups 1, 2, 4) as 3, 4, 6.
    assert sorted(pooled.meta["session"].unique()) == [1, 2, 3, 4, 6]
    assert "emovo/f1" in set(pooled.meta["speaker"]) and pooled.meta["id"].is_unique
    assert manifest["counts"] == {"angry": 17, "happy": 17, "neutral": 17, "sad": 17}


def test_pooling_refuses_other_classes_and_a_single_bundle(four_class_bundles, tmp_path):
    all_classes = tmp_path / "emovo-all"
    emovo_root = read_bundle(four_class_bundles[1]).manifest["corpus"]["root"]
    assert extract(["--corpus", "emovo", "--root", emovo_root, "--out", str(all_classes), "--dim", "8", "--quiet"]) == 0
    with pytest.raises(BundleError, match="--labels four"):
        pool_bundles([four_class_bundles[0], all_classes], tmp_path / "pool")
    # With the label map, a four-class bundle and one of every class pool into the four classes.
    mixed = pool_bundles([four_class_bundles[0], all_classes], tmp_path / "mixed", labels="four")
    assert mixed["utterances"] == 32 + 36 and mixed["classes"] == ["angry", "happy", "neutral", "sad"]
    with pytest.raises(BundleError, match="labels must be one of"):
        pool_bundles(four_class_bundles, tmp_path / "pool", labels="six")
    with pytest.raises(BundleError, match="two or more"):
        pool_bundles(four_class_bundles[:1], tmp_path / "pool")
    with pytest.raises(BundleError, match="one corpus"):
        pool_bundles([four_class_bundles[1], all_classes], tmp_path / "pool")


def test_a_shared_label_map_keeps_the_four_classes_of_bundles_of_every_class(four_class_bundles, tmp_path):
    folder = tmp_path / "all"
    bundles = []
    for path in four_class_bundles:
        manifest = read_bundle(path).manifest["corpus"]
        out = folder / manifest["kind"]
        arguments = ["--corpus", manifest["kind"], "--root", manifest["root"], "--out", str(out), "--dim", "8"]
        assert extract([*arguments, "--quiet", "--workers", "1", "--feature-sets", "acoustic_stats,segments"]) == 0
        bundles.append(out)
    whole = [read_bundle(path) for path in bundles]
    assert whole[0].classes == ["angry", "calm", "happy", "neutral", "sad"]
    pool_bundles(bundles, tmp_path / "pool", labels="four")
    pooled = read_bundle(tmp_path / "pool")
    # The same utterances, labels and features as pooling bundles extracted with four classes.
    pool_bundles(four_class_bundles, tmp_path / "four")
    four = read_bundle(tmp_path / "four")
    assert list(pooled.meta["id"]) == list(four.meta["id"]) and pooled.classes == four.classes
    for name in ("labels", "votes", "acoustic", "acoustic_stats"):
        np.testing.assert_array_equal(np.asarray(pooled.array(name)), np.asarray(four.array(name)))
    # Segments are kept per utterance kept: each utterance's segments, none of a class left out.
    counts = np.asarray(pooled.array("segment_counts"))
    assert len(pooled.array("segment_mfcc")) == counts.sum() and len(counts) == 68


def test_cross_corpus_folds_train_on_one_corpus_and_test_on_the_other(four_class_bundles, tmp_path):
    pool_bundles(four_class_bundles, tmp_path / "pool")
    meta = read_bundle(tmp_path / "pool").meta
    both = folds("cross-corpus", meta)
    assert [fold.name for fold in both] == ["corpus ravdess", "corpus emovo"]
    for fold in both:
        tested = set(meta["corpus"].iloc[fold.test])
        assert len(tested) == 1 and tested.isdisjoint(set(meta["corpus"].iloc[fold.train]))
        assert len(fold.train) + len(fold.test) == len(meta)
    assert [fold.name for fold in folds("cross", meta, test="emovo")] == ["corpus emovo"]
    with pytest.raises(ProtocolError, match="pooled bundle"):
        folds("cross-corpus", read_bundle(four_class_bundles[0]).meta)
    with pytest.raises(ProtocolError, match="no corpus 'tess'"):
        folds("cross-corpus", meta, test="tess")


def test_classification_trains_on_one_corpus_and_recognises_the_other(four_class_bundles, tmp_path):
    from ser_keras.cli.classification import main as classify

    pool = tmp_path / "pool"
    assert extract(["--pool", *map(str, four_class_bundles), "--out", str(pool)]) == 0
    out = tmp_path / "run"
    arguments = ["--features", str(pool), "--system", "stats-svm", "--protocol", "cross-corpus", "--out", str(out)]
    assert classify(arguments) == 0
    report = json.loads((out / "report.json").read_text())
    per_fold = {row["fold"]: row["ua"] for row in report["rows"]}
    # The pitches order the classes alike in both corpora, so each direction is far above chance (25%).
    assert set(per_fold) == {"corpus ravdess", "corpus emovo"}
    assert min(per_fold.values()) > 0.6, per_fold


def test_the_cross_corpus_benchmark_writes_one_column_per_test_corpus(four_class_bundles, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "cross_corpus.py"
    out = tmp_path / "out"
    command = [sys.executable, str(script), *map(str, four_class_bundles), "--pooled", str(tmp_path / "pool"),
               "--only", "stats-svm,compare-svm", "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = (out / "results.md").read_text()
    assert "| run | system | train emovo, test ravdess | train ravdess, test emovo |" in table
    row = next(line for line in table.splitlines() if line.startswith("| stats-svm |"))
    cells = [float(cell.strip().rstrip("%")) for cell in row.split("|")[3:5]]
    assert min(cells) > 60.0, row
    assert "Left out, their feature sets not in every bundle: compare-svm (compare)" in table


def _turev(root):
    for speaker in ("1157", "1234"):
        for label, code in (("angry", "kz"), ("neutral", "sk"), ("happy", "mt"), ("sad", "hl")):
            for word in ("acik", "okul"):
                write_tone(root / f"Sound Source/x/{speaker}_{code}_{word}.wav", 0.6, frequency=PITCH[label])
    return root


def test_a_corpus_without_neutral_lends_its_calm_to_the_shared_label_map(four_class_bundles, tmp_path):
    turev = tmp_path / "turev"
    arguments = ["--corpus", "turev", "--root", str(_turev(tmp_path / "release")), "--out", str(turev), "--dim", "8"]
    assert extract([*arguments, "--quiet", "--workers", "1", "--feature-sets", "acoustic_stats"]) == 0
    assert read_bundle(turev).classes == ["angry", "calm", "happy", "sad"]
    ravdess = tmp_path / "ravdess"
    ravdess_root = read_bundle(four_class_bundles[0]).manifest["corpus"]["root"]
    arguments = ["--corpus", "ravdess", "--root", ravdess_root, "--out", str(ravdess), "--dim", "8", "--quiet"]
    assert extract([*arguments, "--workers", "1", "--feature-sets", "acoustic_stats"]) == 0
    manifest = pool_bundles([ravdess, turev], tmp_path / "pool", labels="four")
    pooled = read_bundle(tmp_path / "pool")
    # RAVDESS keeps its own neutral (its calm is left out); TurEV-DB's calm is read as neutral.
    described = {corpus["name"]: corpus for corpus in manifest["corpus"]["corpora"]}
    assert "stand_ins" not in described["ravdess"] and described["turev"]["stand_ins"] == {"neutral": "calm"}
    rows = pooled.meta["corpus"] == "turev"
    labels = np.asarray(pooled.array("labels"))[rows.to_numpy()]
    ids = pooled.meta.loc[rows, "id"]
    neutral = pooled.classes.index("neutral")
    assert sorted(ids[labels == neutral]) == [f"turev/{s}_sk_{w}" for s in ("1157", "1234") for w in ("acik", "okul")]
    assert manifest["counts"] == {"angry": 12, "happy": 12, "neutral": 12, "sad": 12}
