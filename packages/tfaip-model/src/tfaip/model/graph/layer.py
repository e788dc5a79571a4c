"""`TFAIPLayerBase`: a keras Layer that can send data to TensorBoard."""

from typing import Any

import keras

from tfaip.model.graph.tensorboard import TensorboardWriter, add_tensorboard_value


class TFAIPLayerBase(keras.layers.Layer):
    """A keras Layer with `add_tensorboard` (use it as the base of layers that log images or raw data).

    Example:
        >>> class Conv(TFAIPLayerBase):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.conv = keras.layers.Conv2D(8, 3)
        ...         self.tb_writer = TensorboardWriter(func=handle, dtype="float32", name="conv_mat")
        ...     def call(self, inputs):
        ...         out = self.conv(inputs)
        ...         self.add_tensorboard(self.tb_writer, out)
        ...         return out
    """

    def add_tensorboard(self, writer: TensorboardWriter, value: Any) -> None:
        """Send `value` (cast to `writer.dtype`) to `writer` when the root graph writes TensorBoard data."""
        add_tensorboard_value(writer, keras.ops.cast(value, writer.dtype))
