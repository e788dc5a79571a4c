"""AdaBelief (Zhuang et al., 2020): Adam whose second moment tracks the belief `(g - m)^2`."""

from typing import Any, Dict

import keras
from keras import ops


class AdaBelief(keras.optimizers.Optimizer):
    """Adam with the variance of the gradient around its moving average as the second moment.

    Args:
        learning_rate: float or schedule (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the second moment (default 0.999).
        epsilon: added to the second moment and the denominator (default 1e-14).
        **kwargs: keras optimizer arguments (clipnorm, weight_decay, use_ema, ...).
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-14,
        name: str = "adabelief",
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list):
        """Create the first moment and the belief of each variable."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._beliefs = self.add_optimizer_variables(var_list, ["momentum", "belief"])

    def update_step(self, gradient, variable, learning_rate):
        """One AdaBelief update of `variable`."""
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        step = ops.cast(self.iterations + 1, variable.dtype)
        m = self._momentums[self._get_variable_index(variable)]
        s = self._beliefs[self._get_variable_index(variable)]
        self.assign(m, m * self.beta_1 + gradient * (1 - self.beta_1))
        self.assign(s, s * self.beta_2 + ops.square(gradient - m) * (1 - self.beta_2) + self.epsilon)
        m_hat = m / (1 - ops.power(ops.cast(self.beta_1, variable.dtype), step))
        s_hat = s / (1 - ops.power(ops.cast(self.beta_2, variable.dtype), step))
        self.assign_sub(variable, lr * m_hat / (ops.sqrt(s_hat) + self.epsilon))

    def get_config(self) -> Dict[str, Any]:
        """The config with the betas and epsilon."""
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config
