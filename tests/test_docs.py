"""The documentation: its pages build, its generated parts cover the registries, its examples run as written."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPOSITORY, page_example, write_tone

from ser_keras.docs_pages import MARKER, expand
from ser_keras.features.bundle import read_bundle

DOCS = REPOSITORY / "docs"


def plugin_environment(folder, variable, module):
    """The environment of a command that finds ``module`` (in ``folder``) through ``variable``."""
    env = dict(os.environ, **{variable: module})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    return env


def test_every_generated_part_expands_and_every_system_has_a_page():
    from ser_keras.systems import available, get_system

    on_system_pages = set()
    for page in DOCS.rglob("*.md"):
        text = page.read_text()
        expanded = expand(text)
        assert not MARKER.search(expanded), page
        for match in MARKER.finditer(text):
            if match.group(1) == "systems" and match.group(2) and page.name != "reference.md":
                on_system_pages |= {get_system(name.strip()).name for name in match.group(2).split(",")}
    # Every system is on a page of its paper (the settings and deviations there come from the registry).
    assert on_system_pages == set(available())
    reference = expand((DOCS / "reference.md").read_text())
    for name in (
        "multimodal",
        "camser",
        "hsf2",
        "ravdess",
        "leave-one-speaker-out",
        "arousal-valence",
        "svr",
        "table1",
    ):
        assert f"`{name}`" in reference
    with pytest.raises(ValueError, match="unknown generated part 'figures'"):
        expand("<!-- generated: figures -->")


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason='needs the docs extra: pip install -e ".[docs]"')
def test_the_pages_build_with_no_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPOSITORY, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "atmaja-bimodal" in (tmp_path / "site" / "systems" / "atmaja" / "index.html").read_text()


def test_a_feature_set_added_in_one_module_gets_its_flag_and_computes_into_a_bundle(demo_bundle, tmp_path):
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "frame_energy.py").write_text(page_example("adding/feature-set.md"))
    env = dict(os.environ, SER_KERAS_FEATURE_SETS="frame_energy")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    script = [sys.executable, str(REPOSITORY / "feature_extraction.py"), "--quiet"]
    listed = subprocess.run([*script, "--help"], capture_output=True, text=True, env=env)
    assert listed.returncode == 0 and "--energy-quantile" in listed.stdout and "frame_energy" in listed.stdout

    bundle_path = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle_path)
    arguments = ["--out", str(bundle_path), "--feature-sets", "frame_energy", "--energy-quantile", "0.5"]
    added = subprocess.run([*script, *arguments], capture_output=True, text=True, env=env)
    assert added.returncode == 0, added.stderr
    bundle = read_bundle(bundle_path)
    assert bundle.feature_sets["frame_energy"]["settings"]["quantile"] == 0.5
    frames, lengths = np.asarray(bundle.array("acoustic")), np.asarray(bundle.array("acoustic_lengths"))
    energy = [frames[row, : max(int(length), 1), 1] for row, length in enumerate(lengths)]
    expected = np.array([[values.mean(), np.median(values)] for values in energy], dtype=np.float32)
    np.testing.assert_allclose(np.asarray(bundle.array("frame_energy")), expected, rtol=1e-6)

    bad = subprocess.run([*script, *arguments[:4], "--energy-quantile", "x"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "--energy-quantile: invalid float value: 'x'" in bad.stderr


def test_a_corpus_added_in_one_module_reads_into_a_bundle(tmp_path):
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "emotion_folders.py").write_text(page_example("adding/corpus.md"))
    root = tmp_path / "corpus"
    for index, (emotion, speaker) in enumerate([(e, s) for e in ("angry", "sad", "calm") for s in ("s1", "s2")]):
        write_tone(root / emotion / f"{speaker}_{index}.wav", 0.6, frequency=150.0 + 20 * index)
    env = plugin_environment(folder, "SER_KERAS_CORPORA", "emotion_folders")
    out = tmp_path / "bundle"
    command = [sys.executable, str(REPOSITORY / "feature_extraction.py"), "--quiet", "--corpus", "emotion-folders"]
    result = subprocess.run([*command, "--root", str(root), "--out", str(out), "--labels", "four"],
                            capture_output=True, text=True, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    bundle = read_bundle(out)
    assert bundle.classes == ["angry", "sad"] and len(bundle.meta) == 4
    assert bundle.manifest["corpus"]["left_out"] == {"calm": 2}
    assert sorted(bundle.meta["speaker"].astype(str).unique()) == ["s1", "s2"]


def test_a_protocol_added_in_one_module_cuts_folds(demo_bundle, tmp_path):
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "cross_gender.py").write_text(page_example("adding/protocol.md"))
    env = plugin_environment(folder, "SER_KERAS_PROTOCOLS", "cross_gender")
    script = (
        "import json, sys\n"
        "from ser_keras.features.bundle import read_bundle\n"
        "from ser_keras.protocols import folds\n"
        "meta = read_bundle(sys.argv[1]).meta\n"
        "print(json.dumps([[f.name, f.train.tolist(), f.test.tolist()] for f in folds('xg', meta)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(demo_bundle[0])], capture_output=True, text=True,
                            env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    ((name, train, test),) = json.loads(result.stdout)
    speakers = read_bundle(demo_bundle[0]).meta["speaker"].astype(str).to_numpy()
    assert name == "tested on F" and sorted(train + test) == list(range(len(speakers)))
    assert {speakers[row][-1] for row in test} == {"F"} and {speakers[row][-1] for row in train} == {"M"}
    listed = subprocess.run([sys.executable, str(REPOSITORY / "classification.py"), "--help"], capture_output=True,
                            text=True, env=env)  # fmt: skip
    assert "cross-gender (xg): one gender trains, the other tests" in " ".join(listed.stdout.split())
