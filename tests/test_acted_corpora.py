"""The readers of the acted corpora (RAVDESS, CREMA-D, TESS, SAVEE, EMOVO, TurEV-DB), on releases made of tones."""

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from conftest import write_tone

from ser_keras.corpora import crema_d, emovo, ravdess, savee, tess, turev
from ser_keras.corpora.loading import get_corpus
from ser_keras.corpora.utterance import CorpusError


def _tones(root, relatives, seconds=0.4):
    for index, relative in enumerate(relatives):
        write_tone(root / relative, seconds, frequency=180.0 + 15 * index)
    return root


@pytest.fixture
def ravdess_root(tmp_path):
    """Actors 1, 2 and 5: every emotion once (neutral at normal intensity), a song file, a stray name."""
    names = []
    for actor in (1, 2, 5):
        for emotion in range(1, 9):
            statement = 1 + emotion % 2
            names.append(f"Actor_{actor:02d}/03-01-{emotion:02d}-01-{statement:02d}-01-{actor:02d}.wav")
        names.append(f"Actor_{actor:02d}/03-02-03-01-01-01-{actor:02d}.wav")  # song
    names.append("Actor_02/03-01-05-01-01-01-05.wav")  # actor 05's file filed under actor 02
    names.append("Actor_01/notes.wav")
    return _tones(tmp_path / "ravdess", names)


def test_ravdess_reads_names_speakers_folds_and_sentences(ravdess_root):
    corpus = ravdess.read_ravdess(ravdess_root)
    assert len(corpus.utterances) == 24
    assert corpus.class_counts() == {name: 3 for name in sorted(ravdess.EMOTIONS.values())}
    assert corpus.excluded == Counter({"song, not speech": 3})
    assert corpus.notes == Counter({"file names outside the scheme": 2})
    first = corpus.utterances[0]
    assert first.id == "03-01-01-01-02-01-01" and first.label == "neutral" and first.speaker == "Actor_01"
    assert first.transcript == "Dogs are sitting by the door" and first.source_label == "01"
    assert first.duration == pytest.approx(0.4)
    # Fold groups of four consecutive actors: 1 and 2 in group 1, 5 in group 2.
    assert {u.speaker: u.session for u in corpus.utterances} == {"Actor_01": 1, "Actor_02": 1, "Actor_05": 2}


def test_ravdess_four_classes_and_published_counts(ravdess_root):
    corpus = ravdess.read_ravdess(ravdess_root, labels="four")
    assert sorted(corpus.class_counts()) == ["angry", "happy", "neutral", "sad"]
    assert corpus.excluded["calm"] == 3 and corpus.excluded["song, not speech"] == 3
    assert sum(ravdess.expected_counts().values()) == 1440 and ravdess.expected_counts()["neutral"] == 96
    assert ravdess.expected_counts("four") == {"angry": 192, "happy": 192, "neutral": 96, "sad": 192}


def test_crema_d_reads_actors_sentences_levels_and_folds(tmp_path):
    names = [
        "AudioWAV/1001_DFA_ANG_XX.wav",
        "AudioWAV/1001_IEO_HAP_HI.wav",
        "AudioWAV/1002_TSI_NEU_XX.wav",
        "AudioWAV/1006_WSI_SAD_LO.wav",
        "AudioWAV/1091_MTI_FEA_MD.wav",
        "AudioWAV/1091_ITH_DIS_XX.wav",
        "AudioWAV/1003_XYZ_ANG_XX.wav",  # no such sentence
    ]
    root = _tones(tmp_path / "CREMA-D", names)
    corpus = crema_d.read_crema_d(root)
    by_id = {u.id: u for u in corpus.utterances}
    assert len(by_id) == 6 and corpus.notes["file names outside the scheme"] == 1
    assert by_id["1001_DFA_ANG_XX"].transcript == "Don't forget a jacket" and by_id["1001_DFA_ANG_XX"].label == "angry"
    assert by_id["1091_ITH_DIS_XX"].label == "disgusted"
    # (actor - 1001) % 5 + 1: 1001 and 1006 share a group, 1091 is in group 1 too (90 % 5 == 0).
    assert {u.speaker: u.session for u in corpus.utterances} == {"1001": 1, "1002": 2, "1006": 1, "1091": 1}
    # The AudioWAV folder itself is a root too.
    assert len(crema_d.read_crema_d(root / "AudioWAV").utterances) == 6
    assert sum(crema_d.expected_counts().values()) == 7442


def test_crema_d_git_lfs_pointers_are_named_as_such(tmp_path):
    audio = tmp_path / "CREMA-D" / "AudioWAV"
    audio.mkdir(parents=True)
    (audio / "1001_DFA_ANG_XX.wav").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 41004\n", encoding="ascii"
    )
    with pytest.raises(CorpusError, match="Git LFS pointer, not audio"):
        crema_d.read_crema_d(tmp_path / "CREMA-D")


def test_tess_reads_file_names_whatever_the_folders_and_drops_duplicate_copies(tmp_path):
    names = [
        "OAF_angry/OAF_back_angry.wav",
        "OAF_Fear/OAF_back_fear.wav",
        "OAF_Pleasant_surprise/OAF_bar_ps.wav",
        "YAF_neutral/YAF_dog_neutral.wav",
        "YAF_sad/YAF_dog_sad.wav",
        "YAF_disgust/YAF_dog_disgust.wav",
        "YAF_happy/YAF_yes_happy.wav",
        "copy/YAF_happy/YAF_yes_happy.wav",  # a second copy nested in the first, as some archives have
        "YAF_happy/YAF_yes_happy_v2.wav",
    ]
    corpus = tess.read_tess(_tones(tmp_path / "TESS", names))
    by_id = {u.id: u for u in corpus.utterances}
    assert len(by_id) == 7
    assert corpus.notes == Counter({"duplicate file names (first kept)": 1, "file names outside the scheme": 1})
    assert by_id["OAF_bar_ps"].label == "surprised" and by_id["OAF_back_fear"].label == "fearful"
    assert by_id["YAF_dog_neutral"].transcript == "Say the word dog"
    assert {u.speaker: u.session for u in corpus.utterances} == {"OAF": 1, "YAF": 2}
    assert sum(tess.expected_counts().values()) == 2800


def test_savee_reads_the_release_and_flattened_copies(tmp_path):
    release = _tones(tmp_path / "release", ["AudioData/DC/a01.wav", "AudioData/DC/sa02.wav", "AudioData/KL/n30.wav"])
    flat = _tones(tmp_path / "flat", ["ALL/JE_su15.wav", "ALL/JK_h03.wav", "ALL/JK_x03.wav"])
    corpus = savee.read_savee(release)
    assert [(u.id, u.label, u.speaker, u.session) for u in corpus.utterances] == [
        ("DC_a01", "angry", "DC", 1),
        ("DC_sa02", "sad", "DC", 1),
        ("KL_n30", "neutral", "KL", 4),
    ]
    assert all(u.transcript == "" for u in corpus.utterances)
    flattened = savee.read_savee(flat)
    assert [(u.id, u.label, u.session) for u in flattened.utterances] == [
        ("JE_su15", "surprised", 2),
        ("JK_h03", "happy", 3),
    ]
    assert sum(savee.expected_counts().values()) == 480


def test_emovo_reads_actors_sentences_and_folds(tmp_path):
    names = ["f1/neu-f1-b1.wav", "f1/rab-f1-d2.wav", "m3/tri-m3-n5.wav", "m3/gio-m3-l1.wav", "m3/xyz-m3-b1.wav"]
    root = _tones(tmp_path / "emovo", names)
    corpus = emovo.read_emovo(root)
    assert [(u.id, u.label, u.speaker, u.session) for u in corpus.utterances] == [
        ("neu-f1-b1", "neutral", "f1", 1),
        ("rab-f1-d2", "angry", "f1", 1),
        ("gio-m3-l1", "happy", "m3", 6),
        ("tri-m3-n5", "sad", "m3", 6),
    ]
    assert corpus.notes == Counter({"file names outside the scheme": 1})
    assert corpus.utterances[1].transcript == "Porti con te quella cosa?"
    assert len(emovo.SENTENCES) == 14 and sum(emovo.expected_counts().values()) == 588
    four = emovo.read_emovo(_tones(tmp_path / "four", ["f2/dis-f2-b1.wav", "f2/neu-f2-b2.wav"]), labels="four")
    assert [u.label for u in four.utterances] == ["neutral"] and four.excluded == Counter({"disgusted": 1})


def test_turev_reads_speakers_words_and_lends_calm_to_the_four_classes(tmp_path):
    names = ["Angry/1157_kz_acik.wav", "Calm/1157_sk_okul.wav", "Sad/7895_hl_ogul1.wav", "Sad/7895_hl_ogul.wav"]
    _tones(tmp_path / "turev" / "Sound Source", [*names, "Happy/9999_mt_kedi.wav", "Happy/1157_xx_kedi.wav"])
    corpus = turev.read_turev(tmp_path / "turev")
    assert [(u.id, u.label, u.speaker, u.session, u.transcript) for u in corpus.utterances] == [
        ("1157_kz_acik", "angry", "1157", 1, "acik"),
        ("1157_sk_okul", "calm", "1157", 1, "okul"),
        ("7895_hl_ogul", "sad", "7895", 6, "ogul"),
        ("7895_hl_ogul1", "sad", "7895", 6, "ogul"),
    ]
    assert corpus.notes == Counter({"file names outside the scheme": 2})
    four = turev.read_turev(tmp_path / "turev", labels="four")
    assert [u.label for u in four.utterances] == ["angry", "neutral", "sad", "sad"] and not four.excluded
    assert sum(turev.expected_counts().values()) == 1735
    assert turev.expected_counts("four") == {"angry": 487, "neutral": 408, "happy": 357, "sad": 483}


@pytest.mark.parametrize("kind", ["crema-d", "emovo", "ravdess", "savee", "tess", "turev"])
def test_a_root_of_another_corpus_gets_one_line_saying_what_was_expected(kind, ravdess_root, tmp_path):
    root = ravdess_root if kind != "ravdess" else _tones(tmp_path / "other", ["OAF_angry/OAF_back_angry.wav"])
    with pytest.raises(CorpusError) as error:
        get_corpus(kind).read(root, "all")
    message = str(error.value)
    assert "\n" not in message and "does not look like" in message and "expected" in message
    with pytest.raises(CorpusError, match="not found or not a folder"):
        get_corpus(kind).read(tmp_path / "missing", "all")


def test_corpus_counts_command_prints_counts_beside_the_published_ones(ravdess_root):
    result = subprocess.run(
        [sys.executable, "-m", "ser_keras.corpora", "ravdess", str(ravdess_root)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["class", "found", "expected"]
    rows = [line.split() for line in lines]
    assert ["angry", "3", "192"] in rows and ["neutral", "3", "96"] in rows
    assert ["total", "24", "1440"] in rows
    assert "per fold group: 1: 16, 2: 8" in lines
    assert "speakers: 3 (8-8 utterances each)" in lines
    wrong = subprocess.run(
        [sys.executable, "-m", "ser_keras.corpora", "tess", str(ravdess_root)], capture_output=True, text=True
    )
    assert wrong.returncode == 2 and wrong.stderr.startswith("error: ") and wrong.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "kind, names",
    [
        ("ravdess", [f"Actor_{a:02d}/03-01-{e:02d}-01-01-01-{a:02d}.wav" for a in (1, 6) for e in (3, 4, 5)]),
        (
            "crema-d",
            [f"AudioWAV/{a}_{s}_{e}_XX.wav" for a in (1001, 1002) for s, e in (("DFA", "ANG"), ("TIE", "SAD"))],
        ),
        ("tess", [f"{s}_x/{s}_{w}_{e}.wav" for s in ("OAF", "YAF") for w, e in (("back", "angry"), ("dog", "sad"))]),
        ("savee", [f"AudioData/{s}/{e}01.wav" for s in ("DC", "JE") for e in ("a", "sa", "h")]),
        ("emovo", [f"{s}/{e}-{s}-b1.wav" for s in ("f1", "m2") for e in ("rab", "tri", "gio")]),
        ("turev", [f"Sound Source/x/{s}_{e}_okul.wav" for s in ("1157", "1984") for e in ("kz", "hl", "mt")]),
    ],
)
def test_feature_extraction_reads_each_corpus(kind, names, tmp_path):
    from ser_keras.cli.feature_extraction import main
    from ser_keras.features.bundle import read_bundle

    root = _tones(tmp_path / kind, names, seconds=0.6)
    out = tmp_path / "bundle"
    # The command's own main, in this process (a subprocess per corpus would add its start-up four times).
    assert (
        main(["--corpus", kind, "--root", str(root), "--out", str(out), "--dim", "8", "--quiet", "--workers", "1"]) == 0
    )
    bundle = read_bundle(out)
    assert len(bundle.meta) == len(names)
    assert bundle.manifest["corpus"]["kind"] == kind and bundle.manifest["corpus"]["labels"] == "all"
    assert bundle.meta["speaker"].nunique() == 2 and bundle.meta["session"].nunique() == 2
    assert np.all(np.asarray(bundle.array("acoustic_lengths")) > 0)
