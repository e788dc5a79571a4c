"""Small training runs of the tutorial scenario for the tests."""

from tfaip_scenarios.tutorial.min.scenario import TutorialScenario

from tfaip.train import TrainerParams


def tiny_params(output_dir=None, epochs: int = 1, samples: int = 96, **trainer) -> TrainerParams:
    """Tutorial params: `samples` training digits, 64 validation digits, batch 16, in-process pipelines."""
    params = TrainerParams(
        scenario=TutorialScenario.default_params(),
        gen=TutorialScenario.default_trainer_pipeline_params(),
        epochs=epochs,
        output_dir=str(output_dir) if output_dir else None,
        progress_bar=False,
        random_seed=1,
        **trainer,
    )
    params.gen.train_val.limit_to = samples
    params.gen.setup.val.limit = 64
    for setup in (params.gen.setup.train, params.gen.setup.val):
        setup.num_processes = 1
    return params


def weights(graph) -> dict:
    """Path -> numpy value of every weight."""
    return {v.path: v.numpy().copy() for v in graph.weights}
