import pytest

from ser_keras.corpora import PAPER_CLASS_COUNTS, CorpusError, count_report, read_iemocap
from ser_keras.corpora.iemocap import read_transcriptions, read_wdseg, speaker_of


def by_id(corpus):
    return {utterance.id: utterance for utterance in corpus.utterances}


def test_paper_label_set_merges_happy_and_counts_what_is_left_out(mini_iemocap):
    corpus = read_iemocap(mini_iemocap)
    utterances = by_id(corpus)
    assert sorted(utterances) == [
        "Ses01F_script01_1_F000",
        "Ses01F_script01_1_M000",
        "Ses01F_script01_1_M002",
        "Ses02M_impro03_F000",
    ]
    assert utterances["Ses01F_script01_1_M000"].label == "excited"
    assert utterances["Ses01F_script01_1_M000"].source_label == "hap"
    assert utterances["Ses01F_script01_1_F000"].label == "neutral"
    assert corpus.excluded == {"fru": 1}
    assert sorted(corpus.skipped) == [
        ("Ses01F_script01_1_F002", "no transcript"),
        ("Ses01F_script01_1_M001", "no wav"),
    ]
    assert corpus.notes["no word alignment"] == 1  # M002 has no .wdseg
    assert corpus.class_counts() == {"excited": 2, "neutral": 1, "sad": 1}


def test_all_labels_keeps_every_code_under_its_name(mini_iemocap):
    corpus = read_iemocap(mini_iemocap, labels="all")
    labels = {u.id: u.label for u in corpus.utterances}
    assert labels["Ses01F_script01_1_F001"] == "frustrated"
    assert labels["Ses01F_script01_1_M000"] == "happy"
    assert labels["Ses01F_script01_1_M002"] == "excited"
    assert not corpus.excluded


def test_sessions_speakers_times_and_ratings_come_from_the_files(mini_iemocap):
    utterances = by_id(read_iemocap(mini_iemocap))
    first = utterances["Ses01F_script01_1_F000"]
    assert (first.session, first.speaker) == (1, "Ses01F")
    assert utterances["Ses01F_script01_1_M000"].speaker == "Ses01M"
    # Speaker from the last part of the name, session from its first: Ses02M_impro03_F000 is Ses02F.
    assert (utterances["Ses02M_impro03_F000"].session, utterances["Ses02M_impro03_F000"].speaker) == (2, "Ses02F")
    assert first.duration == pytest.approx(8.2357 - 6.2901)
    assert (first.valence, first.arousal, first.dominance) == (2.5, 2.5, 2.5)
    assert first.annotator_labels == ("Neutral", "Neutral;Frustration", "Neutral")
    # Votes in the paper's label set: frustration is not one of its classes.
    assert first.votes == ("neutral", "neutral", "neutral")
    assert (first.dialogue, first.start) == ("Ses01F_script01_1", 6.2901)
    assert first.wav_path.name == "Ses01F_script01_1_F000.wav" and first.wav_path.is_file()


def test_ratings_outside_the_scale_are_clipped_as_atmajas_code_does(mini_iemocap):
    # IEMOCAP holds a few averages of 5.5 and 0.5; the ATSIP code clips them to the 1-5 scale.
    evaluation = mini_iemocap / "Session1/dialog/EmoEvaluation/Ses01F_script01_1.txt"
    text = evaluation.read_text()
    evaluation.write_text(text.replace("[4.0000, 3.5000, 3.0000]", "[5.5000, 0.5000, 3.0000]"))
    turn = by_id(read_iemocap(mini_iemocap))["Ses01F_script01_1_M000"]
    assert (turn.valence, turn.arousal, turn.dominance) == (5.0, 1.0, 3.0)


def test_transcripts_keep_nonspeech_marks_and_ignore_xx_and_untimed_lines(mini_iemocap):
    texts = read_transcriptions(mini_iemocap / "Session1/dialog/transcriptions/Ses01F_script01_1.txt")
    assert texts["Ses01F_script01_1_F000"] == "Excuse me [LAUGHTER]."
    assert texts["Ses01F_script01_1_M000"] == "What? Oh, that's great!"
    assert not any("XX" in name for name in texts)
    assert len(texts) == 5


def test_wdseg_drops_silence_and_noise_and_reduces_pronunciation_variants(mini_iemocap):
    utterances = by_id(read_iemocap(mini_iemocap))
    words = utterances["Ses01F_script01_1_F000"].words
    assert [(w.word, w.start, w.end) for w in words] == [("excuse", 0.33, 0.53), ("me", 0.61, 0.89)]
    words = utterances["Ses01F_script01_1_M000"].words
    assert [w.word for w in words] == ["what", "oh", "that's", "great"]
    assert utterances["Ses01F_script01_1_M002"].words == ()


def test_malformed_wdseg_row_names_file_and_line(tmp_path):
    path = tmp_path / "bad.wdseg"
    path.write_text(" SFrm  EFrm    SegAScr Word\n    0    10  -1 <s>\n   11  twelve  -1 HELLO\n")
    with pytest.raises(CorpusError, match=r"bad.wdseg:3"):
        read_wdseg(path)


def test_a_folder_that_is_not_iemocap_gets_one_clear_error(tmp_path):
    (tmp_path / "music").mkdir()
    with pytest.raises(CorpusError, match="is not an IEMOCAP tree"):
        read_iemocap(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        read_iemocap(tmp_path / "nowhere")


def test_the_parent_of_the_release_gets_a_hint(mini_iemocap):
    with pytest.raises(CorpusError, match="did you mean .*IEMOCAP_full_release"):
        read_iemocap(mini_iemocap.parent)


def test_session_filter(mini_iemocap):
    assert {u.session for u in read_iemocap(mini_iemocap, sessions=[2]).utterances} == {2}
    with pytest.raises(CorpusError, match=r"session\(s\) \[3\] not found"):
        read_iemocap(mini_iemocap, sessions=[2, 3])
    with pytest.raises(CorpusError, match="labels must be one of"):
        read_iemocap(mini_iemocap, labels="five")


def test_count_report_sets_counts_beside_the_expected_ones(mini_iemocap):
    report = count_report(read_iemocap(mini_iemocap), expected=PAPER_CLASS_COUNTS)
    assert "angry" in report and "1103" in report and "5531" in report
    assert "left out by label set: fru 1" in report
    assert "no transcript 1" in report and "no wav 1" in report
    assert sum(PAPER_CLASS_COUNTS.values()) == 5531


def test_speaker_of_rejects_names_that_are_not_turns():
    assert speaker_of("Ses05M_script02_2b_F013") == "Ses05F"
    with pytest.raises(CorpusError):
        speaker_of("Ses01F_script01_1_MXX0")
