"""``python -m ser_keras.speech2vec train|evaluate``: see :mod:`ser_keras.cli.speech2vec`."""

from ..cli.speech2vec import main

raise SystemExit(main())
