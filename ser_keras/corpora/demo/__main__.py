"""``python -m ser_keras.corpora.demo``: build or check the demo corpus (:mod:`ser_keras.cli.demo_corpus`)."""

import sys

from ...cli.demo_corpus import main

sys.exit(main())
