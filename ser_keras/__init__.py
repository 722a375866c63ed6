"""ser_keras: multi-modal speech emotion recognition (Krishna and Reddy, AVSP 2019) in Keras."""

from .version import __version__


def load_run(run_dir):
    """A run folder of ``classification.py`` loaded: model, classes, vocabulary (:func:`ser_keras.predict.load_run`).

    Imported on call, so that ``import ser_keras`` does not start TensorFlow.
    """
    from .predict import load_run as load

    return load(run_dir)


__all__ = ["__version__", "load_run"]
