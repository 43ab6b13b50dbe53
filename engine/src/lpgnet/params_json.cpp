// LPG-Net parameters as JSON (lpgnet.hpp). Doubles are written with 17 significant digits by
// nlohmann::json, so a save/load round trip is exact; the matrix is not stored, only its seed.
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "recon/engine/lpgnet.hpp"
#include "recon/io/atomic_file.hpp"

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
  LpgNetParams p;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    require(j.value("model", "") == "lpgnet", where,
            "not an LPG-Net parameter file (\"model\" is not \"lpgnet\")");
    require(j.at("version").get<int>() == kFormatVersion, where,
            "format version " + j.at("version").dump() + ", expected " + std::to_string(kFormatVersion));
    const auto& q = j.at("problem");
    p.problem = {q.at("n").get<index_t>(),     q.at("m").get<index_t>(),
                 q.at("k").get<index_t>(),     q.at("snr_db").get<double>(),
                 q.at("lambda").get<double>(), q.at("seed").get<std::uint64_t>()};
    p.layers = j.at("layers").get<int>();
    p.lipschitz = j.at("lipschitz").get<double>();
    p.alpha_min = j.at("alpha_min").get<double>();
    p.alpha_max = j.at("alpha_max").get<double>();
    p.beta = j.at("beta").get<double>();
    p.gamma = j.at("gamma").get<double>();
    p.ablation = parse_lpg_ablation(j.at("ablation").get<std::string>());
    p.w = j.at("w").get<std::vector<double>>();
    p.c = j.at("c").get<std::vector<double>>();
    p.theta = j.at("theta").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(where + ": " + e.what());
  }
  p.validate(where);
  return p;
}

void save_lpgnet_params(const std::string& path, const LpgNetParams& p) {
  p.validate("save_lpgnet_params(" + path + ")");
  const std::string text = lpgnet_params_to_json(p);
  io::write_file_atomically(path, [&](std::ostream& out) { out << text << "\n"; });
}

LpgNetParams load_lpgnet_params(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("load_lpgnet_params: cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return lpgnet_params_from_json(text.str(), path);
}

}  // namespace recon
