"""MQL adaptation to a new task: propensity weights β, effective sample size, proximal λ, rollback.

On a new task (:func:`adapt`):

1. collect one episode with the meta-trained policy (with exploration noise);
2. fit a logistic-regression propensity classifier (scikit-learn, ``C`` = 0.5) on context
   features, class 1 = meta-training transitions, class 0 = the new episode's; the features
   are the meta-trained actor GRU's context vectors ``(n, hidden)``;
3. ``logit(x) = log p(meta|x)/p(new|x) − log(n_meta/n_new)`` (the second term undoes the class
   sizes, so ``exp(−logit)`` estimates the density ratio new/meta), ``β = min(exp(−logit), e^clip)``
   (:func:`propensity_weights`); ``ESS = (Σβ)² / (n Σβ²)`` (:func:`effective_sample_size`);
   ``λ = 1 − ESS`` if ``lam_from_ess`` else the fixed λ (0.1) (:func:`proximal_lambda`);
4. ``new_data_steps`` TD3 updates on the new episode alone, then ``buffer_steps`` updates on the
   meta-training buffer (batch × ``batch_multiplier``) with β-weighted losses plus
   ``λ ‖θ − θ_meta‖²``.

The caller evaluates and then restores the meta-trained agent (:func:`rolled_back`).

Example::

    with rolled_back(agent):
        stats = adapt(agent, env, meta_buffer, config, rng, noise)   # {"beta_mean", "ess", "lam", ...}
        score = run_episode(env, agent, rng).ret
    # agent holds the meta-trained weights and optimiser states again, bit for bit
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from synthlearn.rl.config import RLConfig
from synthlearn.rl.context import ContextEncoder
from synthlearn.rl.replay import ReplayBuffer, to_tensors
from synthlearn.rl.rollout import run_episode
from synthlearn.rl.td3 import TD3Agent
from synthlearn.sim.rl.base import TaskEnv


def propensity_weights(logits: np.ndarray, clip: float) -> np.ndarray:
    """``β = min(exp(−logit), e^clip)`` for ``logits (n,)``."""
    return np.minimum(np.exp(-np.asarray(logits, dtype=np.float64)), math.exp(clip))


def effective_sample_size(beta: np.ndarray) -> float:
    """Normalised effective sample size ``(Σβ)² / (n Σβ²)`` in ``(0, 1]`` (1 = uniform weights)."""
    beta = np.asarray(beta, dtype=np.float64)
    return float(beta.sum() ** 2 / (len(beta) * (beta**2).sum()))


def proximal_lambda(ess: float, fixed: float, from_ess: bool) -> float:
    """``1 − ESS`` with ``from_ess``, else ``fixed``."""
    return 1.0 - ess if from_ess else fixed


class Propensity:
    """The fitted classifier; :meth:`logits` gives ``log p(meta|x)/p(new|x) − log(n_meta/n_new)`` for features ``(n, D)``."""

    def __init__(self, new: np.ndarray, meta: np.ndarray, c: float) -> None:
        x = np.concatenate([new, meta]).astype(np.float64)
        y = np.concatenate([np.zeros(len(new)), np.ones(len(meta))])
        self.classifier = LogisticRegression(C=c, max_iter=1000).fit(x, y)
        self.offset = math.log(len(meta) / len(new))

    def logits(self, features: np.ndarray) -> np.ndarray:
        return self.classifier.decision_function(features.astype(np.float64)) - self.offset


@torch.no_grad()
def context_features(encoder: ContextEncoder, windows: np.ndarray) -> np.ndarray:
    """Context vectors ``(n, hidden)`` of windows ``(n, H, F)``."""
    return encoder(torch.from_numpy(windows)).numpy()


@contextmanager
def rolled_back(agent: TD3Agent) -> Iterator[None]:
    """Inside: change the agent freely; on exit its networks, targets, optimisers and update count are restored exactly."""
    snapshot = copy.deepcopy(agent.state_dict())
    try:
        yield
    finally:
        agent.load_state_dict(snapshot)


def adapt(agent: TD3Agent, env: TaskEnv, meta_buffer: ReplayBuffer, config: RLConfig,
          rng: np.random.Generator, noise: torch.Generator) -> dict[str, float]:
    """Adapt ``agent`` (a context agent) in place to the task of ``env`` (steps 1–4 of the module docstring).

    Returns ``{"adapt_return", "beta_mean", "beta_std", "ess", "lam"}``; β statistics are over the
    meta-training transitions the classifier was fitted on.
    """
    s, history = config.adaptation, agent.history
    encoder = copy.deepcopy(agent.actor.context)  # the meta-trained features the classifier is fitted on
    anchor = agent.parameters_copy()
    episode = run_episode(env, agent, rng, noise=config.td3.exploration_noise)
    new_buffer = ReplayBuffer(env.obs_dim, env.act_dim)
    new_buffer.add_episode(0, **episode.arrays())
    new_features = context_features(encoder, new_buffer.get(np.arange(len(new_buffer)), history)["hist"])
    meta_features = context_features(encoder, meta_buffer.sample(s.classifier_samples, rng, history)["hist"])
    propensity = Propensity(new_features, meta_features, s.classifier_c)
    beta = propensity_weights(propensity.logits(meta_features), s.beta_clip)
    ess = effective_sample_size(beta)
    lam = proximal_lambda(ess, s.lam, s.lam_from_ess)
    for _ in range(s.new_data_steps):
        agent.update(to_tensors(new_buffer.sample(config.td3.batch_size, rng, history)), noise)
    for _ in range(s.buffer_steps):
        batch = meta_buffer.sample(config.td3.batch_size * s.batch_multiplier, rng, history)
        weights = propensity_weights(propensity.logits(context_features(encoder, batch["hist"])), s.beta_clip)
        agent.update(to_tensors(batch), noise, weights=torch.from_numpy(weights.astype(np.float32)), anchor=anchor, lam=lam)
    return {"adapt_return": episode.ret, "beta_mean": float(beta.mean()), "beta_std": float(beta.std()), "ess": ess, "lam": lam}
