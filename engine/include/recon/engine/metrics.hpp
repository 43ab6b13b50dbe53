// Image quality metrics, computed on the arrays' device (MATH.md section 4). `reference` and
// `test` must have the same shape and live on ctx's device; results are in double.
//   MSE = mean (t - r)^2, RMSE = sqrt(MSE), MAE = mean |t - r|
//   PSNR = 10 log10(R^2 / MSE) with the data range R given explicitly (+inf when MSE = 0)
//   SSIM (Wang et al. 2004): Gaussian window sigma 1.5 truncated at 3.5 sigma (11 taps),
//     K1 = 0.01, K2 = 0.03, population covariance, reflect boundary, mean over the interior
//     that excludes 5 samples at each border; equals scikit-image's structural_similarity(
//     gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R). 2D or 3D,
//     every extent >= 11.
//   MS-SSIM (Wang, Simoncelli & Bovik 2003): 5 scales with weights (0.0448, 0.2856, 0.3001,
//     0.2363, 0.1333), 2x (2x2x) block-mean downsampling between scales, the mean contrast-
//     structure term cs_j at scales 1-4 (negative values clamped to 0, as in pytorch-msssim)
//     and the SSIM at scale 5: prod cs_j^w_j * ssim_5^w_5. Needs every extent >= 176 so the
//     coarsest scale still holds an 11-tap window.
//   Support F1 over |x_i| > threshold: 2 TP / (2 TP + FP + FN), 1 when both supports are empty.
#pragma once

#include "recon/kernels/array.hpp"

namespace recon {

// Smallest extent per axis that ms_ssim accepts.
constexpr index_t kMsSsimMinExtent = 176;

template <class T>
double mse(const Context& ctx, View<const T> reference, View<const T> test);
template <class T>
double rmse(const Context& ctx, View<const T> reference, View<const T> test);
template <class T>
double mae(const Context& ctx, View<const T> reference, View<const T> test);
template <class T>
double psnr(const Context& ctx, View<const T> reference, View<const T> test, double data_range);
template <class T>
double ssim(const Context& ctx, View<const T> reference, View<const T> test, double data_range);
template <class T>
double ms_ssim(const Context& ctx, View<const T> reference, View<const T> test, double data_range);
template <class T>
double support_f1(const Context& ctx, View<const T> truth, View<const T> estimate, double threshold);

}  // namespace recon
