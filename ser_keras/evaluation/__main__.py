"""``python -m ser_keras.evaluation RUN_DIR ...``: see :mod:`ser_keras.cli.evaluation`."""

from ..cli.evaluation import main

raise SystemExit(main())
