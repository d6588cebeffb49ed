import copy

import pytest
import yaml
from pydantic import ValidationError

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.modeling.families import FAMILIES
from imdb_embeddings.nbsvm.choice import candidates
from tests.project import project_params

# The shipped defaults (git's params.yaml), not whatever an experiment left in the workspace.
DEFAULTS = yaml.safe_load(project_params())


def experiment(p, group, name):
    return getattr(p.experiments, group)[name]


def check(change):
    p = copy.deepcopy(DEFAULTS)
    change(p)
    with pytest.raises(PipelineError) as err:
        params.validate(p, families=FAMILIES)
    return str(err.value)


def test_defaults_reproduce_the_references():
    p = params.validate(DEFAULTS, families=FAMILIES)
    assert DEFAULTS["glove"]["dim"] == 100
    assert DEFAULTS["tokenize"]["max_words"] == 10000
    ref1 = experiment(p, "learned", "learned_maxlen20")
    assert (ref1.embedding_dim, ref1.maxlen, ref1.hidden_units) == (8, 20, 0)
    assert (ref1.train_samples, ref1.validation_samples) == (20000, 5000)
    ref2 = experiment(p, "glove", "glove_frozen")
    assert (ref2.embedding, ref2.trainable, ref2.maxlen, ref2.hidden_units) == ("glove", False, 100, 32)
    assert (ref2.train_samples, ref2.validation_samples) == (200, 10000)
    small = experiment(p, "learned", "learned_small")
    assert small.trainable and small.train_samples == 200
    for exp in (ref1, ref2, small):
        assert (exp.epochs, exp.batch_size, exp.optimizer) == (10, 32, "rmsprop")


def test_nbsvm_defaults_are_the_issue_s_experiments():
    defaults = params.validate(DEFAULTS)
    full = defaults.nbsvm.labelled["full_data"]
    assert (full.train_samples, full.validation_samples, full.ngrams, full.solver) == (25000, 0, 3, "auto")
    few = defaults.nbsvm.pseudo_labelled["few_labels"]
    assert few.train_samples == 200 and min(candidates(few.pseudo_labels)) > 0 and min(candidates(few.c)) > 0
    assert "few_labels" not in defaults.nbsvm.labelled


def test_sections_are_typed_objects_from_one_schema():
    """The pydantic models are the schema: their fields are the keys `validate`
    knows, and a stage gets a section as an object, floats as floats."""
    defaults = params.validate(DEFAULTS)
    for name, field in params.Params.model_fields.items():
        cls = field.annotation
        if name == "doc_vectors":  # named sets of vectors, none by default
            assert defaults.doc_vectors == {} and set(params.DocVectors.model_fields) >= {"dim", "ngrams"}
            continue
        if name not in ("experiments", "nbsvm"):  # those hold named experiments
            assert set(cls.model_fields) == set(DEFAULTS[name]), name
        assert isinstance(getattr(defaults, name), cls)
    word2vec = defaults.word2vec
    assert (word2vec.dim, word2vec.sg) == (100, 0)
    assert defaults.glove.members[50].startswith("sha256:")
    p = copy.deepcopy(DEFAULTS)
    p["nbsvm"]["labelled"]["full_data"]["c"] = 1  # YAML's int, for a float key
    p["learning_curve"]["learning_rate"] = 1
    typed = params.validate(p)
    c = typed.nbsvm.labelled["full_data"].c
    assert c == 1.0 and isinstance(c, float)
    assert isinstance(typed.learning_curve.learning_rate, float)
    with pytest.raises(ValidationError, match="frozen"):
        word2vec.dim = 5  # frozen: a stage cannot change what it was given


def test_experiment_overrides_train_defaults():
    p = copy.deepcopy(DEFAULTS)
    p["experiments"]["learned"]["learned_small"]["epochs"] = 3
    typed = params.validate(p)
    assert experiment(typed, "learned", "learned_small").epochs == 3
    assert experiment(typed, "glove", "glove_frozen").epochs == 10


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda p: p["tokenize"].update(max_wrds=5), "tokenize.max_wrds"),
        (lambda p: p.update(extra={}), "unknown key extra"),
        (lambda p: p["tokenize"].update(max_words=0), "tokenize.max_words is 0"),
        (lambda p: p["train"].update(batch_size=-32), "train.batch_size is -32"),
        (lambda p: p["compare"]["pairs"].update(x={"a": "nope", "b": "full_data"}), "compare.pairs.x.a is 'nope'"),
        (lambda p: p["compare"]["pairs"].update(x={"a": "full_data", "b": "full_data"}), "full_data with itself"),
        (lambda p: p["compare"]["pairs"].update(x={"a": "full_data"}), "compare.pairs.x must be a mapping of a and b"),
        (lambda p: p["compare"]["pairs"].update({"../x": {"a": "full_data", "b": "few_labels"}}), "'../x' is not"),
        (lambda p: p["compare"].update(resamples=10**6), "compare.resamples is 1e+06; expected at most 100,000"),
        (lambda p: p["train"].update(epochs="ten"), "train.epochs is 'ten'"),
        (lambda p: p["glove"].update(dim=64), "glove.dim is 64"),
        (lambda p: p["glove"]["members"].update({64: "md5:" + "0" * 32}), "glove.members.64"),
        (lambda p: p["glove"]["members"].update({50: "sha256:abc"}), "glove.members.50"),
        (lambda p: p["experiments"]["glove"]["glove_frozen"].update(maxlen=0), "experiments.glove.glove_frozen.maxlen"),
        (
            lambda p: p["experiments"]["glove"]["glove_frozen"].update(embedding_dim=50),
            "experiments.glove.glove_frozen.embedding_dim is set",
        ),
        (
            lambda p: p["experiments"]["learned"]["learned_small"].pop("embedding_dim"),
            "experiments.learned.learned_small.embedding_dim",
        ),
        (
            lambda p: p["experiments"]["learned"]["learned_small"].update(dropot=0.5),
            "unknown key experiments.learned.learned_small.dropot",
        ),
        (lambda p: p["experiments"]["learned"]["learned_small"].update(dropout=1.5), "learned_small.dropout is 1.5"),
        (lambda p: p["experiments"]["learned"]["learned_small"].update(model="lstm"), "learned_small.model is 'lstm'"),
        (lambda p: p["experiments"]["learned"]["learned_small"].update(learning_rate=0), "learning_rate is 0"),
        (
            lambda p: p["experiments"]["glove"]["glove_frozen"].update(model="ngram_bag"),
            "glove_frozen is an ngram_bag model with a frozen embedding",
        ),
        (lambda p: p["experiments"]["learned"]["learned_small"].update(model="ngram_bag", ngrams=7), "ngrams is 7"),
        (
            lambda p: p["experiments"]["learned"]["learned_small"].update(optimizer="lbfgs"),
            "experiments.learned.learned_small.optimizer",
        ),
        (lambda p: p["experiments"].update(fasttext={}), "unknown key experiments.fasttext"),
        (lambda p: p["word2vec"].update(sg=2), "word2vec.sg is 2"),
        (lambda p: p["experiments"]["word2vec"]["word2vec_small"].update(embedding_dim=9), "uses word2vec.dim"),
        (
            lambda p: p["experiments"]["glove"].update(
                learned_small={"maxlen": 5, "hidden_units": 0, "train_samples": 1, "validation_samples": 1}
            ),
            "experiment learned_small is in both experiments.learned and experiments.glove",
        ),
        (lambda p: p["experiments"]["glove"].update({"../x": {}}), "'../x' is not a valid experiment name"),
        (lambda p: p["imdb"].pop("sha256"), "imdb.sha256 is missing"),
        (lambda p: p["train"].update(distribute="horovod"), "distribute is 'horovod'"),
        (lambda p: p["train"].update(cpu_devices=0), "train.cpu_devices is 0"),
        (lambda p: p["nbsvm"]["labelled"]["full_data"].update(ngrams=4), "nbsvm.labelled.full_data.ngrams is 4"),
        (lambda p: p["nbsvm"]["labelled"]["full_data"].update(c=0), "nbsvm.labelled.full_data.c is 0"),
        (
            lambda p: p["nbsvm"]["labelled"]["full_data"].update(solver="sgd"),
            "nbsvm.labelled.full_data.solver is 'sgd'; expected one of auto, liblinear, lbfgs",
        ),
        (lambda p: p["nbsvm"]["labelled"]["full_data"].update(solver=1), "nbsvm.labelled.full_data.solver is 1"),
        (lambda p: p["nbsvm"]["labelled"]["full_data"].pop("min_df"), "nbsvm.labelled.full_data.min_df is missing"),
        (
            lambda p: p["nbsvm"]["labelled"]["full_data"].update(pseudo_labels=10),
            "unknown key nbsvm.labelled.full_data.pseudo_labels",
        ),
        (
            lambda p: p["nbsvm"]["pseudo_labelled"]["few_labels"].pop("teacher_c"),
            "nbsvm.pseudo_labelled.few_labels.teacher_c is missing",
        ),
        (
            lambda p: p["nbsvm"]["labelled"].update(glove_frozen=p["nbsvm"]["labelled"]["full_data"]),
            "experiment glove_frozen is in both glove and nbsvm.labelled",
        ),
        (lambda p: p["nbsvm"].update(unlabelled={}), "unknown key nbsvm.unlabelled"),
        (
            lambda p: p["nbsvm"]["pseudo_labelled"]["few_labels"].update(teacher_c=[]),
            "few_labels.teacher_c is []; expected a list of numbers above 0",
        ),
        (
            lambda p: p["nbsvm"]["pseudo_labelled"]["few_labels"].update(teacher_c=[1.0, -1]),
            "few_labels.teacher_c is [1.0, -1]; expected a list of numbers above 0",
        ),
        (
            lambda p: p["nbsvm"]["pseudo_labelled"]["few_labels"].update(teacher_c=10.0),
            "few_labels.teacher_c is 10.0; expected a list",
        ),
        (
            lambda p: p["nbsvm"]["pseudo_labelled"]["few_labels"].update(c=[0.1, 0]),
            "few_labels.c is 0; expected a number above 0, at most 1,000",
        ),
        (
            lambda p: p["nbsvm"]["pseudo_labelled"]["few_labels"].update(pseudo_labels=[]),
            "few_labels.pseudo_labels is []; expected a whole number, or a list of 1 to 10 of them",
        ),
        (
            lambda p: p["nbsvm"]["labelled"]["nbsvm_200"].update(c=["0.1"]),
            "nbsvm_200.c is ['0.1']; expected a number, or a list",
        ),
        (lambda p: p["draws"].update(nbsvm_pseudo=[]), "draws.nbsvm_pseudo is empty; give at least one draw"),
        (lambda p: p["draws"].update(nbsvm_pseudo=[0, 1]), "draws.nbsvm_pseudo is [0, 1]; expected draw numbers"),
        (lambda p: p["draws"].update(curve=[1, 1]), "draws.curve has a draw twice: [1, 1]"),
        (lambda p: p["draws"].update(curve=["a"]), "draws.curve is ['a']; expected draw numbers from 1 to 100"),
        (lambda p: p["draws"].update(curve_sizes=[7]), "draws.curve_sizes has 7, which is not in learning_curve.sizes"),
        (lambda p: p["draws"].pop("curve"), "draws.curve is missing"),
        (lambda p: p["dataset"].update(path="x;touch PWNED"), "dataset.path is 'x;touch PWNED'; expected a relative"),
        (lambda p: p["dataset"].update(path="../elsewhere.csv"), "dataset.path is '../elsewhere.csv'"),
        (lambda p: p["dataset"].update(path="/etc/reviews.csv"), "dataset.path is '/etc/reviews.csv'"),
        (lambda p: p["dataset"].update(path="-rf"), "dataset.path is '-rf'"),
        (lambda p: p["dataset"].update(format="xlsx"), "dataset.format is 'xlsx'; expected one of"),
        (lambda p: p["dataset"].update(positive=1), "dataset.positive is 1; expected text"),
        (lambda p: p["dataset"].update(negative="pos"), "dataset.positive and dataset.negative are both 'pos'"),
        (lambda p: p["dataset"].update(text_column=""), "dataset.text_column is ''; expected 1 to 200 printable"),
        (lambda p: p["dataset"].update(test_fraction=1.0), "dataset.test_fraction is 1.0; expected below 1"),
        (lambda p: p["dataset"].update(test_fraction=0), "dataset.test_fraction is 0.0; expected a positive number"),
        (lambda p: p["dataset"].update(content_sha256="abc"), "dataset.content_sha256: 'abc' is not a sha256 digest"),
    ],
)
def test_invalid_params_name_the_key(change, named):
    assert named in check(change)


def test_load_reports_bad_yaml(tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("tokenize: [unclosed\n")
    with pytest.raises(PipelineError, match="params.yaml is not valid YAML"):
        params.load(path=bad)


def test_load_gives_the_values_of_the_declared_keys(tmp_path):
    """A stage asks for the keys dvc.yaml declares for it and gets their
    checked values, an experiment whole (its keys over train's)."""
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(DEFAULTS))
    assert params.load("tokenize.max_words", path=path) == 10000
    _, max_words, glove = params.load("train", "tokenize.max_words", "experiments.glove.glove_frozen", path=path)
    assert max_words == 10000 and (glove.maxlen, glove.epochs, glove.embedding, glove.trainable) == (
        100,
        10,
        "glove",
        False,
    )
    assert params.load("glove.members.50", path=path).startswith("sha256:")
    with pytest.raises(PipelineError, match=r"no experiments.glove.nope \(experiments.glove has: glove_frozen\)"):
        params.load("train", "experiments.glove.nope", path=path)
    with pytest.raises(PipelineError, match="an experiment falls back on train's keys; declare train too"):
        params.load("experiments.glove.glove_frozen", path=path)


def test_the_project_s_own_code_warns_of_nothing(tmp_path):
    """No deprecation warning (pydantic's model_fields on an instance) from reading params."""
    import warnings

    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(DEFAULTS))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        params.load("train", "experiments.learned.learned_small", "nbsvm.labelled.full_data.c", path=path)
        with pytest.raises(PipelineError):
            params.load("train", "experiments.learned.missing", path=path)


def test_a_doc_taught_experiment_names_vectors_that_exist():
    p = copy.deepcopy(DEFAULTS)
    few = dict(p["nbsvm"]["pseudo_labelled"]["few_labels"])
    p["nbsvm"]["doc_taught"]["taught"] = {**few, "vectors": "dbow"}
    with pytest.raises(PipelineError, match=r"nbsvm.doc_taught.taught.vectors is 'dbow', not in doc_vectors \(none\)"):
        params.validate(p)
    vectors = {"dim": 8, "epochs": 1, "ngrams": 2, "min_count": 1, "negative": 5, "seed": 1, "workers": 1}
    p["doc_vectors"]["dbow"] = vectors
    assert params.validate(p).nbsvm.doc_taught["taught"].vectors == "dbow"
    p["doc_vectors"]["dbow"]["ngrams"] = 4
    with pytest.raises(PipelineError, match="doc_vectors.dbow.ngrams"):
        params.validate(p)
