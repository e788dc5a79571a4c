"""The graphs to choose from on the command line: `--model.graph MLP` or `--model.graph CNN`.

`GraphParams` is the type of the field `TutorialModelParams.graph`; each subclass is one choice
(its `alt` name or class name selects it) and is bound to its layer by `GraphLayer[Params]`,
as a DataBase is to its params (`tfaip.data.bind_params_class`).
"""

from dataclasses import dataclass, field
from typing import Generic, List, TypeVar

import keras
import numpy as np
import tensorflow as tf
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError, bind_params_class
from tfaip.model import TensorboardWriter, TFAIPLayerBase


@pai_dataclass
@dataclass
class GraphParams:
    """The params of a graph layer: `cls()` is the `GraphLayer` that names them."""

    @staticmethod
    def cls() -> type:
        """The layer class these params configure."""
        raise NotImplementedError("No GraphLayer names these params: define `class Layer(GraphLayer[Params])`.")


TGP = TypeVar("TGP", bound=GraphParams)


class GraphLayer(TFAIPLayerBase, Generic[TGP]):
    """A layer created from its `GraphParams`: image batch [B, 28, 28, 1] in, features [B, n] out."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        bind_params_class(cls, TGP)

    def __init__(self, params: TGP, **kwargs):
        super().__init__(**kwargs)
        self.params = params


@pai_dataclass(alt="MLP")
@dataclass
class MLPGraphParams(GraphParams):
    """A multi-layer perceptron (`--model.graph MLP`)."""

    nodes: List[int] = field(default_factory=lambda: [128], metadata=pai_meta(help="Nodes of each hidden layer."))
    activation: str = field(
        default="relu", metadata=pai_meta(help="Activation of the hidden layers: a keras name (relu, tanh, ...).")
    )
    dropout: float = field(default=0.0, metadata=pai_meta(help="Dropout rate after each hidden layer."))

    def __post_init__(self):
        try:
            keras.activations.get(self.activation)
        except ValueError:
            raise ConfigError(
                f"--model.graph.activation {self.activation!r} is no keras activation; try relu, tanh, sigmoid, "
                "elu, gelu or swish."
            ) from None


class MLPLayer(GraphLayer[MLPGraphParams]):
    """Flatten, then dense layers with dropout."""

    def __init__(self, params: MLPGraphParams, **kwargs):
        super().__init__(params, **kwargs)
        self.flatten = keras.layers.Flatten()
        self.hidden = [
            keras.layers.Dense(n, activation=params.activation, name=f"dense{i}") for i, n in enumerate(params.nodes)
        ]
        self.dropout = keras.layers.Dropout(params.dropout)

    def call(self, images, training=None):
        x = self.flatten(images)
        for dense in self.hidden:
            x = self.dropout(dense(x), training=training)
        return x


@pai_dataclass(alt="CNN")
@dataclass
class ConvGraphParams(GraphParams):
    """Convolutions with 2x2 max pooling, then dense layers (`--model.graph CNN`)."""

    filters: List[int] = field(
        default_factory=lambda: [16, 32], metadata=pai_meta(help="Filters of each 3x3 convolution.")
    )
    dense: List[int] = field(default_factory=lambda: [100], metadata=pai_meta(help="Nodes of each dense layer."))


def write_feature_maps(name: str, maps: np.ndarray, step: int) -> None:
    """The channels of the first samples' feature maps side by side, as one grey image each."""
    tiles = np.concatenate(list(np.moveaxis(maps[:2], -1, 0)), axis=-1)[..., None]
    tf.summary.image(name, tiles / max(float(tiles.max()), 1e-6), step=step, max_outputs=2)


class ConvLayer(GraphLayer[ConvGraphParams]):
    """The first convolution's feature maps go to TensorBoard (at no cost in training steps)."""

    def __init__(self, params: ConvGraphParams, **kwargs):
        super().__init__(params, **kwargs)
        self.convs = [
            keras.layers.Conv2D(f, (3, 3), padding="same", activation="relu", name=f"conv{i}")
            for i, f in enumerate(params.filters)
        ]
        self.pool = keras.layers.MaxPool2D((2, 2))
        self.flatten = keras.layers.Flatten()
        self.dense = [keras.layers.Dense(n, activation="relu", name=f"dense{i}") for i, n in enumerate(params.dense)]
        self.feature_maps = TensorboardWriter(func=write_feature_maps, dtype="float32", name="conv0_feature_maps")

    def call(self, images, training=None):
        x = images
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if i == 0:
                self.add_tensorboard(self.feature_maps, x)
            x = self.pool(x)
        x = self.flatten(x)
        for dense in self.dense:
            x = dense(x)
        return x
