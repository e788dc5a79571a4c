import re

from tfaip.train.cli.benchmark import main


def test_benchmark_input_pipeline_reports_the_samples_per_second(capsys):
    flags = ["--time_limit", "1", "--train.num_processes", "1", "--train.batch_size", "8"]
    assert main(["tfaip.train.testing.tutorial", *flags]) == 0
    out = capsys.readouterr().out
    match = re.search(r"Input pipeline: (\d+) samples in [\d.]+ s = ([\d.]+) samples/s", out)
    assert match and int(match.group(1)) > 0 and int(match.group(1)) % 8 == 0 and float(match.group(2)) > 0, out
