"""The documentation's generated parts: what the registries hold, written into the pages as MkDocs builds them.

A page asks for a part with a marker line, ``<!-- generated: systems -->`` (every system),
``<!-- generated: systems acoustic, multimodal -->`` (some), ``feature-sets``, ``corpora``,
``protocols``, ``tasks``, ``fusions`` or ``experiments``. ``mkdocs.yml`` names this module as a
hook, so the pages are generated from the code every time they are built and cannot drift from it. MkDocs loads a
hook from its file, outside the package, so its imports name the package in full.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"^<!-- generated: ([a-z-]+)(?: (.*?))? -->$", re.MULTILINE)


def systems_markdown(names=None):
    """Each system: its paper, what it reads and predicts, its training, settings, presets and deviations."""
    from ser_keras.systems import available, get_system
    from ser_keras.trainers import get_trainer

    chosen = [get_system(name) for name in names] if names else list(available().values())
    parts = []
    for system in chosen:
        settings = system.make_settings()
        recipe = get_trainer(system.trainer).describe_training(system.training)
        also = f" (also `{'`, `'.join(system.aliases)}`)" if system.aliases else ""
        lines = [f"### `{system.name}`{also}", "", f"{system.summary}. *{system.paper}*.", ""]
        lines.append(f"- reads: {', '.join(system.reads)}; predicts: {', '.join(system.tasks)}; "
                     f"trainer: {system.trainer}")  # fmt: skip
        if recipe:
            training = system.training
            lines.append(f"- training: {recipe}, {training.epochs} epochs, selection {training.selection}")
        values = settings.to_dict()
        if values:
            lines.append("- settings: " + ", ".join(f"`{key}={value}`" for key, value in values.items()))
        lines += [f"- preset `{preset.name}`: {preset.description}" for preset in system.presets]
        lines += [f"- deviation: {text}" for text in system.deviations_for(settings)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def feature_sets_markdown(names=None):
    """A table of the feature sets: what each computes, from what, and its options."""
    from ser_keras.features.sets import available_feature_sets

    rows = ["| set | what it holds | computed from | options |", "|---|---|---|---|"]
    for name, feature_set in available_feature_sets().items():
        if names and name not in names:
            continue
        options = ", ".join(f"`{option.flag}`" for option in feature_set.options if option.command_line)
        needs = ", ".join(feature_set.needs) or ("the corpus (base set)" if feature_set.base else "the corpus")
        rows.append(f"| `{name}` | {feature_set.description} | {needs} | {options or '-'} |")
    return "\n".join(rows)


def corpora_markdown(names=None):
    """A table of the corpus readers: name, label sets, root, published counts."""
    from ser_keras.corpora.loading import available_corpora

    rows = ["| corpus | label sets | root | published counts |", "|---|---|---|---|"]
    for name, reader in available_corpora().items():
        if names and name not in names:
            continue
        counts = "yes" if reader.expected_counts is not None else "-"
        rows.append(f"| `{name}` | {', '.join(reader.label_sets)} | {reader.root_help} | {counts} |")
    return "\n".join(rows)


def protocols_markdown(names=None):
    """A table of the protocols: name, aliases, what they test on, parameters."""
    from ser_keras.protocols import PROTOCOLS

    aliases = {}
    for alias, name in PROTOCOLS.aliases().items():
        aliases.setdefault(name, []).append(f"`{alias}`")
    rows = ["| protocol | aliases | folds | parameters |", "|---|---|---|---|"]
    for name, protocol in PROTOCOLS.available().items():
        if names and name not in names:
            continue
        parameters = ", ".join(f"`{key}={value}`" for key, value in protocol.parameters.items()) or "-"
        rows.append(f"| `{name}` | {', '.join(aliases.get(name, [])) or '-'} | {protocol.description} | {parameters} |")
    return "\n".join(rows)


def tasks_markdown(names=None):
    """A table of the tasks: name, target array, headline scores."""
    from ser_keras.tasks import TASKS

    rows = ["| task | target | what it is | headline scores |", "|---|---|---|---|"]
    for name, task in TASKS.available().items():
        if names and name not in names:
            continue
        rows.append(f"| `{name}` | `{task.target}` | {task.description} | {', '.join(task.headline)} |")
    return "\n".join(rows)


def fusions_markdown(names=None):
    """A table of the late-fusion methods: name, where it lives, its settings."""
    from dataclasses import fields

    from ser_keras.fusion import FUSIONS

    rows = ["| fusion method | what it does | module | settings |", "|---|---|---|---|"]
    for name, method in FUSIONS.available().items():
        if names and name not in names:
            continue
        settings = ", ".join(f"`{item.name}={item.default}`" for item in fields(method.settings) if item.name != "runs")
        rows.append(f"| `{name}` | {method.summary} | `{method.fuse.__module__}` | {settings or '-'} |")
    return "\n".join(rows)


def experiments_markdown(names=None):
    """A table of the paper experiments (``classification.py --experiment``): name, what, options."""
    from ser_keras.paper_experiments import EXPERIMENTS

    rows = ["| experiment | what it runs | options |", "|---|---|---|"]
    for name, experiment in EXPERIMENTS.available().items():
        if names and name not in names:
            continue
        options = ", ".join(f"`{option.flag}`" for option in experiment.options) or "-"
        rows.append(f"| `{name}` | {experiment.summary} | {options} |")
    return "\n".join(rows)


PARTS = {
    "systems": systems_markdown,
    "feature-sets": feature_sets_markdown,
    "corpora": corpora_markdown,
    "protocols": protocols_markdown,
    "tasks": tasks_markdown,
    "fusions": fusions_markdown,
    "experiments": experiments_markdown,
}


def expand(markdown):
    """The page with every marker replaced by its generated part.

    Raises
    ------
    ValueError
        For a marker naming no part.
    """

    def replace(match):
        kind, names = match.group(1), match.group(2)
        if kind not in PARTS:
            raise ValueError(f"unknown generated part {kind!r}; known: {', '.join(PARTS)}")
        chosen = [name.strip() for name in names.split(",")] if names else None
        return PARTS[kind](chosen)

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown, page=None, config=None, files=None, **keywords):
    """MkDocs hook: expand the markers of every page as it is built."""
    return expand(markdown)
