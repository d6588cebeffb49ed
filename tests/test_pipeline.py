"""Real `dvc repro --all-pipelines` on a copy of the project, fed by the
fixture mirror: which stages DVC actually ran after each change proves the
caching rules."""

import json
import re
import subprocess

import pytest

from tests.conftest import copy_project, edit_params, experiments, run_tool, tool_env
from tests.project import address, planned, stage_argv

pytestmark = pytest.mark.slow(seconds=60)
OUTPUT = [""]  # what the last repro printed
CHECKED = [False]  # whether the last repro ran check_params
KERAS = {
    "learned_maxlen20": "learned",
    "learned_small": "learned",
    "glove_frozen": "glove",
    "word2vec_small": "word2vec",
}
# The NBSVM experiments' stages: train_nbsvm@full_data, train_nbsvm_pseudo@few_labels, ...
NBSVM = {"full_data": "nbsvm", "nbsvm_200": "nbsvm", "few_labels": "nbsvm_pseudo"}
GROUPS = {**KERAS, **NBSVM}


SIZES = (20, 60)
DRAW_SIZES, CURVE_DRAWS = (20,), (1,)  # the fixture's draws.curve_sizes and draws.curve
FEW_LABELS_DRAWS = (1,)  # draws.nbsvm_pseudo
# The cards read every metric; the forest plot every comparison.
CARDS = {"model_cards", "forest"}


def curve(*sources, plot=False):
    """The learning-curve stages of `sources`: points, label draws, the
    comparisons they are in (each pre-trained source against learned), and
    the plot stage."""
    points = {f"curve_{s}@{n}" for s in sources for n in SIZES}
    draws = {f"curve_{s}_draw@{n}-{k}" for s in sources for n in DRAW_SIZES for k in CURVE_DRAWS}
    compared = {"compare_curve"} | CARDS if sources else set()  # every source against learned, one stage
    return points | draws | compared | ({"learning_curve"} if plot else set())


# params.yaml's compare.pairs: each reruns with either of its models' evaluation.
PAIRS = {
    "few_labels_vs_nbsvm_200": ("few_labels", "nbsvm_200"),
    "few_labels_vs_glove_frozen": ("few_labels", "glove_frozen"),
    "full_data_vs_learned_maxlen20": ("full_data", "learned_maxlen20"),
}


def stages_of(*names, kinds=("train", "evaluate")):
    """The stages of these experiments, and (with their evaluation) the comparisons they are in."""
    stages = {f"{kind}_{GROUPS[name]}@{name}" for kind in kinds for name in names}
    if "few_labels" in names and "train" in kinds:  # its label draws fit on what it fits on
        stages |= {f"draw_nbsvm_pseudo@few_labels-{k}" for k in FEW_LABELS_DRAWS}
    compared = {f"compare@{pair}" for pair, models in PAIRS.items() if set(models) & set(names)}
    after = compared | {"model_cards"} | ({"forest"} if compared else set())
    return stages | (after if "evaluate" in kinds else set())


def repro_log(project, mirror, *args, bytecode=False):
    """(stages `dvc repro` ran, stages it restored from DVC's run cache), by
    name; every pipeline unless `args` names stages. `bytecode`: Python writes
    __pycache__ as it does by default (this machine's environment turns that off)."""
    env = tool_env(PIPELINE_MIRROR=str(mirror))
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = run_tool(project, "dvc", "repro", *(args or ["--all-pipelines"]), env=env)
    OUTPUT[:] = [result.stdout + result.stderr]
    ran = set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", result.stdout, re.MULTILINE))
    restored = set(re.findall(r"^Stage '(?:\S+:)?([^']+)' is cached - skipping run", result.stdout, re.MULTILINE))
    # check_params runs whenever params.yaml's bytes change, and reruns nothing
    # after it (its output never changes): the sets below are the stages that
    # depend on what changed.
    CHECKED[:] = ["check_params" in ran | restored]
    return ran - {"check_params"}, restored - {"check_params"}


def addresses(project, names):
    """The addresses of stages given by name, as `dvc repro` takes them."""
    from dvc.repo import Repo

    with Repo(str(project)) as repo:
        return {address(project, stage) for stage in repo.index.stages if stage.name in names}


def repro(project, mirror, *args):
    """The stages `dvc repro` brought up to date: run, or restored from the run cache."""
    ran, restored = repro_log(project, mirror, *args)
    return ran | restored


def planned_all(project, change):
    return planned(project, change, all_pipelines=True)


def metrics(project, name):
    """Every figure of a model (its details file; metrics/<name>.json holds the few compared ones)."""
    return json.loads((project / "data/evaluation" / f"{name}.json").read_text())[name]


def accuracy(project, predictions):
    """The test accuracy of a file of P(positive) of each test review, rounded as the metrics are."""
    import numpy as np
    import pyarrow.parquet as pq

    labels = np.asarray(pq.read_table(project / "data/prepared/test.parquet", columns=["label"])["label"])
    return round(float(np.mean((np.load(predictions) > 0.5) == (labels > 0.5))), 6)


def last_epoch(project, name):
    return json.loads((project / "dvclive" / name / "metrics.json").read_text())


@pytest.fixture(scope="module")
def project(tmp_path_factory, fixture_mirror, reproduced_project):
    """A copy of the shared project, after its cold `dvc repro`."""
    mirror, _ = fixture_mirror
    source, _ = reproduced_project
    project = tmp_path_factory.mktemp("pipeline") / "project"
    subprocess.run(["cp", "-a", str(source), str(project)], check=True)
    (project.parent / "cold-repro.log").write_text((source.parent / "cold-repro.log").read_text())
    return project, mirror


def test_caching_is_exact(project):
    project, mirror = project
    everything = {"download_imdb", "download_glove", "parse_glove", "prepare", "tokenize", "embedding", "word2vec"}
    everything |= {"ngram_features@few_labels"}  # few_labels' n-grams, read by its fit and its draws
    everything |= stages_of(*GROUPS) | curve("learned", "glove", "word2vec", plot=True) | {"check_params"}
    assert {"draw_nbsvm_pseudo@few_labels-1", "curve_glove_draw@20-1", "compare_curve"} <= everything
    cold = (project.parent / "cold-repro.log").read_text()
    assert set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", cold, re.MULTILINE)) == everything
    for name in KERAS:
        m = metrics(project, name)
        assert set(m) == {
            "test_accuracy",
            "test_loss",
            "ece",
            "brier",
            "train_samples",
            "validation_samples",
            "labels_total",
        }
        assert m["labels_total"] == m["train_samples"] + m["validation_samples"]
        assert 0 <= m["test_accuracy"] <= 1 and m["train_samples"] > 0
        last = last_epoch(project, name)
        assert last["step"] == 1 and {"accuracy", "loss"} <= set(last["train"]) <= set(last["eval"])
        history = (project / "plots/training" / f"{name}.csv").read_text().splitlines()
        assert history[0] == "epoch,split,loss,accuracy" and len(history) == 5  # 2 epochs, training and validation
        assert [row.split(",")[:2] for row in history[1:]] == [
            ["1", "training"],
            ["2", "training"],
            ["1", "validation"],
            ["2", "validation"],
        ]
    for name, labelled in (("full_data", 120), ("nbsvm_200", 20), ("few_labels", 20)):
        m = metrics(project, name)
        assert 0 <= m["test_accuracy"] <= 1 and m["train_samples"] == labelled
    # Few labels means few labels: 20 in all, none held out; its two label draws and their spread.
    few = metrics(project, "few_labels")
    assert few["validation_samples"] == 0 and few["labels_total"] == 20 and "validation_accuracy" not in few
    draws = few["draws"]
    drawn = json.loads((project / "data/draws/few_labels/1.json").read_text())
    drawn_accuracy = accuracy(project, project / "data/draws/few_labels/1.npy")
    assert draws["draws"] == 2 and draws["test_accuracies"] == [few["test_accuracy"], drawn_accuracy]
    assert draws["ci95_low"] <= draws["mean"] <= draws["ci95_high"] and drawn["seed"] == 1338
    fit = json.loads((project / "data/models/few_labels.fit.json").read_text())
    assert fit["pseudo_labels"] in (20, 40) and fit["teacher_c"] in (0.1, 1.0, 10.0, 100.0, 1000.0)
    # c and the pseudo-label count: chosen within the 20 labels, each candidate's held-out score kept.
    assert fit["c"] in (0.1, 1.0) and len(fit["cross_validated"]) == 4
    # Times are not outputs (they differ between runs): they are in timings/, which git ignores.
    for name in (*KERAS, "full_data", "few_labels"):
        assert json.loads((project / "timings" / f"train@{name}.json").read_text())["train_seconds"] >= 0
    tracked = json.dumps([metrics(project, n) for n in (*KERAS, *NBSVM)])
    assert "seconds" not in tracked and "seconds" not in (project / "dvc.lock").read_text()
    coverage = json.loads((project / "metrics/embedding.json").read_text())
    assert 0 < coverage["coverage"] <= 1
    import csv

    table = list(csv.DictReader((project / "plots/learning_curve.csv").read_text().splitlines()))
    assert list(table[0]) == ["source", "train_samples", "test_accuracy", "low", "high", "draws", "epochs", "ended"]
    names = {"learned": "learned from scratch", "glove": "GloVe (frozen)", "word2vec": "word2vec (frozen)"}
    for source in ("learned", "glove", "word2vec"):
        rows = [row for row in table if row["source"] == names[source]]
        assert [int(row["train_samples"]) for row in rows] == list(SIZES)
        assert all(row["ended"] in ("early stopping", "the epoch cap: a floor") for row in rows)
        # At 20 labels, the mean of 2 draws between the lowest and the highest; at 60, one draw.
        at_20, at_60 = ({k: float(v) for k, v in row.items() if k not in ("source", "ended")} for row in rows)
        drawn = accuracy(project, project / "data/curve" / f"{source}-20-draw1.npy")
        first = accuracy(project, project / "data/curve" / f"{source}-20.npy")
        assert at_20["draws"] == 2 and at_20["low"] == min(first, drawn)
        assert at_20["test_accuracy"] == pytest.approx((first + drawn) / 2, abs=1e-6)
        assert at_60["draws"] == 1 and at_60["low"] == at_60["high"] == at_60["test_accuracy"]
        point = json.loads((project / "data/curve" / f"{source}-20.json").read_text())
        assert point["train_samples"] == 20 and point["validation_samples"] == 40 and "train_seconds" not in point
    assert (project / "plots/learning_curve.png").read_bytes().startswith(b"\x89PNG")
    word2vec = json.loads((project / "metrics/word2vec.json").read_text())
    assert word2vec["vocabulary_words"] == 38 and 0 < word2vec["coverage"] <= 1

    # A second repro runs nothing.
    assert repro(project, mirror) == set() and not CHECKED[0]

    # One real rerun and one run-cache restore: an experiment's own key reruns
    # that experiment only; set back, it is restored from DVC's run cache, not trained.
    edit_params(project, lambda p: experiments(p)["learned_small"].update(epochs=3))
    assert repro_log(project, mirror) == (stages_of("learned_small"), set()) and CHECKED[0]
    assert last_epoch(project, "learned_small")["step"] == 2
    assert last_epoch(project, "glove_frozen")["step"] == 1
    edit_params(project, lambda p: experiments(p)["learned_small"].pop("epochs"))  # as before: train.epochs
    ran, restored = repro_log(project, mirror)
    # model_cards' output is a folder kept in git, not the cache, which DVC's run cache does not restore.
    assert ran == {"model_cards"} and restored == stages_of("learned_small") - {"model_cards"}
    assert last_epoch(project, "learned_small")["step"] == 1

    # Label draws are cached one by one: one more draw runs only it, and the
    # gathering (evaluate) and the cards, which read every draw. (The compared
    # metrics stay the same here, every draw scoring the same on the fixture,
    # so forest, which reads them, has nothing new to draw.)
    edit_params(project, lambda p: p["draws"].update(nbsvm_pseudo=[1, 2]))
    ran = repro(project, mirror)
    assert ran == {"draw_nbsvm_pseudo@few_labels-2", "evaluate_nbsvm_pseudo@few_labels", "model_cards"}, ran
    assert metrics(project, "few_labels")["draws"]["draws"] == 3
    edit_params(project, lambda p: p["draws"].update(nbsvm_pseudo=[1]))
    assert repro(project, mirror) == {"evaluate_nbsvm_pseudo@few_labels", "model_cards"}
    assert metrics(project, "few_labels")["draws"]["draws"] == 2  # draw 2's file, left behind, is not counted

    # The rest is the plan: what `dvc status` and the DAG say would rerun.
    # A training param reruns train and evaluate of every Keras experiment, and
    # no curve point (the curve has its own epochs and optimizer).
    all_points = curve("learned", "glove", "word2vec")
    assert planned_all(project, lambda p: p["train"].update(epochs=3)) == stages_of(*KERAS)
    assert planned_all(project, lambda p: p["train"].update(optimizer="adam")) == stages_of(*KERAS)
    # The seed and batch size are the curve's too.
    assert planned_all(project, lambda p: p["train"].update(seed=7)) == stages_of(*KERAS) | all_points | {
        "learning_curve"
    }
    # The curve's own keys rerun the grid; one more size adds its points and no other.
    assert planned_all(project, lambda p: p["learning_curve"].update(epochs=4)) == curve(
        "learned", "glove", "word2vec", plot=True
    )
    more = {f"curve_{source}@90" for source in ("learned", "glove", "word2vec")} | {"learning_curve"}
    more |= {"compare_curve"} | CARDS
    assert planned_all(project, lambda p: p["learning_curve"].update(sizes=[*SIZES, 90])) == more

    # An NBSVM experiment's own key reruns that experiment only.
    assert planned_all(project, lambda p: p["nbsvm"]["labelled"]["full_data"].update(c=1.0)) == stages_of("full_data")

    # The vocabulary size reruns from tokenize on: no download, parse or
    # prepare, and not full_data (its n-grams come from the raw texts).
    assert planned_all(project, lambda p: p["tokenize"].update(max_words=40)) == {
        "tokenize",
        "embedding",
        "word2vec",
    } | stages_of(*KERAS, "few_labels") | all_points | {"learning_curve"}

    # The word2vec settings rerun the word2vec stage, its experiments (few_labels'
    # teacher among them) and its curve points only.
    assert planned_all(project, lambda p: p["word2vec"].update(epochs=3)) == {"word2vec"} | stages_of(
        "word2vec_small", "few_labels"
    ) | curve("word2vec", plot=True)

    # The GloVe dim reruns the GloVe stages and the GloVe experiments; the
    # learned and word2vec experiments' stages do not run at all.
    assert planned_all(project, lambda p: p["glove"].update(dim=100)) == {
        "download_glove",
        "parse_glove",
        "embedding",
    } | stages_of("glove_frozen") | curve("glove", plot=True)

    # Each change above was put back: nothing to run.
    assert repro(project, mirror) == set()


def test_a_code_change_reruns_only_the_stages_that_run_it(project):
    """A comment appended to a file of the package puts out of date exactly
    the stages that run that file (dvc status, every pipeline)."""
    project, _ = project
    keras_training = {f"train_{g}@{n}" for n, g in KERAS.items()} | curve("learned", "glove", "word2vec") - {
        "compare_curve"
    } - CARDS
    nbsvm_training = {"train_nbsvm@full_data", "train_nbsvm@nbsvm_200", "ngram_features@few_labels"}
    nbsvm_training |= {"train_nbsvm_pseudo@few_labels"} | {
        f"draw_nbsvm_pseudo@few_labels-{k}" for k in FEW_LABELS_DRAWS
    }
    evaluates = {f"evaluate_{g}@{n}" for n, g in GROUPS.items()}
    expected = {
        "imdb_embeddings/modeling/families.py": {"check_params"} | keras_training,
        "imdb_embeddings/nbsvm/fit.py": nbsvm_training,
        "imdb_embeddings/evaluation/calibration.py": evaluates,
        "imdb_embeddings/reports/model_card.py": {"model_cards"},
    }
    for path, stages in expected.items():
        source = project / path
        before = source.read_text()
        source.write_text(before + "# a comment\n")
        try:
            assert out_of_date(project) == stages, path
        finally:
            source.write_text(before)
    assert out_of_date(project) == set()


def out_of_date(project):
    """The stages `dvc status` finds changed in every pipeline, by name."""
    status = run_tool(project, "dvc", "status", "--json", env=tool_env()).stdout
    return {name.split(":")[-1] for name in json.loads(status)}


def test_retrain_is_byte_stable(project):
    """Same params, forced retrain: the same model files, metrics and
    history, so dvc.lock does not change."""
    project, mirror = project
    repro(project, mirror)
    lock = [path.read_text() for path in sorted(project.glob("**/dvc.lock"))]
    models = {p.name: p.read_bytes() for p in (project / "data/models").iterdir()}
    before = {n: (metrics(project, n), last_epoch(project, n)) for n in KERAS}
    history = (project / "plots/training/glove_frozen.csv").read_text()
    forced = sorted(addresses(project, stages_of("glove_frozen", "learned_small")))
    # Run as most Pythons run, writing __pycache__ into the package folders
    # the stages depend on: DVC must not see them (.dvcignore), or every
    # stage would look changed after this, and on every other machine.
    ran, _ = repro_log(project, mirror, "--force", "--single-item", *forced, bytecode=True)
    assert ran == stages_of("glove_frozen", "learned_small") and (project / "imdb_embeddings/core/__pycache__").is_dir()
    assert repro(project, mirror) == set()
    # A CPU run prints no alarming lines (TensorFlow's CUDA probe).
    assert not re.search(r"cuInit|CUDA error|cuda drivers|^E0000", OUTPUT[0], re.MULTILINE), OUTPUT[0]
    assert {p.name: p.read_bytes() for p in (project / "data/models").iterdir()} == models
    assert {n: (metrics(project, n), last_epoch(project, n)) for n in KERAS} == before
    assert (project / "plots/training/glove_frozen.csv").read_text() == history
    assert [path.read_text() for path in sorted(project.glob("**/dvc.lock"))] == lock


def test_metrics_and_plots_commands(project, tmp_path):
    project, mirror = project
    repro(project, mirror)
    shown = json.loads(run_tool(project, "dvc", "metrics", "show", "--json").stdout)
    files = next(iter(shown.values()))["data"]
    # One file a model, the same few keys in each: `dvc metrics show` is a table, a row a model.
    assert set(files) == {f"metrics/{name}.json" for name in (*KERAS, *NBSVM)}  # coverage and comparisons: outputs
    for name in (*KERAS, *NBSVM):
        compared = files[f"metrics/{name}.json"]["data"]
        assert set(compared) == (
            {"test_accuracy", "ece", "draws"} if name == "few_labels" else {"test_accuracy", "ece"}
        )
        assert compared["test_accuracy"] == metrics(project, name)["test_accuracy"]
    assert set(files["metrics/few_labels.json"]["data"]["draws"]) == {"mean", "ci95_low", "ci95_high"}
    comparisons = {path.name: json.loads(path.read_text()) for path in (project / "metrics/compare").glob("*.json")}
    files = {f"metrics/compare/{name}": {"data": data} for name, data in comparisons.items()}
    files |= {f"metrics/{name}.json": {"data": {name: metrics(project, name)}} for name in (*KERAS, *NBSVM)}
    curve_pairs = files["metrics/compare/curve.json"]["data"]
    assert set(curve_pairs) == {f"curve_{s}_vs_learned_{n}" for s in ("glove", "word2vec") for n in SIZES}
    assert curve_pairs["curve_glove_vs_learned_60"]["a"] == "glove-60"
    assert curve_pairs["curve_glove_vs_learned_60"]["b"] == "learned-60"
    for pair, (a, b) in PAIRS.items():
        compared = files[f"metrics/compare/{pair}.json"]["data"][pair]
        assert (compared["a"], compared["b"]) == (a, b) and 0 <= compared["p_value"] <= 1
        assert compared["low"] <= compared["difference"] <= compared["high"]
    for name in (*KERAS, *NBSVM):
        model = files[f"metrics/{name}.json"]["data"][name]
        assert 0 <= model["ece"] <= 1 and 0 <= model["brier"] <= 1
        assert (project / "plots/reliability" / f"{name}.csv").read_text().startswith("lower,upper,reviews,")
    for name in (*KERAS, *NBSVM):
        assert {"test_accuracy", "test_loss", "train_samples", "validation_samples"} <= set(
            files[f"metrics/{name}.json"]["data"][name]
        )
    # A model card per model, from what the pipeline measured: the model's md5 as
    # dvc.lock records it, the labels in all, the draws; each artifact points to its card.
    import yaml

    locks = [yaml.safe_load(path.read_text()) for path in project.glob("**/dvc.lock")]
    md5s = {
        out["path"]: out["md5"] for lock in locks for stage in lock["stages"].values() for out in stage.get("outs", ())
    }
    artifacts = {
        key: (path.parent, artifact)
        for path in [project / "dvc.yaml", *project.glob("studies/*/dvc.yaml")]
        for key, artifact in (yaml.safe_load(path.read_text()).get("artifacts") or {}).items()
    }
    for name in (*KERAS, *NBSVM):
        card = (project / "cards" / f"{name}.md").read_text()
        m = files[f"metrics/{name}.json"]["data"][name]
        assert md5s[f"data/models/{name}.npz"] in card and f"Labelled reviews in all: {m['labels_total']:,}**" in card
        assert f"**{m['test_accuracy']:.4f}**" in card and f"ECE {m['ece']:.4f}" in card
        folder, artifact = artifacts[name.replace("_", "-")]
        assert (folder / artifact["meta"]["card"]).resolve() == (project / "cards" / f"{name}.md").resolve()
    few = (project / "cards/few_labels.md").read_text()
    assert "Over 2 label draws" in few and "Self-training assumes balanced classes" in few
    assert "few_labels minus nbsvm_200" in few

    out = tmp_path / "plots"
    run_tool(project, "dvc", "plots", "show", "-o", str(out))
    page = (out / "index.html").read_text()
    assert "learning_curve" in page
    # A chart a thing: the curve (its table drawn once, not alone too), the forest,
    # a reliability diagram a model, a training chart a Keras model; no PNG, no DVCLive file.
    shown = set(json.loads(run_tool(project, "dvc", "plots", "show", "--json").stdout)["data"])
    expected = {"learning_curve", "plots/comparisons.csv"} | {f"plots/reliability/{n}.csv" for n in GROUPS}
    assert shown == expected | {f"plots/training/{n}.csv" for n in KERAS}, sorted(shown)


def test_bad_params_fail_before_any_work(project, tmp_path):
    project, mirror = project
    bad = copy_project(tmp_path / "bad")
    edit_params(bad, lambda p: p["glove"].update(dim=64))
    result = run_tool(bad, "dvc", "repro", env=tool_env(PIPELINE_MIRROR=str(mirror)), check=False)
    assert result.returncode != 0
    assert "glove.dim is 64, but glove.6B only has dims 50, 100, 200, 300" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert not (bad / "data").exists() or not any((bad / "data").rglob("*.*z*"))


def test_too_many_samples_is_named(project, tmp_path):
    project, mirror = project
    edit_params(project, lambda p: experiments(p)["glove_frozen"].update(train_samples=10_000))
    try:
        result = run_tool(project, *stage_argv(project, "train_glove@glove_frozen"), check=False)
    finally:
        edit_params(project, lambda p: experiments(p)["glove_frozen"].update(train_samples=20))
    assert result.returncode == 1
    assert "experiments.glove.glove_frozen.train_samples + validation_samples = 10060" in result.stderr
    assert "only 120 training reviews" in result.stderr


def test_a_broken_draw_is_named_and_the_metrics_kept(project, tmp_path):
    import numpy as np

    project, _ = project
    draw = project / "data/draws/few_labels/1.npy"
    metrics_file = project / "metrics/few_labels.json"
    good, before = draw.read_bytes(), metrics_file.read_bytes()
    np.save(tmp_path / "short.npy", np.zeros(3, np.float32))
    try:
        for broken, said in ((b"{", "not a draw's predictions"), ((tmp_path / "short.npy").read_bytes(), "not 80")):
            draw.write_bytes(broken)
            result = run_tool(project, *stage_argv(project, "evaluate_nbsvm_pseudo@few_labels"), check=False)
            assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
            assert f"data/draws/few_labels/1.npy: {said}" in result.stderr
            assert metrics_file.read_bytes() == before
    finally:
        draw.write_bytes(good)
