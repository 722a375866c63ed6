"""``python -m ser_keras.app``: see :mod:`ser_keras.cli.app`."""

import sys

from ..cli.app import main

sys.exit(main())
