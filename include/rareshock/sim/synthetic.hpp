#pragma once
/// \file Seeded synthetic networks for tests and benchmarks. Chains are shaped like the real
/// one (mines -> separation with a by-product -> metal -> magnets -> consumers, fan-in and
/// lead times); the dense variant is shaped like a multi-regional input-output table.
#include <cstdint>

#include "rareshock/model/model.hpp"

namespace rareshock::sim {

struct ChainSpec {
  int nodes = 1000;  ///< total, consumers included (>= 10)
  int fan_in = 3;    ///< suppliers per customer and material (at most the stage size)
  int countries = 20;
  std::uint64_t seed = 1;
  double spare_capacity = 0.3;  ///< capacity = (1 + spare) x baseline activity
};

/// A layered chain: 4 % mines, 4 % refineries (joint NdPr + La/Ce), 4 % metal, 8 % magnet
/// makers, the rest consumers; lead times 3–60 days; inventories 10–60 days.
Model make_chain(const ChainSpec& spec);

struct DenseSpec {
  int nodes = 1000;  ///< producers + consumers
  int fan_in = 500;  ///< suppliers per producer
  int consumers = 100;
  std::uint64_t seed = 1;
};

/// One good; every producer uses 0.5 t of it per t made, bought from fan_in random producers
/// (cycles, like an IO table); consumers buy from 50 producers.
Model make_dense(const DenseSpec& spec);

}  // namespace rareshock::sim
