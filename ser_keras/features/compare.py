"""openSMILE's ComParE 2016 functionals: the INTERSPEECH Computational Paralinguistics baseline set."""

from __future__ import annotations

import numpy as np

from .audio import SAMPLE_RATE, load_audio
from .sets import FeatureSet, map_utterances, register_feature_set

_SMILE = []


def _smile():
    # One openSMILE instance per process: building it parses the configuration.
    if not _SMILE:
        import opensmile

        _SMILE.append(
            opensmile.Smile(
                feature_set=opensmile.FeatureSet.ComParE_2016, feature_level=opensmile.FeatureLevel.Functionals
            )
        )
    return _SMILE[0]


def compare_functionals(path):
    """The 6,373 ComParE 2016 functionals of one audio file (16 kHz mono), shape (6373,)."""
    return _smile().process_signal(load_audio(path), SAMPLE_RATE).to_numpy()[0].astype(np.float32)


def compare_names():
    """The names of the 6,373 functionals."""
    return list(_smile().feature_names)


# The feature sets of this family.


def _compare(context):
    """openSMILE ComParE 2016: 6,373 functionals per utterance, (N, 6373)."""

    arrays = {"compare": np.stack(map_utterances(compare_functionals, context, "ComParE 2016", isolate=True))}
    return arrays, {"feature_set": "ComParE_2016", "functionals": len(compare_names())}


register_feature_set(
    FeatureSet(
        "compare",
        "openSMILE ComParE 2016: 6,373 functionals (the INTERSPEECH Computational Paralinguistics baseline)",
        ("compare",),
        compute=_compare,
        packages=("numpy", "opensmile"),
        shapes={"compare": ("utterances", 6373)},
        by_utterance=True,
    )
)
