"""The network's unchecked kernels compute what the public activation functions compute."""

from __future__ import annotations

import numpy as np
import pytest

from lucidml.functions import activations as act


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_kernels_match_public_functions(name, dtype):
    rng = np.random.default_rng(0)
    z = (rng.normal(size=(13, 5)) * 3).astype(dtype)
    z[0, :3] = [0.0, 50.0, -50.0]
    activation = act.get_activation(name)
    fwd, dfwd = act.engine_kernels(activation)
    out = np.empty_like(z)
    fwd(z, out=out)
    np.testing.assert_allclose(out, activation.fn(z), rtol=1e-6 if dtype == np.float32 else 1e-14)
    assert out.dtype == dtype
    if dfwd is not None:
        d = np.empty_like(z)
        dfwd(out, out=d)
        np.testing.assert_allclose(d, activation.grad_from_output(out), rtol=1e-6, atol=1e-7)


def test_custom_leaky_slope_keeps_its_own_callables():
    custom = act.get_activation("leaky_relu", alpha=0.2)
    fwd, dfwd = act.engine_kernels(custom)
    assert fwd is custom.fn and dfwd is custom.grad_from_output
