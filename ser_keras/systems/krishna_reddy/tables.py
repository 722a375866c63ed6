"""The paper's Tables 1-3, run on a feature bundle and written beside the paper's numbers.

Every table row is one model with one source of embeddings; a configuration
shared by two tables (the acoustic model, the fused model with 50-d speech
embeddings) is trained once. Each finished run is saved as it ends, so an
interrupted experiment resumes where it stopped.

Embeddings are given as files or trained locally: word vectors with word2vec
skip-gram on the bundle's transcripts, speech vectors with Speech2Vec on the
aligned words of the bundle's corpus, sessions 1-4 only (the paper split's
training sessions). As in sections 2.4 and 4.2, ENC2 is an embedding layer
initialised from the vectors and trained with the model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ...evaluation.metrics import summarise
from ...features.embeddings import load_vectors
from ...protocols.paper import TEST_SESSION, paper_split
from ...vector_sources import VectorSource, prepare_vectors, token_arrays

DIMS = (50, 100, 200, 300)


@dataclass(frozen=True)
class Row:
    """One row of one of the paper's tables.

    Attributes
    ----------
    table : str
    system : str
        As the paper names it.
    paper_ua : float
        The paper's unweighted accuracy, in percent.
    model : str or None
        ``acoustic``, ``embedding`` or ``multimodal``; None for other authors' systems
        that the paper quotes and this project does not reimplement.
    source : tuple of (str, int) or None
        ``("speech", dim)`` or ``("word", dim)`` for models with ENC2.
    """

    table: str
    system: str
    paper_ua: float
    model: str | None = None
    source: tuple | None = None

    @property
    def key(self):
        """The configuration's name, shared by rows that train the same thing."""
        if self.model is None:
            return None
        return self.model if self.source is None else f"{self.model}-{self.source[0]}-{self.source[1]}"


TABLES = {
    "table1": (
        "Table 1: uni-modal emotion recognition models",
        [
            Row("table1", "Acoustic feature only model", 55.01, "acoustic"),
            Row("table1", "Speech embedding only model", 60.03, "embedding", ("speech", 50)),
            Row("table1", "Word embedding only model", 60.68, "embedding", ("word", 50)),
        ],
    ),
    "table2": (
        "Table 2: single systems and their fusion",
        [
            Row("table2", "Bi-LSTM", 55.03, "acoustic"),
            Row("table2", "E-Vector", 57.25),
            Row("table2", "MCNN + LSTM", 64.33),
            Row("table2", "E-vector + MCNN + LSTM", 65.90),
            Row("table2", "Our system", 68.49, "multimodal", ("speech", 50)),
        ],
    ),
    "table3": (
        "Table 3: embedding size, speech against word embeddings (fused model)",
        [
            Row("table3", f"{dim}, {kind} embedding", paper, "multimodal", (kind, dim))
            for dim, speech, word in zip(DIMS, (68.49, 66.08, 64.87, 65.75), (67.12, 66.01, 66.80, 61.32))
            for kind, paper in (("speech", speech), ("word", word))
        ],
    ),
}


def rows_of(experiment):
    """The rows of ``table1``, ``table2``, ``table3`` or ``all``.

    Returns
    -------
    list of Row
    """
    names = list(TABLES) if experiment == "all" else [experiment]
    if any(name not in TABLES for name in names):
        raise ValueError(f"experiment must be one of {sorted(TABLES)} or all, got {experiment!r}")
    return [row for name in names for row in TABLES[name][1]]


def sources_needed(rows):
    """The distinct ``(kind, dim)`` embedding sources of some rows, sorted."""
    return sorted({row.source for row in rows if row.source is not None})


def vector_source(source, given=None, speech2vec_epochs=5):
    """The :class:`~ser_keras.vector_sources.VectorSource` of a row's ``(kind, dim)``: a given file, else trained.

    Speech2Vec trains on the paper split's training sessions only (section 3).
    """
    kind, dim = source
    if given is not None:
        return VectorSource(f"{kind}-{dim}", dim, file=Path(given))
    train = "speech2vec" if kind == "speech" else "word2vec"
    return VectorSource(f"{kind}-{dim}", dim, train=train, epochs=speech2vec_epochs, holdout_sessions=(TEST_SESSION,))


def run_experiment(bundle, experiment, out, seeds=(0,), training=None, settings=None, speech_vectors=None,
                   word_vectors=None, speech2vec_epochs=5, execution=None, progress=True):  # fmt: skip
    """Run every row of an experiment on the paper split through the protocol runner.

    Parameters
    ----------
    bundle : Bundle
        From :func:`ser_keras.features.bundle.read_bundle`.
    experiment : {"table1", "table2", "table3", "all"}
    out : path
        Experiment folder: ``runs/<configuration>/`` (the runner's folds, with every
        prediction, reused when the experiment runs again), ``vectors/``, ``results.json``
        and ``results.md``.
    seeds : sequence of int
    training : ser_keras.systems.Training, optional
        Default: the paper's (Adam 0.001, batch 32, 20 epochs).
    settings : KrishnaReddySettings, optional
        Default: the paper's; ENC2 is trainable for rows with an embedding source.
    speech_vectors, word_vectors : dict of int -> path, optional
        Vector files by dimension; missing ones are trained locally.
    speech2vec_epochs : int
    execution : ser_keras.trainers.Execution, optional
        Default: silent Keras (``Execution(verbose=0)``).
    progress : bool

    Returns
    -------
    dict
        Results per configuration key: the runs and UA/WA mean and std.
    """
    from ...trainers import Execution

    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    rows = rows_of(experiment)
    transcripts = bundle.meta["transcript"].fillna("").astype(str).tolist()
    sources = {}
    for source in sources_needed(rows):
        given = (speech_vectors if source[0] == "speech" else word_vectors) or {}
        named = vector_source(source, given.get(source[1]), speech2vec_epochs)
        path, description = prepare_vectors(named, out / "vectors", bundle, progress)
        sources[source] = {"path": str(path), "description": description}

    configurations = {row.key: row for row in rows if row.model is not None}
    progress_of = _progress(len(configurations) * len(seeds), len(seeds), progress)
    results = {}
    for position, (key, row) in enumerate(configurations.items()):
        vectors = sources[row.source]["path"] if row.source is not None else None
        results[key] = _run_row(bundle, row, out / "runs" / key, seeds, training, settings, vectors, transcripts,
                                execution or Execution(verbose=0), progress_of(key, position))  # fmt: skip
    return {"rows": rows, "results": results, "sources": {f"{k[0]}-{k[1]}": v for k, v in sources.items()}}


def _progress(total, per_row, shown):
    """A log function per row that numbers the folds as they train: ``[3/12] row: ...``."""
    trained = [0]

    def for_row(key, position):
        trained[0] = 0

        def log(line):
            if not shown:
                return
            if line.startswith("\n"):
                trained[0] += 1
                print(f"[{position * per_row + trained[0]}/{total}] {key}: {line.strip()}", flush=True)
            else:
                print(f"    {line}", flush=True)

        return log

    return for_row


def _run_row(bundle, row, out, seeds, training, settings, vectors, transcripts, execution, log):
    """One row of a table: its system, with the row's embedding source swapped in when it has one."""
    from ...runner import run_protocol
    from .. import get_system

    system = get_system(row.model)
    row_settings = settings if settings is not None else system.make_settings()
    arrays = None
    if vectors is not None:
        row_settings = replace(row_settings, trainable_embeddings=True)
        arrays = token_arrays(transcripts, load_vectors(vectors))
    run = run_protocol(system, bundle, "paper", seeds, row_settings, training, None, out, execution,
                       keep_model=False, log=log, arrays=arrays)  # fmt: skip
    runs = [{**fold.scores["categorical"], "seed": fold.seed, "seconds": fold.seconds} for fold in run.folds]
    return {"runs": runs, "ua": summarise([r["ua"] for r in runs]), "wa": summarise([r["wa"] for r in runs])}


def results_markdown(experiment, outcome, bundle, seeds, training, command, speech2vec_epochs, deviations=()):
    """``results.md``: every row of every table, the paper's UA beside ours.

    Parameters
    ----------
    experiment : str
    outcome : dict
        From :func:`run_experiment`.
    bundle : Bundle
    seeds : sequence of int
    training : ser_keras.systems.Training
    command : str
        The command that produced the results.
    speech2vec_epochs : int
    deviations : sequence of str
        What the run changes from the paper (listed under the protocol).

    Returns
    -------
    str
    """
    corpus = bundle.manifest.get("corpus", {})
    counts = bundle.manifest.get("counts", {})
    train, test = paper_split(bundle.meta["session"].to_numpy().astype(int))
    lines = [
        f"# Reproducing Krishna and Reddy (AVSP 2019): {experiment}",
        "",
        f"Command: `{command}`",
        "",
        f"- Corpus: {corpus.get('kind', 'unknown')} at `{corpus.get('root', '?')}`, "
        f"{bundle.manifest['utterances']} utterances (" + ", ".join(f"{name} {n}" for name, n in counts.items()) + ").",
        f"- Protocol (section 3): sessions 1-4 train ({len(train)} utterances), session 5 test ({len(test)}). "
        f"{training.epochs} epochs, batch {training.batch_size}, Adam {training.learning_rate}; "
        f"{len(seeds)} seed(s) ({', '.join(map(str, seeds))}), mean +- standard deviation.",
        '- UA is unweighted average recall (the paper\'s "unweighted accuracy"); WA is plain accuracy.',
        "- ENC2 is an embedding layer initialised from the vectors and trained with the model (sections 2.4, 4.2).",
    ]
    lines += [f"- Deviation from the paper: {text}." for text in deviations]
    lines += ["- Embeddings:"]
    lines += [f"  - {name}: {source['description']}" for name, source in outcome["sources"].items()]
    if corpus.get("kind") == "demo":
        lines.append(
            "- The demo corpus is synthetic speech (eSpeak NG): it shows the shape of the results, "
            "not IEMOCAP's numbers."
        )
    if speech2vec_epochs and any(s.startswith("speech") for s in outcome["sources"]):
        lines.append(
            "- The paper used the released Speech2Vec vectors (trained on LibriSpeech); locally trained "
            "Speech2Vec sees only this corpus's training sessions."
        )
    for name, (title, _) in TABLES.items():
        table_rows = [row for row in outcome["rows"] if row.table == name]
        if not table_rows:
            continue
        lines += ["", f"## {title}", "", "| system | model | embeddings | paper UA | our UA | our WA | UA per run |"]
        lines.append("|---|---|---|---:|---:|---:|---|")
        for row in table_rows:
            embeddings = f"{row.source[0]}, {row.source[1]}-d" if row.source else "-"
            if row.model is None:
                lines.append(
                    f"| {row.system} | other authors' system | - | {row.paper_ua:.2f}% | not reimplemented | - | - |"
                )
                continue
            result = outcome["results"][row.key]
            ua, wa = result["ua"], result["wa"]
            per_run = ", ".join(f"{r['ua'] * 100:.1f}" for r in result["runs"])
            lines.append(
                f"| {row.system} | {row.model} | {embeddings} | {row.paper_ua:.2f}% | "
                f"{ua['mean'] * 100:.2f}% +- {ua['std'] * 100:.2f} | {wa['mean'] * 100:.2f}% | {per_run} |"
            )
    return "\n".join(lines) + "\n"


def vector_files(pairs, option):
    """Vector files by dimension from ``DIM=PATH`` texts.

    Raises
    ------
    ValueError
        For a text that is not ``DIM=PATH`` or a file that does not exist.
    """
    files = {}
    for pair in pairs or ():
        dim, _, path = pair.partition("=")
        if not dim.isdigit() or not path:
            raise ValueError(f"{option}: expected DIM=PATH, got {pair!r}")
        if not Path(path).is_file():
            raise ValueError(f"{option}: no such file: {path}")
        files[int(dim)] = Path(path)
    return files


def run_tables(request):
    """``classification.py --experiment``: the rows of ``request.name``, written to results.md and results.json.

    Parameters
    ----------
    request : ser_keras.paper_experiments.ExperimentRequest

    Returns
    -------
    markdown : str
    out : Path
        The experiment folder written.
    """
    from ...io import write_json
    from .. import get_system
    from ..base import changes_from_defaults, describe_changes

    options = request.options
    speech_vectors = vector_files(options.get("speech_vectors"), "--speech-vectors")
    word_vectors = vector_files(options.get("word_vectors"), "--word-vectors")
    epochs = options.get("speech2vec_epochs", 5)
    if epochs < 1:
        raise ValueError(f"--speech2vec-epochs must be at least 1, got {epochs}")
    # The tables always train ENC2's embeddings, as the paper does; every other change from its settings is stated.
    changes = changes_from_defaults(get_system("multimodal"), request.settings, request.training)
    deviations = list(request.deviations) + describe_changes(
        [change for change in changes if change["name"] != "trainable_embeddings"]
    )
    corpus = request.bundle.manifest.get("corpus", {}).get("kind", "bundle")
    out = Path(request.out or Path("runs") / f"experiments-{corpus}")
    outcome = run_experiment(request.bundle, request.name, out, request.seeds, request.training, request.settings,
                             speech_vectors, word_vectors, epochs, request.execution)  # fmt: skip
    markdown = results_markdown(request.name, outcome, request.bundle, request.seeds, request.training,
                                request.command, epochs, deviations)  # fmt: skip
    (out / "results.md").write_text(markdown)
    write_json(
        out / "results.json",
        {
            "experiment": request.name,
            "command": request.command,
            "seeds": list(request.seeds),
            "training": request.training.to_dict(),
            "settings": request.settings.to_dict(),
            "sources": outcome["sources"],
            "results": outcome["results"],
            "rows": [
                {"table": row.table, "system": row.system, "paper_ua": row.paper_ua, "key": row.key}
                for row in outcome["rows"]
            ],
        },
    )
    return markdown, out


def _register_tables():
    """``table1``, ``table2``, ``table3`` and ``all`` as paper experiments, with their vector options."""
    from ...features.sets import Option
    from ...paper_experiments import PaperExperiment, register

    vectors = "{} embedding file of one dimension, DIM=PATH (repeatable); missing dimensions are trained locally {}"
    options = (
        Option("speech_vectors", str, None, vectors.format("speech", "with Speech2Vec on the bundle's corpus"),
               metavar="DIM=PATH", repeatable=True),
        Option("word_vectors", str, None, vectors.format("word", "with word2vec on the transcripts"),
               metavar="DIM=PATH", repeatable=True),
        Option("speech2vec_epochs", int, 5, "epochs of locally trained Speech2Vec"),
    )  # fmt: skip
    for name, (title, _) in {**TABLES, "all": ("Tables 1-3", None)}.items():
        summary = f"Krishna and Reddy (AVSP 2019), {title.partition(':')[0]}, on the paper split -> results.md"
        register(PaperExperiment(name, summary, run_tables, options))


_register_tables()
