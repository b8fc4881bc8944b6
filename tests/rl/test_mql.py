"""MQL adaptation: β, ESS and λ on known logits; the propensity offset; rollback restores the agent exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from synthlearn.config import parse_config
from synthlearn.rl.config import RLConfig
from synthlearn.rl.mql import Propensity, adapt, effective_sample_size, propensity_weights, proximal_lambda, rolled_back
from synthlearn.rl.replay import ReplayBuffer
from synthlearn.rl.rollout import run_episode
from synthlearn.rl.run import build_agent
from synthlearn.sim.rl import make_family


def test_beta_ess_and_lambda_on_known_logits():
    logits = np.array([0.0, 1.0, -2.0, math.log(0.5)])
    beta = propensity_weights(logits, clip=1.0)
    np.testing.assert_allclose(beta, [1.0, math.exp(-1.0), math.e, 2.0])  # exp(2) is clipped at e^1
    ess = effective_sample_size(beta)
    assert ess == pytest.approx(sum(beta) ** 2 / (4 * sum(b * b for b in beta)))
    assert effective_sample_size(np.full(7, 0.3)) == pytest.approx(1.0)
    assert effective_sample_size(np.array([1.0, 0.0, 0.0, 0.0])) == pytest.approx(0.25)
    assert proximal_lambda(ess, fixed=0.1, from_ess=False) == 0.1
    assert proximal_lambda(ess, fixed=0.1, from_ess=True) == pytest.approx(1.0 - ess)


def test_propensity_offset_undoes_class_sizes():
    rng = np.random.default_rng(0)
    new, meta = rng.normal(size=(50, 2)), rng.normal(size=(500, 2))  # the same distribution
    propensity = Propensity(new, meta, c=0.5)
    assert propensity.offset == pytest.approx(math.log(10))
    beta = propensity_weights(propensity.logits(meta), clip=1.0)
    assert 0.7 < beta.mean() < 1.3  # indistinguishable data: density ratio ≈ 1, not 1/10


def _flat_state(agent) -> dict[str, torch.Tensor]:
    state = agent.state_dict()
    flat = {f"{net}.{k}": v.clone() for net in ("actor", "critic", "actor_target", "critic_target") for k, v in state[net].items()}
    for name in ("actor_opt", "critic_opt"):
        for index, slots in state[name]["state"].items():
            flat.update({f"{name}.{index}.{k}": torch.as_tensor(v).clone() for k, v in slots.items()})
    flat["updates"] = torch.tensor(state["updates"])
    return flat


def test_rollback_restores_the_meta_trained_agent_exactly():
    config = parse_config({"method": "mql", "td3": {"hidden": 8, "batch_size": 16}, "context": {"history": 3, "hidden": 4},
                           "adaptation": {"classifier_samples": 40, "new_data_steps": 3, "buffer_steps": 4}}, RLConfig)
    family = make_family("point-robot")
    agent, buffer = build_agent(config, family), ReplayBuffer(2, 2)
    rng = np.random.default_rng(0)
    for task in (0.3, 1.5, 2.8):
        buffer.add_episode(0, **run_episode(family.make_env({"angle": task}), None, rng).arrays())
    for _ in range(4):  # give the optimisers some state
        agent.update({k: torch.from_numpy(v) for k, v in buffer.sample(16, rng, 3).items() if k not in ("task", "start")},
                     torch.Generator().manual_seed(0))
    before = _flat_state(agent)
    with rolled_back(agent):
        stats = adapt(agent, family.make_env({"angle": 4.0}), buffer, config, rng, torch.Generator().manual_seed(1))
        inside = _flat_state(agent)
        assert any(not torch.equal(before[k], inside[k]) for k in before)
    after = _flat_state(agent)
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert set(stats) == {"adapt_return", "beta_mean", "beta_std", "ess", "lam"}
    assert 0.0 < stats["ess"] <= 1.0 and stats["lam"] == 0.1 and 0.0 < stats["beta_mean"] <= math.e
