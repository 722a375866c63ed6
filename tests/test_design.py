"""The design rules the code keeps: short functions, imports that point one way, one registry idiom."""

import ast

from conftest import REPOSITORY

PACKAGE = REPOSITORY / "ser_keras"
LONGEST_FUNCTION = 80


def modules():
    """Module name -> path of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPOSITORY).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name, path, known):
    """The package's modules that ``name`` imports, at its top or inside a function."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            candidates = [f"{module}.{alias.name}" for alias in node.names] + [module]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
                break
    return targets


def circles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle():
    known = modules()
    graph = {name: imported(name, path, known) & set(known) for name, path in known.items()}
    assert circles(graph) == []


def test_no_function_is_longer_than_80_lines():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST_FUNCTION:
                    long.append(f"{path.relative_to(REPOSITORY)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_every_registry_is_the_one_idiom():
    from ser_keras.corpora.loading import CORPORA
    from ser_keras.features.sets import FEATURE_SETS
    from ser_keras.fusion import FUSIONS
    from ser_keras.protocols import PROTOCOLS
    from ser_keras.registry import Registry
    from ser_keras.systems import SYSTEMS
    from ser_keras.tasks import TASKS
    from ser_keras.trainers import TRAINERS

    for registry in (SYSTEMS, FEATURE_SETS, TRAINERS, CORPORA, PROTOCOLS, TASKS, FUSIONS):
        assert isinstance(registry, Registry) and registry.available()
    # No module keeps a registry of its own beside it.
    hand_made = [str(path) for path in PACKAGE.rglob("*.py") if "_REGISTRY" in path.read_text()]
    assert hand_made == []


def test_no_module_hands_itself_to_a_command_line():
    # Commands are package __main__ modules or the CLI's own; a library module never runs as a script.
    handing_over = [
        str(path.relative_to(REPOSITORY))
        for path in PACKAGE.rglob("*.py")
        if "cli" not in path.parts and path.name != "__main__.py" and '__name__ == "__main__"' in path.read_text()
    ]
    assert handing_over == []


def test_the_repository_cites_no_file_outside_it():
    # The notes behind the project (its design and systems notes, the seed documents) are not in the
    # repository: code, notebooks and the README cite the authors' code and papers instead.
    citing = []
    pages = [REPOSITORY / "README.md", *(REPOSITORY / "docs").rglob("*.md")]
    for path in [*pages, *PACKAGE.rglob("*.py"), *(REPOSITORY / "notebooks").glob("*.ipynb")]:
        text = path.read_text()
        citing += [
            str(path.relative_to(REPOSITORY)) for marker in ("SYSTEMS.md", "DESIGN.md", "seed 00") if marker in text
        ]
    assert citing == []


def test_every_system_answers_to_its_name_in_its_papers_namespace():
    from ser_keras.systems import SYSTEMS, available, get_system

    for name, system in available().items():
        # The canonical name says whose it is; the short name it had before stays an alias.
        assert "/" in name and "/" not in system.short_name and system.short_name in system.aliases, name
        assert all(get_system(alias) is system for alias in system.aliases)
    assert get_system("multimodal").name == "krishna2019/multimodal"
    assert get_system("atmaja-acoustic").name == "atmaja2020/acoustic" and get_system("svm").name == "atmaja2020/svm"
    assert len(set(SYSTEMS.aliases())) == len(SYSTEMS.aliases())


def test_every_relative_import_names_a_module_that_exists():
    """Imports inside functions run late: one left behind by a move fails only when its branch runs."""
    import importlib.util

    missing = []
    for name, path in modules().items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                target = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                if importlib.util.find_spec(target) is None:
                    missing.append(f"{path.relative_to(REPOSITORY)}: {target}")
    assert missing == []
