"""ser_keras: multi-modal speech emotion recognition (Krishna and Reddy, AVSP 2019) in Keras."""

__version__ = "0.1.0"
