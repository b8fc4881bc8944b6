"""Scoring learned features without training a network: NPID's weighted kNN and a linear probe.

Weighted kNN (Wu et al., CVPR 2018): a query ``q`` finds its ``k`` most similar memory features
by cosine similarity ``s_i = m_iᵀ q``; each neighbour votes for its class with weight
``exp(s_i / τ)``; the class with the largest summed vote wins. The paper uses ``k = 200``,
``τ = 0.07``. Inputs are assumed L2-normalised (NPID's features and memory bank are), so the
dot product *is* the cosine similarity; nothing is normalised here.

The linear probe fits multinomial logistic regression (scikit-learn, lbfgs) on standardised
features and reports test accuracy; scikit-learn is imported when it is called.

Example::

    >>> predictions = weighted_knn_predict(bank.vectors, train_labels, test_features, classes=10)
    >>> accuracy = knn_accuracy(bank.vectors, train_labels, test_features, test_labels, classes=10)
"""

from __future__ import annotations

import torch

__all__ = ["knn_accuracy", "linear_probe_accuracy", "weighted_knn_predict"]


def weighted_knn_predict(
    memory: torch.Tensor,
    memory_labels: torch.Tensor,
    queries: torch.Tensor,
    classes: int,
    k: int = 200,
    temperature: float = 0.07,
    chunk: int = 1024,
) -> torch.Tensor:
    """Predicted classes ``(Q,)`` int64 of ``queries`` by an ``exp(s/τ)``-weighted vote of their ``k`` nearest memory features.

    Args:
        memory: ``(N, d)`` L2-normalised labelled features (e.g. the memory bank).
        memory_labels: ``(N,)`` their classes in ``[0, classes)``.
        queries: ``(Q, d)`` L2-normalised features to classify.
        classes: number of classes ``C``.
        k: neighbours per query; more than ``N`` is clipped to ``N``.
        temperature: ``τ > 0``; small ``τ`` lets the nearest neighbours dominate, large ``τ``
            tends to a plain majority vote.
        chunk: queries scored at once, so memory stays at ``chunk × N`` similarities.

    Each row's weights are computed as ``exp((s − s_max)/τ)``: a common positive factor, so the
    vote is unchanged and nothing overflows at small ``τ``. Equal summed votes go to the lowest
    class; which of several equally similar neighbours fills the last of the ``k`` places is
    ``torch.topk``'s choice.
    """
    if memory.ndim != 2 or queries.ndim != 2 or memory.shape[1] != queries.shape[1] or memory.shape[0] < 1:
        raise ValueError(f"expected memory (N >= 1, d) and queries (Q, d), got {tuple(memory.shape)} and {tuple(queries.shape)}")
    if memory_labels.shape != memory.shape[:1]:
        raise ValueError(f"expected memory_labels ({memory.shape[0]},), got {tuple(memory_labels.shape)}")
    if classes < 1 or k < 1 or chunk < 1:
        raise ValueError(f"classes, k and chunk must be >= 1, got classes={classes}, k={k}, chunk={chunk}")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    labels = memory_labels.to(device=memory.device, dtype=torch.long)
    if int(labels.min()) < 0 or int(labels.max()) >= classes:
        raise ValueError(f"memory_labels must be in [0, {classes}), got min {int(labels.min())}, max {int(labels.max())}")
    k = min(k, memory.shape[0])
    memory = memory.float()
    predictions = []
    with torch.no_grad():
        for block in queries.float().split(chunk):
            top, neighbours = (block @ memory.T).topk(k, dim=1)  # (q, k), most similar first
            weights = torch.exp((top - top[:, :1]) / temperature)
            votes = torch.zeros(block.shape[0], classes, device=memory.device).scatter_add_(1, labels[neighbours], weights)
            predictions.append(votes.argmax(dim=1))
    return torch.cat(predictions)


def knn_accuracy(
    memory: torch.Tensor,
    memory_labels: torch.Tensor,
    queries: torch.Tensor,
    query_labels: torch.Tensor,
    classes: int,
    k: int = 200,
    temperature: float = 0.07,
    chunk: int = 1024,
) -> float:
    """Fraction of ``queries`` ``(Q, d)`` whose :func:`weighted_knn_predict` equals ``query_labels`` ``(Q,)``."""
    if queries.shape[0] < 1 or query_labels.shape != queries.shape[:1]:
        raise ValueError(f"expected queries (Q >= 1, d) and query_labels (Q,), got {tuple(queries.shape)} and {tuple(query_labels.shape)}")
    predictions = weighted_knn_predict(memory, memory_labels, queries, classes, k, temperature, chunk)
    return float((predictions == query_labels.to(predictions.device)).float().mean())


def linear_probe_accuracy(
    train_features: torch.Tensor,
    train_labels: torch.Tensor,
    test_features: torch.Tensor,
    test_labels: torch.Tensor,
    seed: int,
    max_iter: int = 1000,
) -> float:
    """Test accuracy of logistic regression fitted on frozen features.

    Args:
        train_features: ``(N, d)`` features to fit on; ``train_labels`` ``(N,)`` their classes.
        test_features: ``(M, d)`` features to score; ``test_labels`` ``(M,)`` their classes.
        seed: ``random_state`` of the classifier (any int; taken modulo 2³²; lbfgs itself draws nothing).
        max_iter: lbfgs iteration budget.

    The features are standardised with the training set's mean and standard deviation, then
    scikit-learn's ``LogisticRegression(solver="lbfgs")`` (multinomial for more than two classes,
    default L2 penalty ``C = 1``) is fitted in float64 on the CPU.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs", max_iter=max_iter, random_state=seed % 2**32))
    probe.fit(train_features.detach().cpu().double().numpy(), train_labels.detach().cpu().numpy())
    return float(probe.score(test_features.detach().cpu().double().numpy(), test_labels.detach().cpu().numpy()))
