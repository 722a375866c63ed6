"""``python -m ser_keras.transcribe``: see :mod:`ser_keras.cli.transcribe`."""

import sys

from ..cli.transcribe import main

sys.exit(main())
