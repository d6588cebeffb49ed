"""NB-weighted logistic regression on word n-grams (NBSVM, Wang & Manning 2012;
Mesnil et al. 2015), and the self-training that lets it learn from 200 labels.
No TensorFlow: `exact_ngrams` and `ngram_model` need numpy only, `fit` and `teacher`
scikit-learn."""
