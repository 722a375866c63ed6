"""Step 2 of 2: train and evaluate the paper's models on a feature bundle.

    python classification.py --help

The work is done by ser_keras.cli.classification (also installed as the console
script ``ser-keras-classify``).
"""

import sys

from ser_keras.cli.classification import main

if __name__ == "__main__":
    sys.exit(main())
