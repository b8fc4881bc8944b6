"""The main job on a tiny budget: every row, results.json and figures."""

import json

import numpy as np
import pytest

from synthlearn.demo import DemoSettings, run_demo
from synthlearn.errors import UserError
from synthlearn.execute.local import LocalExecutor

TINY = DemoSettings(seeds=(0, 1), iterations=1, candidates=2, train_size=64, epochs=1,
                    refine_steps=2, refine_pretrain=1, refined_models=2, fresh_models=1)


def test_tiny_demo_writes_table_and_figures(tmp_path):
    results = run_demo(tmp_path / "demo", TINY, LocalExecutor(1))
    assert [r["method"] for r in results["rows"]] == ["real", "default", "random-params", "random-search", "reinforce",
                                                      "default + refined", "reinforce + refined", "reinforce + self-training"]
    for row in results["rows"]:
        assert len(row["per_seed"]) == 2
        assert all(abs(v * 898 - round(v * 898)) < 1e-3 for v in row["per_seed"])  # k right of the 898 test digits
        assert row["mean"] == pytest.approx(np.mean(row["per_seed"]))
        fresh = row["fresh_models"]
        assert len(fresh["per_seed"]) == 2 and fresh["mean"] == pytest.approx(np.mean(fresh["per_seed"]))
    assert results["rows"][0]["fresh_models"] == {k: results["rows"][0][k] for k in ("mean", "std", "per_seed")}
    assert results["rows"][0]["mean"] > 0.3  # trained on real digits: well above chance (0.1) even on a tiny budget
    assert results["protocol"] == {"validation": 100, "unlabelled_pool": 799, "test": 898}
    assert json.loads((tmp_path / "demo" / "results.json").read_text()) == json.loads(json.dumps(results))
    for figure in ("samples.png", "learned_params.png", "runs/refiner/seed-0/samples.png"):
        assert (tmp_path / "demo" / figure).stat().st_size > 1000
    for seed in (0, 1):  # one SimGAN refiner per seed, trained on the unlabelled pool only
        refiner = json.loads((tmp_path / "demo" / "runs" / "refiner" / f"seed-{seed}" / "result.json").read_text())
        assert refiner["n_real"] == results["protocol"]["unlabelled_pool"] and refiner["steps"]["adversarial"] == 2


def test_demo_rejects_real_images_of_another_shape(tmp_path):
    np.savez(tmp_path / "real.npz", images=np.zeros((40, 16, 16), np.uint8), labels=np.repeat(np.arange(10), 4))
    with pytest.raises(UserError, match="shape \\(16, 16\\)"):
        run_demo(tmp_path / "demo", TINY, LocalExecutor(1), real=str(tmp_path / "real.npz"))
