"""``python -m ser_keras.corpora ROOT``: counts of an IEMOCAP tree beside the paper's."""

from ..cli.corpus_counts import main

raise SystemExit(main())
