"""``classification.py --experiment``: the paper's tables on the paper split, written to results.md."""

from __future__ import annotations

import sys
import time
from pathlib import Path

DEFAULT_RUNS = Path("runs")


def experiment(args, command, bundle, training, settings, speech_vectors, word_vectors, deviations, strategy=None):
    """Run the rows of ``args.experiment``, print and write ``results.md`` and ``results.json``."""
    from ..io import write_json
    from ..systems import get_system
    from ..systems.base import changes_from_defaults, describe_changes
    from ..systems.krishna_reddy.tables import results_markdown, run_experiment
    from ..trainers import Execution

    # The tables always train ENC2's embeddings, as the paper does; every other change from its settings is stated.
    changes = changes_from_defaults(get_system("multimodal"), settings, training)
    deviations = list(deviations) + describe_changes([c for c in changes if c["name"] != "trainable_embeddings"])

    out = args.out or DEFAULT_RUNS / f"experiments-{bundle.manifest.get('corpus', {}).get('kind', 'bundle')}"
    seeds = list(range(args.seed, args.seed + args.seeds))
    started = time.perf_counter()
    try:
        outcome = run_experiment(
            bundle,
            args.experiment,
            out,
            seeds,
            training,
            settings,
            speech_vectors,
            word_vectors,
            args.speech2vec_epochs,
            Execution(args.pipeline, strategy, verbose=args.verbose if args.verbose != 1 else 0),
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are kept in {out}/runs and reused on the next call", file=sys.stderr)
        return 130
    markdown = results_markdown(
        args.experiment, outcome, bundle, seeds, training, command, args.speech2vec_epochs, deviations
    )
    (out / "results.md").write_text(markdown)
    write_json(
        out / "results.json",
        {
            "experiment": args.experiment,
            "command": command,
            "seeds": seeds,
            "training": training.to_dict(),
            "settings": settings.to_dict(),
            "sources": outcome["sources"],
            "results": outcome["results"],
            "rows": [
                {"table": r.table, "system": r.system, "paper_ua": r.paper_ua, "key": r.key} for r in outcome["rows"]
            ],
        },
    )
    print()
    print(markdown)
    print(f"wrote {out}/results.md and results.json ({time.perf_counter() - started:.0f} s)")
    return 0
