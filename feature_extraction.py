"""Step 1 of 2: extract the paper's features from a corpus into a feature bundle.

    python feature_extraction.py --help

The work is done by ser_keras.cli.feature_extraction (also installed as the
console script ``ser-keras-features``).
"""

import sys

from ser_keras.cli.feature_extraction import main

if __name__ == "__main__":
    sys.exit(main())
