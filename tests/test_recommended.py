"""Early and late fusion, and the recommended system's choice made on training speakers only."""

import json
import shutil

import numpy as np
import pytest

from ser_keras.systems import get_system
from ser_keras.systems.baselines import SearchedSVM
from ser_keras.systems.recommended import EarlyFusionSVM, LateFusionSVM, RecommendedSVM


def _blocks(seed=0, speakers=6, per_speaker=24):
    """A block that tells the class (``signal``) and one that does not (``noise``), with speakers."""
    rng = np.random.default_rng(seed)
    count = speakers * per_speaker
    targets = np.tile(np.arange(4), count // 4)
    signal = rng.normal(size=(count, 5)) + 2.0 * np.eye(4)[targets] @ rng.normal(size=(4, 5))
    noise = rng.normal(size=(count, 7))
    groups = np.repeat([f"speaker{index}" for index in range(speakers)], per_speaker)
    return {"signal": signal, "noise": noise}, targets, groups


def test_recommended_chooses_the_informative_block_from_training_speakers_alone():
    blocks, targets, groups = _blocks()
    train = np.flatnonzero(~np.isin(groups, ["speaker0"]))
    on_train = {name: values[train] for name, values in blocks.items()}
    model = RecommendedSVM([["noise"], ["signal"], ["signal", "noise"]]).fit(on_train, targets[train], groups[train])
    assert model.chosen_ in (["signal"], ["signal", "noise"])
    assert model.scores_["noise"] < 0.45 < model.scores_["signal"]
    # Each score is the grid search's on the training rows alone: the same call on them gives it again.
    _, again = SearchedSVM(0).search_grid(on_train["signal"], targets[train], groups[train])
    assert model.scores_["signal"] == pytest.approx(again)
    assert set(model.history_) == {"selection/noise", "selection/signal", "selection/signal+noise"}
    test = np.flatnonzero(groups == "speaker0")
    probabilities = model.predict_proba({name: values[test] for name, values in blocks.items()})
    assert probabilities.shape == (len(test), 4) and np.mean(probabilities.argmax(1) == targets[test]) > 0.6


def test_early_and_late_fusion_read_every_block():
    blocks, targets, groups = _blocks(seed=1)
    early = EarlyFusionSVM(["signal", "noise"]).fit(blocks, targets, groups)
    assert early.model_.model_.n_features_in_ == 12
    late = LateFusionSVM(["signal", "noise"]).fit(blocks, targets, groups)
    separate = [SearchedSVM(0).fit(blocks[name], targets, groups).predict_proba(blocks[name]) for name in late.names]
    np.testing.assert_allclose(late.predict_proba(blocks), np.mean(separate, axis=0))


def test_enrolment_is_declared_never_default():
    system = get_system("recommended")
    settings = system.make_settings()
    assert not settings.enrolment and "compare" in system.feature_sets(settings)
    assert all(not name.endswith("_by_speaker") for name in system.feature_sets(settings))
    enrolled = system.make_settings({"enrolment": "true", "sets": "egemaps,egemaps+compare"})
    assert system.feature_sets(enrolled) == ("egemaps_by_speaker", "compare_by_speaker")


def test_the_recommended_system_runs_and_reports_its_choice_per_fold(demo_bundle, tmp_path):
    from ser_keras.cli.classification import main as classify
    from ser_keras.features.bundle import read_bundle
    from ser_keras.features.sets import add_feature_sets

    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle)
    add_feature_sets(read_bundle(bundle), ["acoustic_stats", "hsf"], workers=1, progress=False)
    out = tmp_path / "run"
    candidates = "acoustic_stats,hsf,acoustic_stats+hsf"
    arguments = ["--features", str(bundle), "--system", "recommended", "--set", f"sets={candidates}"]
    assert classify([*arguments, "--protocol", "loso", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert len(report["rows"]) == 5 and all(0.0 <= row["ua"] <= 1.0 for row in report["rows"])
    for history in report["histories"]:
        assert set(history) == {f"selection/{name}" for name in candidates.split(",")}
