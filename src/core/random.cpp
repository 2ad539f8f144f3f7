#include "rareshock/core/random.hpp"

namespace rareshock {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed, std::uint64_t draw, Purpose purpose, std::uint64_t sub) {
  // Mix the identity into one state, then expand it into the generator's 256 bits.
  std::uint64_t st = seed;
  std::uint64_t key = splitmix64(st);
  st = key ^ (draw * 0xD1B54A32D192ED03ULL);
  key = splitmix64(st);
  st = key ^ (static_cast<std::uint64_t>(purpose) * 0x8CB92BA72F3D8DD7ULL) ^
       (sub * 0xABC98388FB8FAC03ULL);
  for (auto& x : s_) x = splitmix64(st);
}

namespace {
inline std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  // 53 random bits, shifted by half a step so 0 and 1 never occur.
  return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace rareshock
