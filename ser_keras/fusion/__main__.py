"""``python -m ser_keras.fusion``: late fusion of finished runs (:mod:`ser_keras.cli.fusion`)."""

import sys

from ..cli.fusion import main

sys.exit(main())
