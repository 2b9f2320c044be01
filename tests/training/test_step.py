"""The training step: eager, and the CUDA-graph step's logic (captured where CUDA exists)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch

from ngae.config import ModelConfig, TrainConfig
from ngae.errors import UserInputError
from ngae.files import PROJECT_ROOT as ROOT
from ngae.model.graph_tensors import to_tensors, with_data_scale
from ngae.model.vae import NGAE
from ngae.spaces.registry import load_dataset
from ngae.training.fit import fit, make_adam
from ngae.training.step import GraphedStep, train_step

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def setup(device: str = "cpu", capturable: bool = False):
    torch.manual_seed(0)
    data = load_dataset()
    model = NGAE(with_data_scale(ModelConfig(hs=32, nz=8), data)).to(device)
    tensors = to_tensors(data.subset(range(96)), model.cfg, torch.device(device))
    batches = [tensors.batch(torch.arange(i, i + 32, device=device)) for i in (0, 32, 64)]
    return model, make_adam(model.parameters(), 1e-3, capturable=capturable), batches


def params(model: NGAE) -> torch.Tensor:
    return torch.cat([p.detach().flatten().cpu() for p in model.parameters()])


@pytest.mark.parametrize("steps_before", [0, 1])
def test_graphed_step_logic_trains_exactly_as_eager_steps(steps_before: int) -> None:
    """Static buffers, warm-up and the restore after it: the same parameters, loss and noise."""
    model, opt, batches = setup()
    for batch in batches[:steps_before]:  # fresh optimiser state, or Adam's state after a step
        train_step(model, opt, batch)
    twin = copy.deepcopy(model)
    twin_opt = make_adam(twin.parameters(), 1e-3)
    twin_opt.load_state_dict(copy.deepcopy(opt.state_dict()))  # (it would share tensors)
    rng = torch.get_rng_state()
    eager = [float(train_step(model, opt, b)["loss"].detach()) for b in batches]
    torch.set_rng_state(rng)
    step = GraphedStep(twin, twin_opt, batches[0], capture=False)
    graphed = [float(step(b)["loss"].detach()) for b in batches]
    assert graphed == eager
    assert torch.equal(params(twin), params(model))


def test_cuda_graph_needs_a_cuda_device(tmp_path: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    data = tmp_path / "tiny.txt"
    data.write_text("\n".join((ROOT / "data/final_structures6.txt").read_text().splitlines()[:80]))
    cfg = TrainConfig(data=str(data), epochs=1, device="cpu", cuda_graph=True, save_interval=0)
    with pytest.raises(UserInputError, match="needs one CUDA device"):
        fit(ModelConfig(hs=16, nz=4), cfg, tmp_path / "run.pt", progress=False)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_captured_step_matches_eager_steps_on_cuda(precision: str) -> None:
    """Replays of the captured step (eval mode: no sampling noise) match eager steps."""
    model, opt, batches = setup("cuda", capturable=True)
    model.eval().precision = precision
    twin = copy.deepcopy(model)
    twin_opt = make_adam(twin.parameters(), 1e-3, capturable=True)
    eager = [float(train_step(model, opt, b)["loss"].detach()) for b in batches]
    step = GraphedStep(twin, twin_opt, batches[0])
    assert step.graph is not None
    graphed = [float(step(b)["loss"].detach()) for b in batches]
    assert graphed == pytest.approx(eager, rel=1e-4)
    torch.testing.assert_close(params(twin), params(model), rtol=1e-4, atol=1e-5)


@pytest.mark.gpu
@needs_cuda
def test_fit_with_a_cuda_graph_trains_and_resumes(tmp_path: Path) -> None:
    data = tmp_path / "tiny.txt"
    data.write_text("\n".join((ROOT / "data/final_structures6.txt").read_text().splitlines()[:150]))
    cfg = TrainConfig(
        data=str(data), epochs=2, batch_size=32, device="cuda", cuda_graph=True, save_interval=0
    )
    out = fit(ModelConfig(hs=32, nz=8), cfg, tmp_path / "run.pt", progress=False)
    history = torch.load(out, weights_only=True)["history"]
    assert len(history) == 2 and all(torch.isfinite(torch.tensor(r["loss"])) for r in history)
