"""The LTS policy's log-probabilities against closed forms written out by hand."""

import math

import numpy as np
import pytest
import torch

from synthlearn.lts.policy import Policy
from synthlearn.params import Choice, ParamSpace, Simplex, Uniform


def space():
    return ParamSpace([Choice("road", ["X", "T", "L"]), Simplex("mix", ["a", "b"]), Uniform("length", 0.0, 10.0, default=5.0)])


def test_log_prob_matches_the_closed_form():
    policy = Policy(space(), init_std=0.5)
    with torch.no_grad():
        policy.tensors["road.logits"].copy_(torch.tensor([0.2, -1.0, 0.7], dtype=torch.float64))
        policy.tensors["mix.mean"].copy_(torch.tensor([0.3, -0.3], dtype=torch.float64))
        policy.tensors["mix.log_std"].copy_(torch.tensor([math.log(0.5), math.log(2.0)], dtype=torch.float64))
        policy.tensors["length.mean"].copy_(torch.tensor([1.5], dtype=torch.float64))
    actions = [{"road": 2, "mix": [1.0, 0.0], "length": [0.5]}, {"road": 0, "mix": [-0.2, 0.4], "length": [3.0]}]

    def normal(x, mu, sigma):
        return -0.5 * ((x - mu) / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)

    logits = [0.2, -1.0, 0.7]
    log_z = math.log(sum(math.exp(v) for v in logits))
    expected = [
        (logits[a["road"]] - log_z) + normal(a["mix"][0], 0.3, 0.5) + normal(a["mix"][1], -0.3, 2.0) + normal(a["length"][0], 1.5, 0.5)
        for a in actions
    ]
    assert policy.log_prob(actions).tolist() == pytest.approx(expected, abs=1e-12)


def test_log_prob_gradient_raises_the_probability_of_a_rewarded_action():
    policy = Policy(space(), init_std=0.5)
    values, action = policy.sample(np.random.default_rng(0))
    before = float(policy.log_prob([action]).detach())
    optimiser = torch.optim.SGD(policy.parameters(), lr=0.1)
    (-policy.log_prob([action]).sum()).backward()
    optimiser.step()
    assert float(policy.log_prob([action]).detach()) > before
    assert set(values) == {"road", "mix", "length"}


def test_samples_follow_the_policy_probabilities():
    policy = Policy(ParamSpace([Choice("road", ["X", "T"])]))
    with torch.no_grad():
        policy.tensors["road.logits"].copy_(torch.tensor([0.0, math.log(3.0)], dtype=torch.float64))  # P(T) = 0.75
    rng = np.random.default_rng(1)
    draws = [policy.sample(rng)[0]["road"] for _ in range(4000)]
    assert draws.count("T") / len(draws) == pytest.approx(0.75, abs=0.03)
