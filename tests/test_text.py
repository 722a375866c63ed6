from ser_keras.features.text import tokenize


def test_lower_case_no_punctuation_apostrophes_kept_inside_words():
    assert tokenize("Oh [LAUGHTER] I can't -- believe it's 'true'!") == ["oh", "i", "can't", "believe", "it's", "true"]


def test_nonspeech_marks_are_dropped():
    assert tokenize("[BREATHING] Yeah. [GARBAGE] Okay?") == ["yeah", "okay"]
    assert tokenize("[LAUGHTER]") == []
