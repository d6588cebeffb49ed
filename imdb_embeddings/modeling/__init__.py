"""Models, training, distribution, inference and saving. Only `model`,
`training` and `saving` import TensorFlow/Keras, and only the train stage uses them."""
