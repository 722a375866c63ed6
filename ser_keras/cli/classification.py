"""``classification.py``: train and evaluate a registered system on a feature bundle."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from . import name_value_pairs, require_at_least_one

DEFAULT_FEATURES = Path("data") / "features" / "demo"
DEFAULT_RUNS = Path("runs")
DEFAULT_SYSTEM = "multimodal"
TRAINING_OPTIONS = {
    "epochs": "epochs",
    "batch_size": "batch size",
    "learning_rate": "learning rate",
    "selection": "selection",
    "patience": "patience",
}


def build_parser():
    from ..protocols import PROTOCOLS

    parser = argparse.ArgumentParser(
        prog="classification.py",
        description="Train and evaluate a registered system (the models of Krishna and Reddy, AVSP 2019, and "
        "every system added since) on a feature bundle written by feature_extraction.py; print the results "
        "table and save the model, reports, predictions and figures.",
        epilog="examples:\n"
        "  python classification.py --list                            # the systems and what they need\n"
        "  python classification.py                                   # multimodal, paper split, demo bundle\n"
        "  python classification.py --system acoustic --seeds 3\n"
        "  python classification.py --protocol leave-one-speaker-out --features data/features/iemocap-s2v50\n"
        "  python classification.py --experiment all --seeds 3        # the paper's Tables 1-3 -> results.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--list", action="store_true", help="print the registered systems and exit")
    _add_run_options(parser, PROTOCOLS)
    _add_training_options(parser)
    _add_system_flags(parser.add_argument_group("flags the systems declare (shorthands for --set)"))
    _add_speed_options(parser.add_argument_group("speed and scale"))
    _add_experiment_options(parser.add_argument_group("a paper's experiment (--experiment)"))
    parser.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=None,
        help="Keras progress: 0 none, 1 a bar redrawn each batch, 2 one line per epoch (default: 1 on a terminal, "
        "2 when the output goes to a file or pipe)",
    )
    return parser


def _add_run_options(parser, protocols):
    """What runs: the bundle, the system and its settings, the protocol, the seeds, the run folder."""
    parser.add_argument(
        "--features", type=Path, default=DEFAULT_FEATURES, help=f"feature bundle folder (default: {DEFAULT_FEATURES})"
    )
    parser.add_argument(
        "--system",
        "--model",
        dest="system",
        default=DEFAULT_SYSTEM,
        help=f"a registered system, see --list (default: {DEFAULT_SYSTEM})",
    )
    parser.add_argument(
        "--protocol",
        choices=tuple(protocols.available()) + tuple(protocols.aliases()),
        default=None,
        help="; ".join(_protocol_help(protocols)).replace("%", "%%") + " (default: the system's own, --list)",
    )
    parser.add_argument(
        "--task",
        action="append",
        default=None,
        help="task to predict (repeatable): categorical, dimensional, votes, arousal-valence; default: the "
        "system's own (--list)",
    )
    parser.add_argument(
        "--preset",
        default=None,
        metavar="NAME",
        help="a named preset of the system's settings and training (see --list), before --set and the training options",
    )
    parser.add_argument(
        "--config",
        default=None,
        metavar="RUN",
        help="an earlier run's run.json (or its folder): its system, settings, training, tasks, protocol, seeds "
        "and bundle, so that it runs again exactly (any other option given changes what it names); or an "
        "experiment file (.toml) of runs, each resumed from its finished folds",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a model setting of the system (repeatable), e.g. --set lstm_units=64; see --list",
    )
    parser.add_argument("--seed", type=int, default=0, help="first random seed (default: 0)")
    parser.add_argument("--seeds", type=int, default=1, help="runs with seeds seed, seed+1, ... (default: 1)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="run folder (default: runs/<short system name>-<protocol>, runs/multimodal-paper); finished folds "
        "found there are reused",
    )


def _protocol_help(protocols):
    aliases = {}
    for alias, name in protocols.aliases().items():
        aliases.setdefault(name, []).append(alias)
    return [
        f"{name}" + (f" ({', '.join(aliases[name])})" if name in aliases else "") + f": {protocol.description}"
        for name, protocol in protocols.available().items()
    ]


def _add_training_options(parser):
    """How the system trains, each option overriding its own default."""
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: the system's; 20 for the paper's)")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="batch size (default: the system's; 32 for the paper's)"
    )
    parser.add_argument("--learning-rate", type=float, default=None, help="learning rate (default: the system's)")
    parser.add_argument(
        "--selection",
        choices=("fixed", "validation"),
        default=None,
        help="fixed: train the epochs, keep the last model; validation: early stopping on 20%% of the training "
        "speakers, best weights kept, their predictions saved for late fusion (default: the system's)",
    )
    parser.add_argument(
        "--select-on-test",
        dest="selection",
        action="store_const",
        const="test",
        help="select the epoch on the test rows themselves, as CA-MSER's code does (val_id == test_id): "
        "optimistic, and every report of the run says so",
    )
    parser.add_argument("--patience", type=int, default=None, help="early-stopping patience (default: the system's)")


def system_flags():
    """Every flag a registered system declares, by option, with the systems that take it."""
    from ..systems import available

    flags = {}
    for name, system in available().items():
        for flag in system.flags:
            flags.setdefault(flag.option, (flag, []))[1].append(name)
    return flags


def _add_system_flags(group):
    for option, (flag, names) in system_flags().items():
        if flag.value is None:
            group.add_argument(option, dest=flag.setting, default=None, metavar=flag.metavar, help=flag.help)
        else:
            group.add_argument(option, dest=flag.setting, action="store_const", const=flag.value, help=flag.help)


def _flag_settings(parser, args, system):
    """The settings that the given system flags set; a flag of another system is a one-line error."""
    overrides = {}
    for option, (flag, names) in system_flags().items():
        value = getattr(args, flag.setting, None)
        if value is None:
            continue
        if flag not in system.flags:
            parser.exit(2, f"error: {option} is a flag of {', '.join(names)}, not of {system.name}\n")
        overrides[flag.setting] = value
    return overrides


def _add_speed_options(speed):
    """How fast and on what: the fast variant, the input pipeline, precision, the distribution strategy."""
    speed.add_argument(
        "--fast",
        action="store_true",
        help="the system's fast variant; for the paper's models cuDNN-eligible LSTMs: recurrent dropout 0, "
        "the 0.2 moved to input dropout (a deviation, recorded in the report); on a GPU cuDNN is then required",
    )
    speed.add_argument(
        "--pipeline",
        choices=("arrays", "tf.data", "tf.data-by-length"),
        default="arrays",
        help="arrays: Keras batches NumPy arrays (default); tf.data: shuffle, batch, prefetch; "
        "tf.data-by-length: batches of similar length, each padded to its own longest utterance",
    )
    speed.add_argument("--mixed-precision", action="store_true", help="float16 compute on a GPU (mixed_float16)")
    speed.add_argument(
        "--strategy",
        choices=("auto", "mirrored", "multiworker", "none"),
        default="none",
        help="tf.distribute: mirrored = every GPU of this machine; multiworker = machines in TF_CONFIG; "
        "auto = multiworker with TF_CONFIG, mirrored with 2+ GPUs, else none (default: none)",
    )


def _add_experiment_options(group):
    """``--experiment NAME`` and the options of the registered paper experiments."""
    from ..paper_experiments import EXPERIMENTS, all_options

    experiments = EXPERIMENTS.available()
    group.add_argument(
        "--experiment",
        choices=tuple(experiments),
        default=None,
        help="run a paper's experiment instead of one system (ignores --system, --protocol and --task): "
        + "; ".join(f"{name}: {experiment.summary}" for name, experiment in experiments.items()),
    )
    for option, names in all_options().values():
        default = "" if option.default is None else f"; default: {option.default}"
        group.add_argument(
            option.flag,
            type=option.type,
            action="append" if option.repeatable else "store",
            default=None,
            metavar=option.metavar,
            help=f"{', '.join(names)}: {option.help}{default}",
        )


def systems_table():
    """``--list``: every registered system, its paper and what it needs."""
    from ..systems import available
    from ..trainers import get_trainer

    lines = []
    for name, system in available().items():
        settings = system.make_settings().to_dict()
        lines += [
            f"{name}  ({system.trainer}; tasks: {', '.join(system.tasks)}; reads: {', '.join(system.reads)})",
            f"    protocol: {system.protocol}",
            f"    {system.summary}",
            f"    {system.paper}",
        ]
        if system.aliases:
            lines.append(f"    also: {', '.join(system.aliases)}")
        recipe = get_trainer(system.trainer).describe_training(system.training)
        if recipe:
            training = system.training
            lines.append(f"    training: {recipe}, {training.epochs} epochs, selection {training.selection}")
        if settings:
            lines.append("    settings: " + ", ".join(f"{key}={value}" for key, value in settings.items()))
        lines += [f"    deviation: {text}" for text in system.deviations_for(system.make_settings())]
        lines += [f"    preset {preset.name}: {preset.description}" for preset in system.presets]
    return "\n".join(lines)


def main(argv=None):
    parser = build_parser()
    args = _apply_config(parser, argv)
    if args.list:
        print(systems_table())
        return 0
    if args.verbose is None:
        # A progress bar redrawn for every batch fills a log file; one line per epoch reads well there.
        args.verbose = 1 if sys.stdout.isatty() else 2
    require_at_least_one(parser, args, ("seeds", "epochs", "batch_size"))
    if args.config and Path(args.config).suffix == ".toml":
        return _experiment_file(parser, args)
    if args.experiment is None:
        _refuse_experiment_options(parser, args)
    system, settings, training = _system_settings_training(parser, args)
    # The reports add the system's own deviations and every change from its defaults (compared, not listed here).
    deviations = []
    if args.fast:
        deviations.append("--fast: the system's fast variant (for the paper's models, cuDNN-eligible LSTMs)")
    if args.mixed_precision:
        deviations.append("--mixed-precision: float16 compute")
    strategy = _strategy(parser, args)

    from ..features.bundle import BundleError, read_bundle

    try:
        bundle = read_bundle(args.features)
    except BundleError as error:
        parser.exit(2, f"error: {error}\n")
    command = shlex.join(["python", "classification.py", *(argv if argv is not None else sys.argv[1:])])
    if args.experiment:
        return _paper_experiment(parser, args, command, bundle, training, settings, deviations, strategy)
    return _run(parser, args, system, bundle, settings, training, strategy, command, deviations)


def _refuse_experiment_options(parser, args):
    from ..paper_experiments import all_options

    for name, (option, _) in all_options().items():
        if getattr(args, name, None) is not None:
            parser.error(f"{option.flag} is an option of --experiment")


def _paper_experiment(parser, args, command, bundle, training, settings, deviations, strategy):
    """A registered paper experiment; its results are printed and written where it says."""
    from ..paper_experiments import ExperimentRequest, all_options, get_experiment
    from ..trainers import Execution

    experiment = get_experiment(args.experiment)
    given = {name: getattr(args, name) for name in all_options() if getattr(args, name, None) is not None}
    foreign = sorted(set(given) - {option.name for option in experiment.options})
    if foreign:
        parser.exit(2, f"error: --experiment {experiment.name} takes no --{foreign[0].replace('_', '-')}\n")
    # Keras's bar redrawn per batch is noise across many runs: one line per epoch or nothing.
    execution = Execution(args.pipeline, strategy, verbose=args.verbose if args.verbose != 1 else 0)
    seeds = list(range(args.seed, args.seed + args.seeds))
    request = ExperimentRequest(experiment.name, bundle, args.out, seeds, training, settings, given, execution,
                                command, list(deviations))  # fmt: skip
    started = time.perf_counter()
    try:
        markdown, out = experiment.run(request)
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "\ninterrupted: the finished runs are kept in the experiment's runs/ and reused next time\n")
    print()
    print(markdown)
    print(f"wrote {out}/results.md and results.json ({time.perf_counter() - started:.0f} s)")
    return 0


def _experiment_file(parser, args):
    """Every run of an experiment file, resuming finished folds, then its comparison table."""
    from ..evaluation.compare import comparison_table
    from ..experiment_files import run_experiment_file
    from ..features.bundle import BundleError
    from ..trainers import Execution

    strategy = _strategy(parser, args)
    try:
        folders = run_experiment_file(args.config, Execution(args.pipeline, strategy, verbose=args.verbose),
                                      log=lambda line: print(line, flush=True))  # fmt: skip
    except (BundleError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "\ninterrupted: finished folds are kept in each run's folds/ and reused by the same command\n")
    print()
    print(comparison_table([str(folder) for folder in folders]))
    return 0


def _system_settings_training(parser, args):
    """The system, its settings (``--config``, ``--preset``, ``--set``, ``--fast``) and its training."""
    recorded = args.recorded
    overrides = {**recorded.get("settings", {}), **name_value_pairs(parser, "--set", args.set)}

    from ..systems import get_system

    changes = {name: getattr(args, name) for name in TRAINING_OPTIONS if getattr(args, name) is not None}
    try:
        system = get_system(args.system)
        overrides.update(_flag_settings(parser, args, system))
        settings, training = system.configure(args.preset, overrides, {**recorded.get("training", {}), **changes})
        if args.fast:
            settings = system.fast(settings)
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")
    return system, settings, training


def _apply_config(parser, argv):
    """Parse again with an earlier run's system, protocol, tasks, seeds and bundle as the defaults."""
    import json

    args = parser.parse_args(argv)
    args.recorded = {}
    if not args.config or Path(args.config).suffix == ".toml":
        return args
    path = Path(args.config) / "run.json" if Path(args.config).is_dir() else Path(args.config)
    try:
        record = json.loads(path.read_text())
        seeds = record["seeds"]
        parser.set_defaults(
            system=record["system"]["name"], protocol=record["protocol"], task=record["tasks"],
            seed=seeds[0], seeds=len(seeds), features=Path(record["features"]),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        parser.exit(2, f"error: --config {path}: not a run.json of classification.py ({error})\n")
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        parser.exit(2, f"error: --config {path}: seeds {seeds} are not consecutive; give --seed and --seeds\n")
    args = parser.parse_args(argv)
    args.recorded = {"settings": dict(record.get("settings", {})), "training": dict(record.get("training", {}))}
    return args


def _strategy(parser, args):
    """The distribution strategy, chosen before anything else runs in TensorFlow (multi-worker requires it)."""
    from ..distribute import choose_strategy, use_mixed_precision
    from .quiet_tensorflow import import_tensorflow

    import_tensorflow()
    try:
        strategy = choose_strategy(args.strategy)
        if args.mixed_precision:
            use_mixed_precision()
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")
    return strategy


def _run(parser, args, system, bundle, settings, training, strategy, command, deviations):
    """One run into its folder, then its table and what was written."""
    from ..distribute import is_chief, replicas
    from ..evaluation.reports import results_table
    from ..protocols import ProtocolError
    from ..run_folder import run_into_folder
    from ..trainers import Execution

    args.protocol = args.protocol or system.protocol
    out = args.out or DEFAULT_RUNS / f"{system.short_name}-{args.protocol}"
    seeds = list(range(args.seed, args.seed + args.seeds))
    extra = {
        "pipeline": args.pipeline,
        "strategy": {"name": args.strategy, "replicas": replicas(strategy)},
        "mixed_precision": args.mixed_precision,
    }
    try:
        run, report = run_into_folder(
            system, bundle, out, args.protocol, seeds, settings, training, args.task,
            Execution(args.pipeline, strategy, verbose=args.verbose), command, deviations, extra,
            log=lambda line: print(line, flush=True),
        )  # fmt: skip
    except (ProtocolError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, f"\ninterrupted: finished folds are kept in {out}/folds and reused by the same command\n")
    if not is_chief():
        metric = report["headline"][0]
        print(f"\nworker done ({metric} {report['summary'][metric]['mean']:.4f}); the chief writes the run folder")
        return 0
    print()
    print(results_table(report))
    written = "report.md, report.json, predictions.csv, " + ", ".join(f"{name}.png" for name in report["figures"])
    if run.kept_model:
        written += f", {run.kept_model}"
    resumed = f"; {run.resumed} fold(s) reused from an earlier call" if run.resumed else ""
    print(f"\nwrote {out}/: {written}  ({report['seconds']:.0f} s{resumed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
