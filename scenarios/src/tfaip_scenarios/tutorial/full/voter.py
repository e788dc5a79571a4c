"""The voter of the Full Tutorial, without TensorFlow: exports vote with it on LiteRT and ONNX too."""

from collections import Counter
from typing import List

import numpy as np

from tfaip.data import Sample
from tfaip.serve import MultiModelVoter


class MajorityClassVoter(MultiModelVoter):
    """The class most models predict (ties: the earliest model's); `pred` averaged, `votes` each model's class."""

    def vote(self, samples: List[Sample]) -> Sample:
        votes = [int(s.outputs["class"]) for s in samples]
        winner = Counter(votes).most_common(1)[0][0]  # insertion order breaks ties
        pred = np.mean([s.outputs["pred"] for s in samples], axis=0)
        return samples[0].new_outputs({"class": winner, "pred": pred, "votes": np.array(votes)})
