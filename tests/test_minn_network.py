"""EnsembleMLP: members are independent models; the hand-written backward equals autograd."""

import numpy as np
import torch

from helpers.minn import EnsembleMLP


def test_members_equal_single_models_with_the_same_seed():
    x = torch.rand(3, 4, 6, dtype=torch.float64)
    ens = EnsembleMLP(6, 5, hidden=[7, 3, 5], dropout=[0.1, 0.2, 0.3], seeds=[4, 8, 15],
                      dtype=torch.float64).eval()
    out = ens(x)
    for e, (h, s) in enumerate([(7, 4), (3, 8), (5, 15)]):
        single = EnsembleMLP(6, 5, hidden=h, seeds=[s], dtype=torch.float64).eval()
        np.testing.assert_allclose(out[e].detach().numpy(), single(x[e : e + 1])[0].detach().numpy(),
                                   rtol=1e-12, atol=1e-14)
    assert (ens.W1[1, :, 3:] == 0).all() and (ens.W2[1, 3:] == 0).all()  # padding is inert


def test_backward_into_equals_autograd():
    torch.manual_seed(0)
    net = EnsembleMLP(6, 5, hidden=[7, 4], dropout=[0.25, 0.5], seeds=[1, 2],
                      dtype=torch.float64).train()
    x = torch.rand(2, 3, 6, dtype=torch.float64)
    mask = torch.rand(2, 3, 7) < 0.6
    weights = torch.randn(2, 3, 5, dtype=torch.float64)
    V0, cache = net.forward_train(x, mask)
    V0_auto = net(x, mask)
    np.testing.assert_allclose(V0.numpy(), V0_auto.detach().numpy(), rtol=1e-12)
    params = [net.W1, net.b1, net.W2, net.b2]
    auto = torch.autograd.grad((V0_auto * weights).sum(), params)
    buffers = [torch.empty_like(p) for p in params]
    manual = net.backward_into(cache, weights, buffers)
    for a, m in zip(auto, manual, strict=True):
        np.testing.assert_allclose(m.numpy(), a.numpy(), rtol=1e-12, atol=1e-14)
