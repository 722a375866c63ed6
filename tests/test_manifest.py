import pytest
from conftest import write_tone

from ser_keras.corpora import CorpusError, read_manifest


def write_manifest(folder, text):
    path = folder / "manifest.csv"
    path.write_text(text)
    return path


def test_relative_paths_resolve_against_the_csv_folder(tmp_path):
    write_tone(tmp_path / "audio" / "a.wav", 0.5)
    write_tone(tmp_path / "audio" / "b.wav", 1.25)
    path = write_manifest(
        tmp_path,
        "path,transcript,label,speaker,session\n"
        "audio/a.wav,what a lovely day,excited,spk1,1\n"
        f"{tmp_path / 'audio' / 'b.wav'},leave me alone,angry,spk2,\n",
    )
    first, second = read_manifest(path)
    assert first.wav_path == tmp_path / "audio" / "a.wav"
    assert (first.id, first.label, first.speaker, first.session) == ("a", "excited", "spk1", 1)
    assert first.duration == pytest.approx(0.5)
    assert second.session is None and second.duration == pytest.approx(1.25)
    assert first.words == ()


def test_missing_column_is_named(tmp_path):
    path = write_manifest(tmp_path, "path,transcript,speaker\nx.wav,hi,s1\n")
    with pytest.raises(CorpusError, match="missing column\\(s\\) label"):
        read_manifest(path)


def test_missing_file_names_the_line(tmp_path):
    write_tone(tmp_path / "a.wav", 0.5)
    path = write_manifest(tmp_path, "path,transcript,label,speaker\na.wav,hi,sad,s1\nnope.wav,hi,sad,s1\n")
    with pytest.raises(CorpusError, match="line 3: audio file not found"):
        read_manifest(path)


@pytest.mark.parametrize(
    "row, message",
    [
        ("a.wav,hi,,s1,1", "line 2: empty 'label'"),
        ("a.wav,hi,sad,s1,one", "line 2: session must be an integer"),
    ],
)
def test_bad_rows_name_the_line(tmp_path, row, message):
    write_tone(tmp_path / "a.wav", 0.5)
    path = write_manifest(tmp_path, f"path,transcript,label,speaker,session\n{row}\n")
    with pytest.raises(CorpusError, match=message):
        read_manifest(path)


def test_duplicate_ids_are_refused(tmp_path):
    write_tone(tmp_path / "a.wav", 0.5)
    path = write_manifest(tmp_path, "path,transcript,label,speaker\na.wav,hi,sad,s1\na.wav,ho,sad,s1\n")
    with pytest.raises(CorpusError, match="line 3: id 'a' already used on line 2"):
        read_manifest(path)


def test_missing_manifest(tmp_path):
    with pytest.raises(CorpusError, match="manifest not found"):
        read_manifest(tmp_path / "none.csv")


def test_optional_dimension_columns(tmp_path):
    write_tone(tmp_path / "a.wav", 0.5)
    write_tone(tmp_path / "b.wav", 0.5)
    path = write_manifest(
        tmp_path,
        "path,transcript,label,speaker,valence,arousal,dominance\na.wav,hi,sad,s1,1.5,2,2.5\nb.wav,hi,sad,s1,,,\n",
    )
    rated, unrated = read_manifest(path)
    assert (rated.valence, rated.arousal, rated.dominance) == (1.5, 2.0, 2.5)
    assert (unrated.valence, unrated.arousal, unrated.dominance) == (None, None, None)
    bad = write_manifest(tmp_path, "path,transcript,label,speaker,arousal\na.wav,hi,sad,s1,high\n")
    with pytest.raises(CorpusError, match="line 2: arousal must be a number, got 'high'"):
        read_manifest(bad)
