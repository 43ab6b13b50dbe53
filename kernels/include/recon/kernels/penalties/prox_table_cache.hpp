// A process-wide cache of prox tables (prox_table.hpp). Iterative solvers call the prox with
// the same function and step at every iteration, and a table's construction (thousands of exact
// prox evaluations, 0.3-3 ms) would otherwise be repeated each time. Keyed by the function's type
// and parameters (its bytes), the step and the octaves the data span; a key's table is built
// once the elements asked for under it reach kTableMinElements, so that a single small call
// never pays for one (the Newton path serves it). Holds the kCachedTables most recent keys.
// Host-only. Tests: tests/penalties/test_prox_scalar_gamma.cu (ProxTableCache).
#pragma once

#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>

#include "recon/kernels/penalties/prox_table.hpp"

namespace recon::penalties::fast {

constexpr std::size_t kCachedTables = 8;

class ProxTableCache {
 public:
  // The table for f at step t and the octaves of in[0, n), or null where none is built yet.
  template <class F>
  std::shared_ptr<const ProxTable> find(const F& f, float t, const float* in, index_t n, int threads) {
    Key key{std::type_index(typeid(F)), std::string(reinterpret_cast<const char*>(&f), sizeof f), t, 0, 0};
    if (!table_detail::octave_range(in, n, key.lo, key.hi)) return nullptr;
    const std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.lookups;
    Entry& e = touch(key);
    e.requested += n;
    if (!e.table && e.requested >= kTableMinElements) {
      e.table = std::make_shared<const ProxTable>(build_prox_table(f, t, key.lo, key.hi, threads));
      ++stats_.builds;
    }
    return e.table;
  }

  // Counts of builds and lookups, for tests.
  struct Stats {
    long builds = 0, lookups = 0;
  };
  Stats stats() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  struct Key {
    std::type_index type;
    std::string bytes;
    float t;
    int lo, hi;
    bool operator==(const Key& o) const {
      return type == o.type && bytes == o.bytes && std::memcmp(&t, &o.t, sizeof t) == 0 && lo == o.lo &&
             hi == o.hi;
    }
  };
  struct Entry {
    Key key;
    index_t requested = 0;
    std::shared_ptr<const ProxTable> table;
  };

  // The entry of key, moved to the front (created there, evicting the oldest, if new).
  Entry& touch(const Key& key);

  mutable std::mutex mutex_;
  std::list<Entry> entries_;
  Stats stats_;
};

ProxTableCache& prox_table_cache();

}  // namespace recon::penalties::fast
