"""Every pipeline's dvc.yaml against the code: each stage's deps cover
exactly the project files its module runs (walked through the import graph),
so a code change reruns only the stages that run it; its params are exactly
the keys the module reads; no stage module imports another; only training
imports TensorFlow. `imdb_embeddings/core/` is the one folder every stage
lists whole: errors, atomic files, the params schema, progress, timings."""

import ast
import shlex
from pathlib import Path

import pytest
import yaml

from tests.project import ROOT, copy_project, edit_params, frontier_line, with_frontier

STAGE_PACKAGE = "stages"
HEAVY = {"tensorflow", "keras", "dvclive"}


def module_path(root: Path, name: str) -> Path | None:
    """The project file of module `name`, or None if it is not ours."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _nodes(tree: ast.AST, eager: bool) -> list[ast.AST]:
    """Every node of `tree`; with `eager`, only those that run on import (not in functions)."""
    if not eager:
        return list(ast.walk(tree))
    found, todo = [], [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        todo += [n for n in ast.iter_child_nodes(node) if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return found


def imported_names(path: Path, module: str, eager: bool = False) -> set[str]:
    """Every module name `path` imports, anywhere in it (functions too; with
    `eager`, only on import), with `from X import y` giving X and X.y."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _nodes(ast.parse(path.read_text(), str(path)), eager):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".strip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_closure(root: Path, module: str, eager: bool = False) -> tuple[set[Path], set[str]]:
    """(project files `module` runs, including package __init__ files;
    every module name imported along the way). With `eager`, only the imports
    that run when the module is imported, not those inside functions."""
    files, seen, todo, imported = set(), set(), [module], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            path = module_path(root, ".".join(parts[:i]))
            if path is None:
                break
            if path not in files:
                files.add(path)
                for child in imported_names(path, ".".join(parts[:i]), eager):
                    imported.add(child)
                    todo.append(child)
    return files, imported


def docstring_only(path: Path) -> bool:
    """A package __init__ that holds nothing but its docstring: running it
    does nothing, so a stage need not list it (and an edit to it, which can
    only be to words, reruns nothing)."""
    if path.name != "__init__.py":
        return False
    body = ast.parse(path.read_text(), str(path)).body
    return len(body) <= 1 and all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def stages(project: Path) -> list:
    from dvc.repo import Repo

    with Repo(str(project)) as repo:
        return list(repo.index.stages)


GUARD = f"python -m {STAGE_PACKAGE}.check_names"  # first, where a command holds a value of params.yaml
CORE = "imdb_embeddings/core"
# A stage's group and item, from its command: `train learned <name>`, `draw <group> <name> --draw <k>`, ...
GROUPS = ("learned", "glove", "word2vec", "labelled", "pseudo_labelled", "doc_taught")


def command(stage) -> str:
    """The command a stage runs after its guard (the only one, if it has no guard)."""
    return stage.cmd if isinstance(stage.cmd, str) else stage.cmd[-1]


def stage_module(stage) -> tuple[str, list[str], dict]:
    """(the module a stage runs, its arguments, the values its PARAMS templates
    take: `group`, and `name`, the experiment or pair, from the command)."""
    argv = shlex.split(command(stage))
    assert argv[:2] == ["python", "-m"] and argv[2].startswith(f"{STAGE_PACKAGE}."), (
        f"{stage.addressing}: run stages as `python -m {STAGE_PACKAGE}.<name>`, not {stage.cmd!r}"
    )
    rest = argv[3:]
    group = rest[0] if rest and rest[0] in GROUPS else ""
    names = [arg for arg in rest[1 if group else 0 :] if not arg.startswith("-") and "/" not in arg]
    values = {"group": group, "name": names[0] if names and "@" in stage.name else ""}
    return argv[2], rest, values


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project with the opt-in research group of `make frontier` on, so
    that its stages are checked too (by default they do not exist)."""
    project = copy_project(tmp_path_factory.mktemp("deps") / "project")
    line = frontier_line()
    edit_params(project, lambda p: with_frontier(p, line))
    return project


@pytest.fixture(scope="module")
def pipeline(project):
    return [(stage, *stage_module(stage)) for stage in stages(project)]


def test_the_opt_in_stages_are_checked_too(pipeline):
    names = {stage.name for stage, *_ in pipeline}
    assert {"check_params", "train_glove@glove_frozen", "evaluate_nbsvm@full_data", "learning_curve"} <= names
    taught = "few_labels_doc"
    assert {"doc_vectors@dbow", f"train_nbsvm_taught@{taught}", f"draws_nbsvm_taught@{taught}"} <= names
    assert {f"ngram_features_taught@{taught}", f"evaluate_nbsvm_taught@{taught}"} <= names


def code_files(project: Path, deps: list[Path]) -> set[Path]:
    """The project's Python files that code deps cover (a folder: every file in it)."""
    files = set()
    for dep in deps:
        if not str(dep.relative_to(project)).startswith(("stages", "imdb_embeddings")):
            continue  # data
        if dep.is_dir():
            files |= {f for f in dep.rglob("*.py") if "__pycache__" not in f.parts}
        else:
            files.add(dep)
    return files


def test_deps_are_exactly_the_files_a_stage_runs(project, pipeline):
    """Every file a stage runs is in its deps (or a change would not rerun
    it), and every file its deps name it runs (or a change would rerun it for
    nothing): only core/ is listed whole by every stage."""
    missing, extra = {}, {}
    for stage, module, _, _ in pipeline:
        deps = [Path(project, dep.def_path) for dep in stage.deps if not hasattr(dep, "params")]
        runs = {f for f in import_closure(project, module)[0] if not docstring_only(f)}
        covered = {f for f in code_files(project, deps) if not docstring_only(f)}
        uncovered = sorted(str(f.relative_to(project)) for f in runs - covered)
        unused = sorted(str(f.relative_to(project)) for f in covered - runs if CORE not in str(f.parent))
        if uncovered:
            missing[stage.addressing] = uncovered
        if unused:
            extra[stage.addressing] = unused
    assert not missing, f"files a stage runs but does not list in its deps: {missing}"
    assert not extra, f"files a stage lists in its deps but never runs: {extra}"


def test_core_holds_only_what_every_stage_may_run(project, pipeline):
    """core/ is every stage's dep: nothing in it that a model, a metric or a chart is made of."""
    core = {p.name for p in (project / CORE).glob("*.py")} - {"__init__.py"}
    assert core == {"errors.py", "files.py", "params.py", "params_file.py", "progress.py", "timings.py"}, core
    for stage, *_ in pipeline:
        assert CORE in [dep.def_path for dep in stage.deps], stage.addressing


def test_a_command_with_a_value_of_params_is_guarded(project, pipeline):
    """Each command that holds a value of params.yaml (`${...}` in dvc.yaml)
    first checks params.yaml in a command of its own: under `dvc repro -s`,
    which skips check_params, no value reaches a shell unchecked."""
    for path in [project / "dvc.yaml", *sorted(project.glob("studies/*/dvc.yaml"))]:
        for name, definition in yaml.safe_load(path.read_text())["stages"].items():
            body = definition.get("do", definition)
            commands = body["cmd"] if isinstance(body["cmd"], list) else [body["cmd"]]
            if any("${" in line for line in commands):
                assert commands[0] == GUARD and len(commands) == 2, f"{path}: {name}: {commands}"
            else:
                assert len(commands) == 1, f"{path}: {name}: one command, no guard needed"


# Where data lives: a string starting so in a stage module is a path that
# dvc.yaml should pass instead.
DATA_PREFIXES = ("data/", "metrics/", "plots/", "dvclive/")


def test_paths_are_written_once_in_dvc_yaml(project, pipeline):
    """A stage module names no file: dvc.yaml passes every path in the
    command, and the command's paths are exactly the stage's data deps and
    outputs, so a file read or written is always one DVC tracks."""
    for stage, module, args, _ in pipeline:
        source = module_path(project, module)
        literals = [
            node.value
            for node in ast.walk(ast.parse(source.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(DATA_PREFIXES)
        ]
        assert not literals, f"{module} names paths itself: {literals}; pass them from dvc.yaml"
        declared = {
            dep.def_path
            for dep in stage.deps
            if not hasattr(dep, "params") and not dep.def_path.startswith(("stages/", "imdb_embeddings/"))
        } | {out.def_path for out in stage.outs}
        # A path has a slash or a known ending, or is a top-level folder that the stage declares (metrics).
        passed = {arg for arg in args if "/" in arg or arg.endswith(".yaml") or arg in declared}
        if module == f"{STAGE_PACKAGE}.prepare":  # it reads dataset.path from params: no value becomes a command
            passed.add(yaml.safe_load((project / "params.yaml").read_text())["dataset"]["path"])
        if module == f"{STAGE_PACKAGE}.check_params":
            passed.add("params.yaml")  # the file DVC reads params from
        if module != f"{STAGE_PACKAGE}.check_params":
            declared.discard("data/params.checked")  # the check's token: waited for, never read

        # A folder passed may hold several declared outputs (DVCLive's metrics and plots).
        def covers(folder: str, path: str) -> bool:
            return path == folder or path.startswith(folder + "/")

        undeclared = sorted(a for a in passed if not any(covers(a, d) for d in declared))
        unpassed = sorted(d for d in declared if not any(covers(a, d) for a in passed))
        assert not undeclared and not unpassed, (
            f"{stage.name}: the command passes {undeclared} that dvc.yaml does not declare, "
            f"and declares {unpassed} that the command does not pass"
        )


def test_no_stage_module_imports_another(project, pipeline):
    stage_files = {module_path(project, module) for _, module, _, _ in pipeline}
    for stage, module, _, _ in pipeline:
        files, _ = import_closure(project, module)
        others = sorted(str(f.relative_to(project)) for f in (files & stage_files) - {module_path(project, module)})
        assert not others, f"{stage.name}: {module} imports the stage module(s) {others}"


def test_params_are_exactly_what_the_stage_reads(project, pipeline):
    for stage, module, _, values in pipeline:
        declared = {key for dep in stage.deps if hasattr(dep, "params") for key in dep.params}
        source = module_path(project, module).read_text()
        namespace: dict = {}
        tree = ast.parse(source)
        for node in tree.body:  # the module's PARAMS (and OPTION_PARAMS), without running the module
            for name in ("PARAMS", "OPTION_PARAMS"):
                if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
                    namespace[name] = ast.literal_eval(node.value)
        reads = {key.format(**values) for key in namespace.get("PARAMS", ())}
        # Keys a module reads only when its command passes an option (evaluate's --draws).
        options = set(command(stage).split())
        reads |= {
            key for option, keys in namespace.get("OPTION_PARAMS", {}).items() if option in options for key in keys
        }
        assert declared == reads, (
            f"{stage.name}: dvc.yaml declares params {sorted(declared)}, {module}.PARAMS reads {sorted(reads)}"
        )
        loads = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "load"
            and getattr(node.func.value, "id", "") == "params"
        ]
        # check_params reads the whole file, and depends on its bytes: any change reruns it.
        whole_file = any(dep.def_path == "params.yaml" for dep in stage.deps if not hasattr(dep, "params"))
        assert whole_file or all(call.args for call in loads), (
            f"{module}: params.load() without keys sees keys dvc.yaml does not declare"
        )
        assert loads or not reads, f"{module}: declares PARAMS but never loads them"


def test_every_stage_waits_for_the_params_check(pipeline):
    """No stage's outputs are removed, nor its command run, before
    check_params has passed on the current params.yaml."""
    for stage, module, _, _ in pipeline:
        if module != f"{STAGE_PACKAGE}.check_params":
            assert "data/params.checked" in [dep.def_path for dep in stage.deps], stage.name


def test_the_package_reads_no_params_itself(project):
    for path in (project / "imdb_embeddings").rglob("*.py"):
        assert "params.load(" not in path.read_text(), f"{path}: only stage modules load params (declared in dvc.yaml)"


def test_only_training_imports_tensorflow(project, pipeline):
    """A stage that does not train imports no TensorFlow when it starts; only
    a function that needs it may (evaluate, for a family numpy cannot run:
    test_families.py shows a numpy model is served without it)."""
    for stage, module, _, _ in pipeline:
        _, imported = import_closure(project, module)
        heavy = {name.split(".")[0] for name in imported} & HEAVY
        _, eager = import_closure(project, module, eager=True)
        eager_heavy = {name.split(".")[0] for name in eager} & HEAVY
        if module in (f"{STAGE_PACKAGE}.train", f"{STAGE_PACKAGE}.curve"):  # the stages that train
            assert heavy >= {"tensorflow", "keras"}
        else:
            assert not eager_heavy, f"{stage.name} imports {sorted(eager_heavy)} on start (~3 s a process)"


def test_the_walk_finds_what_a_stage_imports():
    """The import walk itself: a stage's own module, the package __init__ files
    on the way, modules imported inside functions."""
    files, imported = import_closure(ROOT, "stages.train")
    names = {str(f.relative_to(ROOT)) for f in files}
    assert {
        "stages/__init__.py",
        "stages/train.py",
        "imdb_embeddings/__init__.py",
        "imdb_embeddings/modeling/__init__.py",
        "imdb_embeddings/modeling/model.py",
        "imdb_embeddings/text/padding.py",
        "imdb_embeddings/core/errors.py",
    } <= names
    assert "tensorflow" in {n.split(".")[0] for n in imported}


def test_only_a_docstring_may_go_unlisted(tmp_path):
    """An __init__ with any statement beyond its docstring must be in the deps."""
    cases = {'"""Words."""\n': True, "": True, '"""Words."""\nimport os\n': False, "X = 1\n": False}
    for source, allowed in cases.items():
        path = tmp_path / "__init__.py"
        path.write_text(source)
        assert docstring_only(path) is allowed, source
    (tmp_path / "module.py").write_text('"""Words."""\n')
    assert not docstring_only(tmp_path / "module.py")
