// The process-wide prox table cache (prox_table_cache.hpp).
#include "recon/kernels/penalties/prox_table_cache.hpp"

namespace recon::penalties::fast {

ProxTableCache::Entry& ProxTableCache::touch(const Key& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->key == key) {
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front();
    }
  if (entries_.size() == kCachedTables) entries_.pop_back();
  entries_.push_front(Entry{key, 0, nullptr});
  return entries_.front();
}

ProxTableCache& prox_table_cache() {
  static ProxTableCache cache;
  return cache;
}

}  // namespace recon::penalties::fast
