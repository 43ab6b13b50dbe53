// LPG-Net parameters as JSON (lpgnet.hpp). Doubles are written with 17 significant digits by
// nlohmann::json, so a save/load round trip is exact; the matrix is not stored, only its seed.
// Reading types and bounds every key (json_reader.hpp), so a message names the key at fault.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "recon/engine/lpgnet.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/operators/json_reader.hpp"

namespace recon {

namespace {
constexpr int kFormatVersion = 1;
}  // namespace

std::string lpgnet_params_to_json(const LpgNetParams& p) {
  const nlohmann::json j = {{"model", "lpgnet"},
                            {"version", kFormatVersion},
                            {"problem",
                             {{"n", p.problem.n},
                              {"m", p.problem.m},
                              {"k", p.problem.k},
                              {"snr_db", p.problem.snr_db},
                              {"lambda", p.problem.lambda},
                              {"seed", p.problem.seed}}},
                            {"layers", p.layers},
                            {"lipschitz", p.lipschitz},
                            {"alpha_min", p.alpha_min},
                            {"alpha_max", p.alpha_max},
                            {"beta", p.beta},
                            {"gamma", p.gamma},
                            {"ablation", to_string(p.ablation)},
                            {"w", p.w},
                            {"c", p.c},
                            {"theta", p.theta}};
  return j.dump(1);
}

LpgNetParams lpgnet_params_from_json(const std::string& text, const std::string& where) {
  const json_input::Reader r{where};
  const json_input::json j = json_input::parse(text, where);
  r.only_keys(j, "params",
              {"model", "version", "problem", "layers", "lipschitz", "alpha_min", "alpha_max", "beta",
               "gamma", "ablation", "w", "c", "theta"});
  if (r.string(r.at(j, "params", "model"), "model") != "lpgnet")
    r.fail("model",
           "found " + json_input::found(j["model"]) + "; expected \"lpgnet\" (an LPG-Net parameter file)");
  r.integer(r.at(j, "params", "version"), "version", kFormatVersion, kFormatVersion);
  const json_input::json& q = r.at(j, "params", "problem");
  r.only_keys(q, "problem", {"n", "m", "k", "snr_db", "lambda", "seed"});
  const auto finite = [&](const json_input::json& v, const std::string& field) {
    const double x = r.number(v, field);
    if (!std::isfinite(x)) r.wrong(v, field, "a finite number");
    return x;
  };
  const auto at_least = [&](const json_input::json& v, const std::string& field, double lo, bool open) {
    const double x = finite(v, field);
    if (open ? !(x > lo) : !(x >= lo))
      r.wrong(v, field, std::string("a number ") + (open ? "> " : ">= ") + json_input::json(lo).dump());
    return x;
  };
  LpgNetParams p;
  p.problem.n = r.integer(r.at(q, "problem", "n"), "problem.n", 1);
  p.problem.m = r.integer(r.at(q, "problem", "m"), "problem.m", 1);
  p.problem.k = r.integer(r.at(q, "problem", "k"), "problem.k", 0, p.problem.n);
  p.problem.snr_db = finite(r.at(q, "problem", "snr_db"), "problem.snr_db");
  p.problem.lambda = at_least(r.at(q, "problem", "lambda"), "problem.lambda", 0, false);
  p.problem.seed = r.seed(r.at(q, "problem", "seed"), "problem.seed");
  p.layers =
      static_cast<int>(r.integer(r.at(j, "params", "layers"), "layers", 1, std::numeric_limits<int>::max()));
  p.lipschitz = at_least(r.at(j, "params", "lipschitz"), "lipschitz", 0, true);
  p.alpha_min = at_least(r.at(j, "params", "alpha_min"), "alpha_min", 0, false);
  p.alpha_max = at_least(r.at(j, "params", "alpha_max"), "alpha_max", 0, false);
  p.beta = at_least(r.at(j, "params", "beta"), "beta", 0, false);
  p.gamma = at_least(r.at(j, "params", "gamma"), "gamma", 0, false);
  p.ablation = parse_lpg_ablation(r.string(r.at(j, "params", "ablation"), "ablation"));
  p.w = r.numbers(r.at(j, "params", "w"), "w", 0);
  p.c = r.numbers(r.at(j, "params", "c"), "c", 0);
  p.theta = r.numbers(r.at(j, "params", "theta"), "theta", 0);
  p.validate(where);
  return p;
}

void save_lpgnet_params(const std::string& path, const LpgNetParams& p) {
  p.validate("save_lpgnet_params(" + path + ")");
  const std::string text = lpgnet_params_to_json(p);
  io::write_file_atomically(path, [&](std::ostream& out) { out << text << "\n"; });
}

LpgNetParams load_lpgnet_params(const std::string& path) {
  return lpgnet_params_from_json(json_input::read_text(path, "LPG-Net parameter file"), path);
}

}  // namespace recon
