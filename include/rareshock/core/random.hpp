#pragma once
/// \file Reproducible random streams. One master seed; every (draw, purpose) pair gets its own
/// stream derived only from (seed, draw, purpose) by SplitMix64, so results never depend on
/// threads or scheduling. The generator is xoshiro256** (Blackman & Vigna 2018).
#include <cstdint>

namespace rareshock {

/// What a stream is used for; part of its identity.
enum class Purpose : std::uint64_t {
  Parameters = 1,  ///< Monte Carlo parameter draws
  Licences = 2,    ///< per-application licence review delays and approvals
  Sobol = 3,       ///< Saltelli sampling matrices
  Bootstrap = 4,   ///< bootstrap resampling
};

class Rng {
 public:
  /// The stream for (\p seed, \p draw, \p purpose, \p sub).
  Rng(std::uint64_t seed, std::uint64_t draw, Purpose purpose, std::uint64_t sub = 0);
  std::uint64_t next();
  /// Uniform on the open interval (0, 1).
  double uniform();

 private:
  std::uint64_t s_[4];
};

/// SplitMix64 step (exposed for tests).
std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace rareshock
