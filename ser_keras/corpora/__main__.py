"""``python -m ser_keras.corpora ROOT``: counts of an IEMOCAP tree beside the paper's."""

from .iemocap import main

raise SystemExit(main())
