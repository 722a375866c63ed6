"""``python -m ser_keras.predict RUN_DIR file.wav``: the prediction command line (:mod:`ser_keras.cli.predict`)."""

import sys

from ..cli.predict import main

sys.exit(main())
