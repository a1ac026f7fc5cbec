"""EnsembleMLP: members are independent models; the hand-written backward equals autograd."""

import numpy as np
import pytest
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


def test_intermediate_fusion_keeps_each_hidden_block_on_its_own_omics():
    """input_groups: block g of the hidden units reads only group g's columns, before and after
    training (cross-omics weights start at zero and their gradient is masked)."""
    from helpers.minn import Member, train_ensemble
    from helpers.minn.toy import make_toy_data

    toy = make_toy_data(n_samples=20, seed=0)
    X = toy.X.to_numpy()
    X = (X - X.min(0)) / (X.max(0) - X.min(0))
    d = X.shape[1]
    groups = [list(range(0, d // 2)), list(range(d // 2, d))]
    fit = train_ensemble(toy.problem, X, toy.Y.to_numpy(),
                         [Member(hidden=10, epochs=5, lr=3e-3, weight_decay=1e-3, seed=s)
                          for s in (0, 1)], progress=False, input_groups=groups)
    W1 = fit.net.W1.detach()
    assert (W1[:, d // 2:, :5] == 0).all() and (W1[:, : d // 2, 5:10] == 0).all()
    assert (W1[:, : d // 2, :5] != 0).any() and (W1[:, d // 2:, 5:10] != 0).any()
    # changing the second omics moves only the second block of hidden units
    x = torch.as_tensor(X[:3], dtype=W1.dtype).expand(2, -1, -1)
    x2 = x.clone()
    x2[..., d // 2:] += 1.0
    h, h2 = fit.net.hidden(x), fit.net.hidden(x2)
    assert torch.equal(h[..., :5], h2[..., :5]) and not torch.equal(h[..., 5:10], h2[..., 5:10])
    assert "input_groups=2" in repr(fit.net)


def test_input_groups_are_validated():
    with pytest.raises(ValueError, match="disjoint column indices"):
        EnsembleMLP(4, 3, hidden=4, seeds=[0], input_groups=[[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="at least as many hidden units"):
        EnsembleMLP(4, 3, hidden=1, seeds=[0], input_groups=[[0], [1]])
