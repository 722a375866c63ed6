"""The frame every system plugs into: protocols, tasks and their metrics, resume, plug-in systems."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPOSITORY, page_example, recomputed_ua, run_feature_extraction

from ser_keras.evaluation.metrics import at_one_scores, ccc, dimensional_scores
from ser_keras.evaluation.reports import bundle_rows
from ser_keras.features.bundle import read_bundle
from ser_keras.protocols import available_protocols, folds, validation_split
from ser_keras.runner import run_protocol
from ser_keras.systems import Training, get_system
from ser_keras.tasks import DIMENSIONS, get_task, gold_classes


def classify(*arguments, env=None):
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "classification.py"), "--verbose", "0", *arguments],
        capture_output=True,
        text=True,
        env=env,
    )


def test_leave_one_speaker_out_tests_each_speaker_once_and_never_trains_on_it(demo_bundle):
    meta = read_bundle(demo_bundle[0]).meta
    speakers = meta["speaker"].astype(str).to_numpy()
    speaker_folds = folds("leave-one-speaker-out", meta)
    assert len(speaker_folds) == len(set(speakers)) == 10
    tested = np.concatenate([fold.test for fold in speaker_folds])
    assert sorted(tested.tolist()) == list(range(len(meta)))
    for fold in speaker_folds:
        (speaker,) = set(speakers[fold.test])
        assert fold.name == f"speaker {speaker}" and speaker not in set(speakers[fold.train])


def test_the_validation_split_never_holds_a_test_fold_speaker(demo_bundle):
    meta = read_bundle(demo_bundle[0]).meta
    # As if pooled from two corpora (sessions 1-3 one, 4-5 the other), for the cross-corpus protocol.
    meta["corpus"] = np.where(meta["session"].astype(int) <= 3, "first", "second")
    speakers = meta["speaker"].astype(str).to_numpy()
    labels = meta["label"].astype("category").cat.codes.to_numpy()
    for protocol in available_protocols():
        for fold in folds(protocol, meta, labels):
            for seed in range(3):
                fit, validation = validation_split(speakers, fold.train, 0.2, seed)
                assert len(validation) > 0 and len(fit) > 0
                assert sorted(np.concatenate([fit, validation]).tolist()) == sorted(fold.train.tolist())
                assert not set(validation) & set(fold.test)
                if protocol != "speaker-dependent":  # there every speaker is in both parts by design
                    assert not set(speakers[validation]) & set(speakers[fold.test])
                    assert not set(speakers[validation]) & set(speakers[fit])  # whole speakers


def test_speaker_dependent_split_holds_out_a_share_of_every_speaker_and_class(demo_bundle):
    meta = read_bundle(demo_bundle[0]).meta
    labels = meta["label"].to_numpy()
    (fold,) = folds("speaker-dependent", meta, labels)
    assert not set(fold.train) & set(fold.test) and len(fold.train) + len(fold.test) == len(meta)
    tested = meta.iloc[fold.test]
    # 8 utterances per speaker, 2 per class: 2 of each speaker test, of two different classes.
    assert tested.groupby("speaker").size().tolist() == [2] * 10
    assert tested.groupby("speaker")["label"].nunique().tolist() == [2] * 10


def test_ccc_equals_a_hand_computation():
    truth, predicted = [1, 2, 3, 4], [2, 2, 4, 5]
    # Means 2.5 and 3.25; population variances 1.25 and 1.6875; covariance 1.375.
    assert ccc(truth, predicted) == pytest.approx(2 * 1.375 / (1.25 + 1.6875 + 0.75**2))
    assert ccc(truth, truth) == pytest.approx(1.0)
    assert ccc(truth, [5, 4, 3, 2]) < 0
    scores = dimensional_scores(np.array([truth, truth]).T, np.array([predicted, truth]).T, ("valence", "arousal"))
    assert scores["ccc_mean"] == pytest.approx((11 / 14 + 1) / 2)
    assert scores["per_dimension"]["arousal"]["rmse"] == 0


def test_precision_recall_f1_at_one_equal_a_hand_computation():
    gold = [[1, 0, 1], [0, 1, 0], [1, 1, 1]]
    probabilities = [[0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.1, 0.7, 0.2]]  # top: 0 (hit), 2 (miss), 1 (hit)
    result = at_one_scores(gold, probabilities)
    assert result["precision_at_1"] == pytest.approx(2 / 3)
    assert result["recall_at_1"] == pytest.approx((1 / 2 + 0 + 1 / 3) / 3)
    precision, recall = 2 / 3, (1 / 2 + 0 + 1 / 3) / 3
    assert result["f1_at_1"] == pytest.approx(2 * precision * recall / (precision + recall))
    # The authors' code, on one batch holding the three: 2PR / (P + R + 1e-3).
    assert result["f1_at_1"] == pytest.approx(2 * precision * recall / (precision + recall + 1e-3), abs=1e-3)


def test_gold_classes_are_the_most_voted_with_ties():
    from ser_keras.tasks import gold_classes

    votes = np.array([[2, 1, 0], [1, 1, 1], [0, 0, 3], [0, 0, 0]])
    assert gold_classes(votes).astype(int).tolist() == [[1, 0, 0], [1, 1, 1], [0, 0, 1], [0, 0, 0]]


def test_dimensional_targets_are_scaled_on_training_rows_only():
    task = get_task("dimensional")
    ratings = np.array([[1, 2, 3], [5, 4, 3.5], [3, 3, 3], [9, 9, 9]], dtype=np.float32)  # row 3: a test row
    state = task.fit(ratings, np.array([0, 1, 2]), ["a"])
    assert state["low"] == [1, 2, 3] and state["high"] == [5, 4, 3.5]
    targets = task.targets(ratings, np.arange(4), state)
    assert targets["valence"][:3, 0].tolist() == [-1, 1, 0] and targets["valence"][3, 0] > 1
    decoded = task.decode(targets, state)["dimensions"]
    np.testing.assert_allclose(decoded, ratings, rtol=1e-5)


def test_an_interrupted_run_resumes_without_retraining_finished_folds(demo_bundle, tmp_path):
    bundle = read_bundle(demo_bundle[0])
    system, training = get_system("acoustic"), Training(epochs=1, batch_size=16)
    trained = []

    def interrupt_at_third_fold(line):
        if line.startswith("\n"):
            trained.append(line.strip())
            if len(trained) == 3:
                raise KeyboardInterrupt

    def interrupt_at_first_fold(line):
        if line.startswith("\n"):
            trained.append(line.strip())
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_protocol(
            system, bundle, "loso", [0], training=training, out=tmp_path, verbose=0, log=interrupt_at_third_fold
        )
    assert sorted(path.name for path in (tmp_path / "folds").iterdir()) == [
        "seed0-session-1.json",
        "seed0-session-2.json",
    ]
    before = {path.name: path.read_text() for path in (tmp_path / "folds").iterdir()}
    trained.clear()
    run = run_protocol(system, bundle, "loso", [0], training=training, out=tmp_path, verbose=0, log=trained.append)
    assert run.resumed == 2 and [fold.fold for fold in run.folds] == [f"session {s}" for s in (1, 2, 3, 4, 5)]
    assert [line.strip().split(": ")[0] for line in trained if line.startswith("\n")] == [
        f"krishna2019/acoustic, seed 0, session {s}" for s in (3, 4, 5)
    ]
    for name, text in before.items():
        assert (tmp_path / "folds" / name).read_text() == text  # finished folds untouched
    # Other settings are another configuration: nothing is reused, so its first fold trains (stopped there).
    trained.clear()
    with pytest.raises(KeyboardInterrupt):
        run_protocol(system, bundle, "loso", [0], training=Training(epochs=2, batch_size=16), out=tmp_path, verbose=0,
                     log=interrupt_at_first_fold)  # fmt: skip
    assert len(trained) == 1 and trained[0].startswith("krishna2019/acoustic, seed 0, session 1:")


def test_a_run_predicts_the_annotators_votes(demo_bundle):
    bundle = read_bundle(demo_bundle[0])
    run = run_protocol(
        get_system("acoustic"), bundle, "paper", [0], training=Training(epochs=1, batch_size=16), tasks=["votes"],
        verbose=0, log=None,
    )  # fmt: skip
    scores = run.folds[0].scores["votes"]
    assert scores["recall_at_1"] <= scores["precision_at_1"]  # recall@1 divides a hit by the gold classes
    assert scores["ua"] == pytest.approx(recomputed_ua(bundle, run.folds[0], "votes", "votes"))
    probabilities = run.folds[0].predictions["votes"]["votes"]
    votes = np.asarray(bundle.array("votes"))[bundle_rows(bundle, run.folds[0].test_ids)]
    assert scores["f1_at_1"] == pytest.approx(at_one_scores(gold_classes(votes), probabilities)["f1_at_1"])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plugin")
    # The example of the documentation's page, as a newcomer copies it.
    (folder / "mean_frames_logistic.py").write_text(page_example("adding/system.md"))
    env = dict(os.environ, SER_KERAS_SYSTEMS="mean_frames_logistic")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    return folder, env


def test_a_system_added_in_one_module_runs_through_classification_py(
    plugin, demo_bundle, small_demo, tmp_path, monkeypatch
):
    folder, env = plugin
    bundle_path = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle_path)
    listed = classify("--list", env=env)
    assert (
        listed.returncode == 0
        and "mean-frames-logistic  (sklearn; tasks: categorical; reads: acoustic_stats)" in listed.stdout
    )

    out = tmp_path / "run"
    arguments = [
        "--features",
        str(bundle_path),
        "--system",
        "mean-frames-logistic",
        "--set",
        "C=0.5",
        "--out",
        str(out),
    ]
    missing = classify(*arguments, env=env)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1] == (
        f"error: {bundle_path} lacks the feature set(s) acoustic_stats; add them with "
        f"`python feature_extraction.py --out {bundle_path} --feature-sets acoustic_stats`"
    )

    acoustic_before = (bundle_path / "acoustic.npy").stat().st_mtime_ns
    added = run_feature_extraction("--out", str(bundle_path), "--feature-sets", "acoustic_stats")
    assert added.returncode == 0, added.stderr
    assert (bundle_path / "acoustic.npy").stat().st_mtime_ns == acoustic_before  # nothing else recomputed
    bundle = read_bundle(bundle_path)
    declared = bundle.feature_sets["acoustic_stats"]
    assert declared["arrays"]["acoustic_stats"]["shape"] == [len(bundle.meta), 68] and declared["settings"]["versions"]

    result = classify(*arguments, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["system"]["name"] == "mean-frames-logistic" and report["settings"] == {"C": 0.5}
    assert (out / "model.joblib").is_file()
    predictions = pd.read_csv(out / "predictions.csv")
    from sklearn.metrics import balanced_accuracy_score

    assert report["summary"]["ua"]["mean"] == pytest.approx(
        balanced_accuracy_score(predictions["label"], predictions["predicted"])
    )

    # Prediction goes through the same registry: the new file's features come from its audio. The plugin
    # registers into copies of the registry's tables (the package's systems discovered first), which the end
    # of the test puts back: the other tests of this process see the package's systems only.
    import ser_keras.systems as systems
    from ser_keras.corpora import read_iemocap
    from ser_keras.predict import Predictor

    monkeypatch.setattr(systems.SYSTEMS, "_items", dict(systems.SYSTEMS.available()))
    monkeypatch.setattr(systems.SYSTEMS, "_aliases", dict(systems.SYSTEMS.aliases()))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("SER_KERAS_SYSTEMS", "mean_frames_logistic")
    monkeypatch.setattr(systems.SYSTEMS, "_discovered", False)
    predictions = pd.read_csv(out / "predictions.csv")
    utterance = {u.id: u for u in read_iemocap(small_demo).utterances}[predictions["id"][0]]
    predictor = Predictor(out)
    probabilities = predictor.predict(utterance.wav_path)
    expected = [predictions[f"p_{name}"][0] for name in predictor.classes]
    np.testing.assert_allclose(list(probabilities.values()), expected, rtol=1e-4, atol=1e-6)


def test_several_tasks_at_once_and_runs_side_by_side(demo_bundle, tmp_path):
    out = tmp_path / "multitask"
    arguments = [
        "--features",
        str(demo_bundle[0]),
        "--system",
        "acoustic",
        "--task",
        "categorical",
        "--task",
        "dimensional",
    ]
    assert classify_here(*arguments, "--epochs", "1", "--out", str(out)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["tasks"] == ["categorical", "dimensional"]
    assert set(report["headline"]) >= {"ua", "wa", "ccc_mean", "ccc_valence"}
    for name in ("scatter.png", "confusion.png", "curves.png"):
        assert (out / name).is_file(), name
    predictions = pd.read_csv(out / "predictions.csv")
    assert {"label", "predicted", "valence", "predicted_valence", "p_sad"} <= set(predictions.columns)
    assert 1 <= predictions["predicted_valence"].min() and predictions["predicted_valence"].max() <= 5.5
    # The reported scores are those of the predictions written beside them.
    from sklearn.metrics import balanced_accuracy_score

    pooled = report["pooled"]
    assert pooled["categorical"]["ua"] == pytest.approx(
        balanced_accuracy_score(predictions["label"], predictions["predicted"])
    )
    recomputed = [ccc(predictions[name], predictions[f"predicted_{name}"]) for name in DIMENSIONS]
    assert pooled["dimensional"]["ccc_mean"] == pytest.approx(np.mean(recomputed), abs=1e-5)

    single = tmp_path / "categorical-seed1"
    assert classify_here("--features", str(demo_bundle[0]), "--system", "acoustic", "--seed", "1", "--epochs", "1",
                         "--out", str(single)) == 0  # fmt: skip
    compared = subprocess.run(
        [sys.executable, "-m", "ser_keras.evaluation", str(out), str(single)], capture_output=True, text=True
    )
    assert compared.returncode == 0, compared.stderr
    lines = compared.stdout.splitlines()
    assert lines[0].startswith("| system | tasks | corpus | protocol | seeds | changed | ua | wa | ccc_mean |")
    # Each run changed the epochs from the system's 20: the flag column says so.
    assert lines[2].startswith(
        "| krishna2019/acoustic | categorical, dimensional | demo (4 classes) | paper | 0 | epochs=1 |"
    )
    assert lines[3].startswith("| krishna2019/acoustic * | categorical | demo (4 classes) | paper | 1 | epochs=1 |")
    assert "| - |" in lines[3] and "not comparable" in compared.stdout


def test_unknown_systems_settings_and_tasks_are_one_line_errors(demo_bundle, capsys):
    assert classify_here("--features", str(demo_bundle[0]), "--system", "nope") == 2
    stderr = capsys.readouterr().err
    prefix = "error: no system named 'nope'; available: "
    assert stderr.startswith(prefix), stderr
    (line,) = stderr.splitlines()
    listed = line[len(prefix) :].split(", ")
    papers = {"krishna2019/acoustic", "krishna2019/embedding", "krishna2019/multimodal"}
    assert listed == sorted(listed) and papers <= set(listed), line
    for arguments, message in (
        (["--set", "lstm_units=many"], "error: setting lstm_units: expected int, got 'many'"),
        (["--set", "depth=3"], "error: system krishna2019/multimodal has no setting depth"),
    ):
        assert classify_here("--features", str(demo_bundle[0]), *arguments) == 2
        stderr = capsys.readouterr().err
        assert stderr.strip().startswith(message), stderr


def test_no_code_outside_the_registry_compares_a_system_name():
    import re

    names = "|".join(("acoustic", "embedding", "multimodal"))
    # A model, kind or system compared with one of the paper's system names, as the code once did.
    pattern = r"""\b\w*(model|kind|system)(\.name)?\s*(==|!=|\bin\b|\bnot in\b)\s*\(?\s*["']({0})["']"""
    comparison = re.compile(pattern.format(names))
    assert comparison.search('if kind == "multimodal":') and comparison.search("if kind in ('acoustic', 'x'):")
    assert comparison.search('if args.model != "acoustic" and x') and comparison.search('system.name == "embedding"')
    assert not comparison.search('if embedding.get("mode") == "acoustic":')
    allowed = {REPOSITORY / "ser_keras" / "experiments.py"}
    offending = []
    for path in (REPOSITORY / "ser_keras").rglob("*.py"):
        if "systems" in path.parts or path in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if comparison.search(line):
                offending.append(f"{path.relative_to(REPOSITORY)}:{number}: {line.strip()}")
    assert not offending, offending


def test_adding_a_feature_set_is_atomic(demo_bundle, tmp_path):
    from ser_keras.features.bundle import BundleError, add_feature_set

    shutil.copytree(demo_bundle[0], tmp_path / "bundle")
    bundle = read_bundle(tmp_path / "bundle")
    manifest_before = (bundle.path / "manifest.json").read_text()
    rows = len(bundle.meta)

    class InterruptedWhileWritten:
        """An array whose conversion is interrupted, as by Ctrl-C halfway through writing a set."""

        def __len__(self):
            return rows

        def __array__(self, *arguments, **keywords):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        add_feature_set(bundle, "partial", {"first": np.zeros((rows, 2)), "second": InterruptedWhileWritten()}, {})
    assert (bundle.path / "manifest.json").read_text() == manifest_before
    assert not (bundle.path / "sets").exists() or not any((bundle.path / "sets").iterdir())
    with pytest.raises(BundleError, match="has 3 rows, the bundle"):
        add_feature_set(bundle, "short", {"short": np.zeros((3, 2))}, {})
    added = add_feature_set(bundle, "ones", {"ones": np.ones((rows, 2), np.float32)}, {"what": "ones"})
    assert added.array("ones").shape == (rows, 2) and added.feature_sets["ones"]["settings"] == {"what": "ones"}
    assert "ones" not in bundle.feature_sets  # the Bundle read before is not changed in place
    # A bundle without word vectors: the base set cannot be added by name, extraction writes it.
    from dataclasses import replace

    sets = {name: value for name, value in added.feature_sets.items() if name != "words"}
    without_words = replace(added, manifest={**added.manifest, "feature_sets": sets})
    with pytest.raises(BundleError, match="has no words feature set; re-run feature_extraction.py"):
        without_words.require_sets(["acoustic", "words"])
    with pytest.raises(BundleError, match="--feature-sets acoustic_stats`$"):
        without_words.require_sets(["acoustic", "acoustic_stats"])


def test_a_preset_is_the_systems_and_explicit_changes_override_it():
    from ser_keras.systems import get_system

    camser = get_system("camser")
    settings, training = camser.configure("demo", {"lstm_units": "8"}, {"epochs": 2})
    assert (settings.image_height, settings.alexnet_width, settings.lstm_units) == (0, 0.25, 8)
    assert (training.learning_rate, training.epochs, training.patience) == (1e-3, 2, 5)
    plain, plain_training = camser.configure()
    assert plain == camser.make_settings() and plain_training == camser.training
    with pytest.raises(ValueError, match="system zou2022/camser has no preset 'huge' \\(its presets: demo\\)"):
        camser.configure("huge")
    with pytest.raises(ValueError, match="system krishna2019/acoustic has no preset 'demo' \\(its presets: none\\)"):
        get_system("acoustic").configure("demo")


def classify_here(*arguments):
    """classification.py's main in this process (TensorFlow is loaded once): its exit status."""
    from ser_keras.cli.classification import main

    try:
        return main(["--verbose", "0", *arguments])
    except SystemExit as exit:
        return exit.code


def test_a_recorded_run_runs_again_exactly_from_its_run_json(demo_bundle, tmp_path, capsys):
    first = tmp_path / "first"
    arguments = ["--features", str(demo_bundle[0]), "--system", "embedding", "--epochs", "1", "--batch-size", "64"]
    assert classify_here(*arguments, "--set", "lstm_units=8", "--seed", "3", "--out", str(first)) == 0
    again = tmp_path / "again"
    assert classify_here("--config", str(first / "run.json"), "--out", str(again)) == 0
    recorded, rerun = (json.loads((folder / "run.json").read_text()) for folder in (first, again))
    for key in ("system", "settings", "training", "tasks", "protocol", "seeds", "features"):
        assert rerun[key] == recorded[key], key
    pd.testing.assert_frame_equal(pd.read_csv(first / "predictions.csv"), pd.read_csv(again / "predictions.csv"))

    changed = tmp_path / "changed"
    assert classify_here("--config", str(first), "--epochs", "2", "--out", str(changed)) == 0
    report = json.loads((changed / "report.json").read_text())
    assert report["training"]["epochs"] == 2 and report["settings"]["lstm_units"] == 8
    capsys.readouterr()
    assert classify_here("--config", str(tmp_path / "nothing.json")) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --config") and len(error.splitlines()) == 1


def test_an_experiment_file_runs_its_runs_and_fusions_and_runs_again_from_finished_folds(demo_bundle, tmp_path, capsys):
    bundle_path = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle_path)
    experiment = tmp_path / "small.toml"
    experiment.write_text(
        f'bundle = "{bundle_path}"\nruns_folder = "{tmp_path / "runs"}"\ntable = "{tmp_path / "table.md"}"\n\n'
        '[[run]]\nname = "stats"\nsystem = "stats-svm"\n\n'
        '[[run]]\nname = "knn"\nsystem = "knn"\nsettings = { features = "hsf" }\nprotocol = "loso"\n\n'
        '[[run]]\nname = "stats-again"\nsystem = "stats-svm"\nprotocol = "loso"\n\n'
        '[[run]]\nname = "mean"\nfuse = ["knn", "stats-again"]\nmethod = "mean"\n'
    )
    assert classify_here("--config", str(experiment)) == 0
    # The sets the systems read were added to the bundle; each run has its folder and the table every row.
    assert {"acoustic_stats", "hsf"} <= set(read_bundle(bundle_path).feature_sets)
    table = (tmp_path / "table.md").read_text()
    for name in ("stats", "knn", "stats-again", "mean"):
        assert (tmp_path / "runs" / name / "report.json").is_file() and f"| {name} |" in table
    knn = json.loads((tmp_path / "runs" / "knn" / "report.json").read_text())
    assert knn["protocol"] == "leave-one-session-out" and knn["settings"]["features"] == "hsf"

    assert classify_here("--config", str(experiment)) == 0
    assert (tmp_path / "table.md").read_text() == table
    assert json.loads((tmp_path / "runs" / "knn" / "report.json").read_text())["resumed_folds"] == 5

    experiment.write_text('[[run]]\nname = "x"\nsystem = "knn"\nepochs = 3\n')
    capsys.readouterr()
    assert classify_here("--config", str(experiment)) == 2
    assert capsys.readouterr().err.strip().startswith(f"error: {experiment}: run 1: unknown epochs")


def test_a_run_uses_its_systems_own_protocol_unless_told_another(demo_bundle, tmp_path):
    from dataclasses import replace

    from ser_keras.features.sets import add_feature_sets
    from ser_keras.systems import get_system

    assert (
        get_system("mate").protocol == "leave-one-session-out"
        and get_system("camser").protocol == get_system("mate").protocol
    )
    assert get_system("multimodal").protocol == "paper"
    shutil.copytree(demo_bundle[0], tmp_path / "bundle")  # the session's bundle stays as the other tests expect
    bundle = add_feature_sets(read_bundle(tmp_path / "bundle"), ["acoustic_stats"], progress=False, log=None)
    by_speaker = replace(get_system("stats-svm"), protocol="leave-one-speaker-out")
    run = run_protocol(by_speaker, bundle, seeds=[0], log=None)
    assert run.protocol == "leave-one-speaker-out" and len(run.folds) == bundle.meta["speaker"].nunique()
    assert run_protocol(by_speaker, bundle, "paper", seeds=[0], log=None).protocol == "paper"


def test_paper_flags_come_from_the_systems_and_experiments_that_declare_them(demo_bundle, capsys):
    from ser_keras.cli.classification import build_parser, system_flags
    from ser_keras.paper_experiments import EXPERIMENTS

    flags = system_flags()
    assert set(flags) == {"--trainable-embeddings", "--finetune-encoder"}
    assert flags["--finetune-encoder"][1] == ["zou2022/camser"]
    assert set(EXPERIMENTS.available()) == {"table1", "table2", "table3", "all"}
    text = build_parser().format_help()
    assert "--speech-vectors DIM=PATH" in text and "--trainable-embeddings" in text
    # The generic parser's own source names no paper's flag: each is built from a declaration.
    source = (REPOSITORY / "ser_keras" / "cli" / "classification.py").read_text()
    assert not any(flag in source for flag in ("trainable", "finetune", "speech-vectors", "table1"))

    bundle = str(demo_bundle[0])
    cases = (
        (["--system", "svm", "--trainable-embeddings"], "error: --trainable-embeddings is a flag of krishna2019/"),
        (["--speech-vectors", "50=x.vec"], "error: --speech-vectors is an option of --experiment"),
        (["--experiment", "table1", "--speech2vec-epochs", "0"], "error: --speech2vec-epochs must be at least 1"),
        (["--experiment", "table1", "--speech-vectors", "50"], "error: --speech-vectors: expected DIM=PATH, got '50'"),
    )
    for arguments, message in cases:
        assert classify_here("--features", bundle, *arguments) == 2
        assert message in capsys.readouterr().err
