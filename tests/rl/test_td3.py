"""TD3: the target against a hand-written NumPy reference, delayed actor updates, soft target updates."""

from __future__ import annotations

import numpy as np
import torch

from synthlearn.rl.config import TD3Settings
from synthlearn.rl.td3 import TD3Agent


def _mlp_numpy(net: torch.nn.Sequential, x: np.ndarray) -> np.ndarray:
    """The three-layer ReLU MLP by hand, in float64."""
    layers = [m for m in net if isinstance(m, torch.nn.Linear)]
    for i, layer in enumerate(layers):
        x = x @ layer.weight.detach().double().numpy().T + layer.bias.detach().double().numpy()
        if i < len(layers) - 1:
            x = np.maximum(x, 0.0)
    return x


def _agent(**settings) -> TD3Agent:
    torch.manual_seed(0)
    return TD3Agent(obs_dim=3, act_dim=2, act_limit=0.5, settings=TD3Settings(hidden=8, **settings), context=None)


def _batch(rng: np.random.Generator, n: int = 4) -> dict[str, torch.Tensor]:
    return {"obs": torch.tensor(rng.normal(size=(n, 3)), dtype=torch.float32),
            "act": torch.tensor(rng.uniform(-0.5, 0.5, size=(n, 2)), dtype=torch.float32),
            "rew": torch.tensor(rng.normal(size=n), dtype=torch.float32),
            "next_obs": torch.tensor(rng.normal(size=(n, 3)), dtype=torch.float32),
            "done": torch.tensor([0.0, 1.0, 0.0, 0.0][:n], dtype=torch.float32)}


def test_target_matches_a_hand_written_reference():
    agent = _agent(gamma=0.9, policy_noise=0.4, noise_clip=0.3)
    batch = _batch(np.random.default_rng(1))
    # hand reference: smoothing noise from the same generator, clipped; clipped double-Q target
    eps = torch.randn((4, 2), generator=torch.Generator().manual_seed(5)).double().numpy() * (0.4 * 0.5)
    eps = np.clip(eps, -0.3 * 0.5, 0.3 * 0.5)
    next_obs = batch["next_obs"].double().numpy()
    next_act = np.clip(0.5 * np.tanh(_mlp_numpy(agent.actor_target.net, next_obs)) + eps, -0.5, 0.5)
    x = np.concatenate([next_obs, next_act / 0.5], axis=1)  # the critic sees actions scaled to [-1, 1]
    q = np.minimum(_mlp_numpy(agent.critic_target.q1, x), _mlp_numpy(agent.critic_target.q2, x))[:, 0]
    expected = batch["rew"].double().numpy() + 0.9 * (1 - batch["done"].double().numpy()) * q
    got = agent.target(batch, torch.Generator().manual_seed(5)).double().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert got[1] == batch["rew"][1].item()  # a terminal transition's target is its reward


def test_actor_is_delayed_and_targets_move_softly():
    agent = _agent(policy_delay=2, tau=0.25)
    batch, noise = _batch(np.random.default_rng(2)), torch.Generator().manual_seed(0)
    actor_before = [p.detach().clone() for p in agent.actor.parameters()]
    target_before = [p.detach().clone() for p in agent.critic_target.parameters()]
    first = agent.update(batch, noise)
    assert "actor_loss" not in first
    assert all(torch.equal(a, b) for a, b in zip(actor_before, agent.actor.parameters(), strict=True))
    assert all(torch.equal(a, b) for a, b in zip(target_before, agent.critic_target.parameters(), strict=True))
    second = agent.update(batch, noise)
    assert "actor_loss" in second
    assert all(p.requires_grad for p in agent.critic.parameters())  # frozen for the actor loss only
    assert not all(torch.equal(a, b) for a, b in zip(actor_before, agent.actor.parameters(), strict=True))
    for old, new, online in zip(target_before, agent.critic_target.parameters(), agent.critic.parameters(), strict=True):
        torch.testing.assert_close(new, 0.75 * old + 0.25 * online.detach())


def test_weights_scale_the_critic_loss():
    batch = _batch(np.random.default_rng(3))
    plain = _agent().update(batch, torch.Generator().manual_seed(0))["critic_loss"]
    doubled = _agent().update(batch, torch.Generator().manual_seed(0), weights=torch.full((4,), 2.0))["critic_loss"]
    np.testing.assert_allclose(doubled, 2 * plain, rtol=1e-5)
