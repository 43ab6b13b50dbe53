// The name -> function registry behind make_function() and the CLI (MATH.md sections 1-2).
#include "recon/kernels/penalties/function.hpp"

#include <functional>
#include <sstream>

namespace recon::penalties {

namespace {

using Values = std::vector<double>;

struct Entry {
  FunctionSignature signature;
  std::function<Function(const Values&)> make;  // values in signature order, optional last
  std::function<Values(const Function&)> values;
};

template <class F, class Make, class Get>
Entry entry(std::vector<std::string> required, std::vector<std::pair<std::string, double>> optional,
            Make make, Get get) {
  return Entry{FunctionSignature{F::name, std::move(required), std::move(optional)},
               [make](const Values& v) { return Function(make(v)); },
               [get](const Function& fn) { return get(std::get<F>(fn)); }};
}

const std::vector<Entry>& registry() {
  static const std::vector<Entry> table = {
      entry<L1>(
          {}, {}, [](const Values&) { return L1{}; }, [](const L1&) { return Values{}; }),
      entry<L0>(
          {}, {}, [](const Values&) { return L0{}; }, [](const L0&) { return Values{}; }),
      entry<Lp>(
          {"p"}, {}, [](const Values& v) { return Lp(v[0]); }, [](const Lp& f) { return Values{f.p}; }),
      entry<LogPenalty>(
          {"p", "eps"}, {}, [](const Values& v) { return LogPenalty(v[0], v[1]); },
          [](const LogPenalty& f) {
            return Values{f.p, f.eps};
          }),
      entry<Mcp>(
          {"mu", "theta"}, {{"weight", 1.0}}, [](const Values& v) { return Mcp(v[0], v[1], v[2]); },
          [](const Mcp& f) {
            return Values{f.mu, f.theta, f.weight};
          }),
      entry<Scad>(
          {"mu", "a"}, {{"weight", 1.0}}, [](const Values& v) { return Scad(v[0], v[1], v[2]); },
          [](const Scad& f) {
            return Values{f.mu, f.a, f.weight};
          }),
      entry<CappedL1>(
          {"theta"}, {}, [](const Values& v) { return CappedL1(v[0]); },
          [](const CappedL1& f) { return Values{f.theta}; }),
      entry<CappedLog>(
          {"p", "eps", "theta"}, {}, [](const Values& v) { return CappedLog(v[0], v[1], v[2]); },
          [](const CappedLog& f) {
            return Values{f.log.p, f.log.eps, f.theta};
          }),
      entry<Weep>(
          {"a", "b"}, {}, [](const Values& v) { return Weep(v[0], v[1]); },
          [](const Weep& f) {
            return Values{f.a, f.b};
          }),
      entry<Huber>(
          {"delta"}, {}, [](const Values& v) { return Huber(v[0]); },
          [](const Huber& f) { return Values{f.delta}; }),
      entry<SqL2>(
          {}, {}, [](const Values&) { return SqL2{}; }, [](const SqL2&) { return Values{}; }),
      entry<Cauchy>(
          {"delta"}, {}, [](const Values& v) { return Cauchy(v[0]); },
          [](const Cauchy& f) { return Values{f.delta}; }),
      entry<GemanMcClure>(
          {"delta"}, {}, [](const Values& v) { return GemanMcClure(v[0]); },
          [](const GemanMcClure& f) { return Values{f.delta}; }),
      entry<Welsch>(
          {"delta"}, {}, [](const Values& v) { return Welsch(v[0]); },
          [](const Welsch& f) { return Values{f.delta}; }),
      entry<Barron>(
          {"alpha", "c"}, {}, [](const Values& v) { return Barron(v[0], v[1]); },
          [](const Barron& f) {
            return Values{f.alpha, f.c};
          }),
      entry<Eq8>(
          {}, {}, [](const Values&) { return Eq8{}; }, [](const Eq8&) { return Values{}; }),
      entry<Tukey>(
          {"c"}, {}, [](const Values& v) { return Tukey(v[0]); }, [](const Tukey& f) { return Values{f.c}; }),
      entry<Box>(
          {"lo", "hi"}, {}, [](const Values& v) { return Box(v[0], v[1]); },
          [](const Box& f) {
            return Values{f.lo, f.hi};
          }),
      entry<NonNeg>(
          {}, {}, [](const Values&) { return NonNeg{}; }, [](const NonNeg&) { return Values{}; }),
      entry<L2Ball>(
          {"r"}, {}, [](const Values& v) { return L2Ball(v[0]); },
          [](const L2Ball& f) { return Values{f.r}; }),
  };
  return table;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

std::vector<std::string> parameter_names(const FunctionSignature& sig) {
  std::vector<std::string> names = sig.required;
  for (const auto& o : sig.optional) names.push_back(o.first);
  return names;
}

const Entry& find_entry(const std::string& name) {
  std::vector<std::string> known;
  for (const Entry& e : registry()) {
    if (e.signature.name == name) return e;
    known.push_back(e.signature.name);
  }
  throw InvalidArgument("unknown penalty or loss '" + name + "'; known: " + join_names(known));
}

}  // namespace

Function make_function(const std::string& name, const std::map<std::string, double>& params) {
  const Entry& e = find_entry(name);
  const std::vector<std::string> names = parameter_names(e.signature);
  for (const auto& kv : params) {
    bool known = false;
    for (const auto& n : names) known = known || n == kv.first;
    if (!known)
      throw InvalidArgument(name + ": unknown parameter '" + kv.first + "'; expected " + join_names(names));
  }
  Values values;
  for (const auto& n : e.signature.required) {
    const auto it = params.find(n);
    if (it == params.end())
      throw InvalidArgument(name + ": missing parameter '" + n + "'; expected " + join_names(names));
    values.push_back(it->second);
  }
  for (const auto& o : e.signature.optional) {
    const auto it = params.find(o.first);
    values.push_back(it == params.end() ? o.second : it->second);
  }
  Function fn = e.make(values);
  validate(fn);
  return fn;
}

const std::vector<FunctionSignature>& function_signatures() {
  static const std::vector<FunctionSignature> sigs = [] {
    std::vector<FunctionSignature> s;
    for (const Entry& e : registry()) s.push_back(e.signature);
    return s;
  }();
  return sigs;
}

const char* name_of(const Function& fn) {
  return std::visit([](const auto& f) { return std::decay_t<decltype(f)>::name; }, fn);
}

std::string describe(const Function& fn) {
  const Entry& e = find_entry(name_of(fn));
  const std::vector<std::string> names = parameter_names(e.signature);
  const Values values = e.values(fn);
  std::ostringstream out;
  out << e.signature.name << "(";
  for (size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << names[i] << "=" << values[i];
  out << ")";
  return out.str();
}

Properties properties_of(const Function& fn) {
  return std::visit([](const auto& f) { return f.properties(); }, fn);
}

}  // namespace recon::penalties
