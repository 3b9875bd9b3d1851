"""Training, data loading, calibration and metrics for the face emotion model.

Imported lazily by the management commands (inside ``handle()``), never by web code. ``metrics``
and ``data`` are numpy-only; ``loop`` (the training loop), ``augment``,
``finalize`` (temperature, balance, abstain key, export), ``refit`` (classifier-only) and
``calibration`` import torch.
"""
