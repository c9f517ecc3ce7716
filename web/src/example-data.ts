/** A small worked example for the empty page: a first-stage candidate list where order and relevance disagree. */
export const EXAMPLE_QUERY = 'How do I save and load a PyTorch model?';

/** The near-miss query for compare mode: same shape, different framework. */
export const EXAMPLE_QUERY_B = 'How do I save and load a TensorFlow model?';

export const EXAMPLE_DOCUMENTS: readonly string[] = [
  'PyTorch Lightning provides a Trainer class that handles the training loop, logging and checkpoint callbacks.',
  'To install PyTorch, pick your platform on pytorch.org and run the generated pip or conda command.',
  'Keras models can be saved with model.save("model.keras") and restored with keras.models.load_model.',
  'Save the learned parameters with torch.save(model.state_dict(), PATH); to load, build the model and call model.load_state_dict(torch.load(PATH)).',
  'A Python pickle file serialises arbitrary objects; never unpickle data from an untrusted source.',
  'TensorFlow SavedModel is a directory with a protobuf graph and variables, written by tf.saved_model.save.',
  'Checkpoints in PyTorch usually store the model state_dict, the optimizer state_dict and the epoch in one dictionary passed to torch.save.',
  'The PyTorch forums are a good place to ask questions about CUDA errors and out-of-memory problems.',
  'ONNX export: torch.onnx.export(model, example_input, "model.onnx") writes a graph other runtimes can load.',
  'Our bakery saves the best loaves for the Saturday market; load your basket early.',
];
