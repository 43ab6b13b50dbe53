"""Prints the PyWavelets reference coefficients hard-coded in test_wavelet.cu.

Input x[i] = sin(0.7 i) + 0.05 i over the flat index, reshaped; coefficients from
pywt.wavedecn(x, w, mode="periodization", level=L) laid out by pywt.coeffs_to_array
(PyWavelets 1.8.0; run: python3 wavelet_reference.py).
"""
import warnings

import numpy as np
import pywt

CASES = [("db2", (16,), 3), ("db3", (16,), 2), ("db4", (16,), 2), ("db4", (8,), 2),
         ("db2", (8, 8), 2), ("db2", (4, 4, 4), 2)]

warnings.simplefilter("ignore")  # levels whose blocks are shorter than the filter (wrapped)
for w, shape, level in CASES:
    n = int(np.prod(shape))
    x = (np.sin(0.7 * np.arange(n)) + 0.05 * np.arange(n)).reshape(shape)
    arr, _ = pywt.coeffs_to_array(pywt.wavedecn(x, w, mode="periodization", level=level))
    print(f"// {w} {shape} level {level}")
    vals = [f"{v:.17g}" for v in arr.ravel()]
    for i in range(0, len(vals), 4):
        print("    " + ", ".join(vals[i:i + 4]) + ",")
