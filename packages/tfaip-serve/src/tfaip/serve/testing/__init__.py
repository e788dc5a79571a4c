"""Test support for tfaip-serve and the packages above it (not part of the runtime API).

Like `numpy.testing`, this ships inside the dist so that tests of an installed tfaip-serve
(and of tfaip-train above it) need nothing outside it: `tfaip.serve.testing.scenario` holds a
digits scenario with parallel pre-processing, post-processing, an Evaluator and a voter, and
`train_exports` / `train_and_export` there train small exports of it in seconds. Import it by
its module path (also its name for `import_scenario`); the digits come from `tfaip.model.testing`.

Its names may change between minor versions.
"""
