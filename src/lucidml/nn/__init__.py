"""Neural networks: dense layers and the notes' fully-connected network (notes §6, §7, §14)."""

from ._mlp import MLPClassifier, MLPRegressor
from .layers import Dense
from .network import NeuralNetwork

__all__ = ["Dense", "MLPClassifier", "MLPRegressor", "NeuralNetwork"]
