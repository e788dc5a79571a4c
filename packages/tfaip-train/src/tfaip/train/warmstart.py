"""Warm-start (`--warmstart.model PATH`): initialise a model with the weights of a checkpoint or an export.

Weights are matched by their path (`conv/conv1/kernel`) after renaming; by default every
weight of the model must be found, `allow_partial` loads the intersection. The report says
which weights were loaded ("warm") and which kept their initialisation ("cold").
"""

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import keras
import numpy as np
import tensorflow as tf
from paiargparse import pai_dataclass, pai_meta

from tfaip.data import ConfigError
from tfaip.model import SCENARIO_PARAMS_FILE, SERVE_DIR, ScenarioBase
from tfaip.train.checkpoint import MODEL, VARIABLES, has_checkpoint, read_variables

logger = logging.getLogger(__name__)


@pai_dataclass
@dataclass
class WarmstartParams:
    """Where the initial weights come from and how their names map onto the model's."""

    model: Optional[str] = field(
        default=None, metadata=pai_meta(help="A checkpoint dir (OUTPUT_DIR/checkpoint) or an export dir.")
    )
    allow_partial: bool = field(
        default=False, metadata=pai_meta(help="Load the weights found in both; keep the others' initialisation.")
    )
    rename: List[str] = field(
        default_factory=list,
        metadata=pai_meta(help="Rules 'old->new' replacing substrings of the loaded names, applied in order."),
    )
    include: Optional[str] = field(default=None, metadata=pai_meta(help="Load only model weights matching this regex."))
    exclude: Optional[str] = field(
        default=None, metadata=pai_meta(help="Do not load model weights matching this regex.")
    )

    def __post_init__(self):
        for rule in self.rename:
            if len(rule.split("->")) != 2:
                raise ConfigError(f"Warm-start rename rule {rule!r} must have the form 'old->new'.")

    def create(self) -> "WarmStarter":
        """The WarmStarter."""
        return WarmStarter(self)


class WarmStarter:
    """Loads the weights named by WarmstartParams into a keras model."""

    def __init__(self, params: WarmstartParams):
        self.params = params

    def renamed(self, name: str) -> str:
        """A loaded weight's name after the rename rules."""
        for rule in self.params.rename:
            old, new = rule.split("->")
            name = name.replace(old, new)
        return name

    def warmstart(self, model: keras.Model) -> Dict[str, List[str]]:
        """Assign the matching weights to `model`; returns the report: lists "warm", "cold" and "unused"."""
        path = os.path.abspath(os.path.expanduser(self.params.model))
        loaded = {self.renamed(name): value for name, value in read_weights(path).items()}
        targets = {v.path: v for v in model.weights if self._selected(v.path)}
        if not targets:
            raise ConfigError(
                f"Warm-start: no weight of the model matches include={self.params.include!r} / "
                f"exclude={self.params.exclude!r}."
            )
        missing = sorted(set(targets) - set(loaded))
        if missing and not self.params.allow_partial:
            raise ConfigError(
                f"Warm-start from {path}: the model's weights {missing[:8]}{' ...' if len(missing) > 8 else ''} are "
                f"not in it (it has {sorted(loaded)[:8]} ...). Add --warmstart.rename 'old->new' rules, or pass "
                "--warmstart.allow_partial True to keep their initialisation."
            )
        warm = sorted(set(targets) & set(loaded))
        if not warm:
            raise ConfigError(f"Warm-start from {path}: no weight matched; the model's are {sorted(targets)[:8]} ...")
        for name in warm:
            variable, value = targets[name], loaded[name]
            if tuple(value.shape) != tuple(variable.shape):
                raise ConfigError(
                    f"Warm-start: {name} has shape {value.shape} in {path} but {tuple(variable.shape)} in the model."
                )
            variable.assign(value)
        report = {
            "warm": warm,
            "cold": [v.path for v in model.weights if v.path not in warm],
            "unused": sorted(set(loaded) - set(warm)),
        }
        logger.info(
            "Warm-started from %s: %d weights loaded, %d kept their initialisation, %d of the file unused.\n"
            "Warm weights:\n\t%s\nCold weights:\n\t%s\nUnused weights:\n\t%s",
            path, len(warm), len(report["cold"]), len(report["unused"]),
            "\n\t".join(warm), "\n\t".join(report["cold"]) or "-", "\n\t".join(report["unused"]) or "-",
        )  # fmt: skip
        return report

    def _selected(self, name: str) -> bool:
        if self.params.include and not re.fullmatch(self.params.include, name):
            return False
        return not (self.params.exclude and re.fullmatch(self.params.exclude, name))


def read_weights(path: str) -> Dict[str, np.ndarray]:
    """Path -> value of the model weights in a checkpoint dir or an export dir."""
    if has_checkpoint(path):
        arrays, paths = read_variables(path, MODEL)
        return {paths[key]: value for key, value in arrays.items()}
    if os.path.isfile(os.path.join(path, SCENARIO_PARAMS_FILE)):
        return _export_weights(path)
    raise ConfigError(
        f"Cannot warm-start from {path}: it is neither a checkpoint (with {VARIABLES}) nor an export (with "
        f"{SCENARIO_PARAMS_FILE}); pass OUTPUT_DIR/checkpoint, OUTPUT_DIR/best or OUTPUT_DIR/export."
    )


def _export_weights(path: str) -> Dict[str, np.ndarray]:
    # A SavedModel's variable names are not unique ("conv/kernel:0"): rebuild the exported
    # scenario's graph, whose export model tracks the same variables in the same order.
    scenario_cls, params = ScenarioBase.from_path(path)
    params.export_serve = True
    scenario = scenario_cls(params)
    exported = scenario.root_graph.export_graphs()["default"]
    saved = tf.saved_model.load(os.path.join(path, SERVE_DIR)).variables
    if len(saved) != len(exported.weights) or any(
        tuple(s.shape) != tuple(e.shape) for s, e in zip(saved, exported.weights)
    ):
        raise ConfigError(f"The export at {path} does not match its own scenario's graph; export it again.")
    by_id = {id(e): s.numpy() for e, s in zip(exported.weights, saved)}
    return {v.path: by_id[id(v)] for v in scenario.root_graph.weights if id(v) in by_id}
