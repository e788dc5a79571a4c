"""ATR: text-line recognition with CTC on line images (PNG) and their `<name>.gt.txt`.

Convolutions, a bidirectional LSTM, CTC loss and greedy decoding; a codec built from the training
ground truth; CER in the model and CER/WER in the Evaluator; rendered lines for offline training
(`tfaip_scenarios.atr.synthetic`). See docs/scenarios.md.
"""
