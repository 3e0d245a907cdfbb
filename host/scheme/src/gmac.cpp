#include "modelock/scheme/internal/gmac.hpp"

#include <algorithm>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>

#include <fmt/format.h>

#include "kernels.hpp"
#include "modelock/common/error.hpp"
#include "openssl_error.hpp"

namespace modelock::scheme {

namespace {

constexpr std::size_t kBlock = 16;

std::array<std::uint8_t, 12> gcm_iv(const Nonce& nonce, std::uint32_t index) {
  std::array<std::uint8_t, 12> iv{};
  std::copy(nonce.begin(), nonce.end(), iv.begin());
  for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
  return iv;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext ctx{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  if (!ctx) detail::throw_openssl_error("EVP_CIPHER_CTX_new");
  return ctx;
}

}  // namespace

bool gmac_uses_vpclmulqdq(Backend backend) noexcept {
  if constexpr (detail::kFastKernelsBuilt) {
    static const bool supported = detail::ghash_avx512_supported();
    return backend != Backend::scalar && supported;
  } else {
    return false;
  }
}

// One of the two implementations (the class comment): `evp` is OpenSSL's
// GCM; without it, GHASH runs here over `key`, whole blocks at a time, with
// a partial block held back in `pending`.
struct Gmac::Context {
  CipherContext evp{nullptr, &EVP_CIPHER_CTX_free};
  detail::GhashKey key{};
  std::array<std::uint8_t, kBlock> state{};
  std::array<std::uint8_t, kBlock> pending{};
  std::size_t pending_bytes = 0;
  std::uint64_t total_bytes = 0;
  std::array<std::uint8_t, kBlock> masked_j0{};  // E_K(IV || 0^31 || 1), XORed into the hash at the end

  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() {
    // H's powers give GHASH's key; the state and pending bytes, tagged data.
    OPENSSL_cleanse(&key, sizeof key);
    OPENSSL_cleanse(state.data(), state.size());
    OPENSSL_cleanse(pending.data(), pending.size());
    OPENSSL_cleanse(masked_j0.data(), masked_j0.size());
  }

  void hash(const std::uint8_t* blocks, std::size_t count) {
    if constexpr (detail::kFastKernelsBuilt) detail::ghash_avx512(&key, state.data(), blocks, count);
  }
};

Gmac::Gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce, std::uint32_t index,
           Backend backend)
    : ctx_(std::make_unique<Context>()) {
  const std::array<std::uint8_t, 12> iv = gcm_iv(nonce, index);
  if (!gmac_uses_vpclmulqdq(backend)) {
    ctx_->evp = new_context();
    if (EVP_EncryptInit_ex(ctx_->evp.get(), EVP_aes_128_gcm(), nullptr, mac_key.data(), iv.data()) != 1) {
      detail::throw_openssl_error("EVP_EncryptInit_ex(aes-128-gcm)");
    }
    return;
  }
  // GCM's two AES blocks: H = E_K(0^128) and E_K(J0), J0 = IV || 0^31 || 1.
  std::array<std::uint8_t, 2 * kBlock> blocks{};
  std::copy(iv.begin(), iv.end(), blocks.begin() + kBlock);
  blocks[2 * kBlock - 1] = 1;
  const CipherContext aes = new_context();
  int written = 0;
  if (EVP_EncryptInit_ex(aes.get(), EVP_aes_128_ecb(), nullptr, mac_key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(aes.get(), 0) != 1 ||
      EVP_EncryptUpdate(aes.get(), blocks.data(), &written, blocks.data(), static_cast<int>(blocks.size())) != 1 ||
      written != static_cast<int>(blocks.size())) {
    OPENSSL_cleanse(blocks.data(), blocks.size());
    detail::throw_openssl_error("EVP_EncryptUpdate(aes-128-ecb, the blocks of aes-128-gcm's GMAC)");
  }
  if constexpr (detail::kFastKernelsBuilt) detail::ghash_key_avx512(blocks.data(), &ctx_->key);
  std::copy(blocks.begin() + kBlock, blocks.end(), ctx_->masked_j0.begin());
  OPENSSL_cleanse(blocks.data(), blocks.size());
}

Gmac::Gmac(Gmac&&) noexcept = default;
Gmac& Gmac::operator=(Gmac&&) noexcept = default;
Gmac::~Gmac() = default;

void Gmac::update(std::span<const std::uint8_t> bytes) {
  Context& c = *ctx_;
  if (c.evp) {
    // EVP takes int lengths: feed large tensors in pieces.
    constexpr std::size_t kPiece = std::size_t{1} << 30;
    while (!bytes.empty()) {
      const std::size_t n = std::min(bytes.size(), kPiece);
      int ignored = 0;
      if (EVP_EncryptUpdate(c.evp.get(), nullptr, &ignored, bytes.data(), static_cast<int>(n)) != 1) {
        detail::throw_openssl_error("EVP_EncryptUpdate(GMAC AAD)");
      }
      bytes = bytes.subspan(n);
    }
    return;
  }
  c.total_bytes += bytes.size();
  if (c.pending_bytes > 0) {
    const std::size_t n = std::min(bytes.size(), kBlock - c.pending_bytes);
    std::copy_n(bytes.begin(), n, c.pending.begin() + static_cast<std::ptrdiff_t>(c.pending_bytes));
    c.pending_bytes += n;
    bytes = bytes.subspan(n);
    if (c.pending_bytes < kBlock) return;
    c.hash(c.pending.data(), 1);
    c.pending_bytes = 0;
  }
  const std::size_t whole = bytes.size() / kBlock;
  c.hash(bytes.data(), whole);
  bytes = bytes.subspan(whole * kBlock);
  std::copy(bytes.begin(), bytes.end(), c.pending.begin());
  c.pending_bytes = bytes.size();
}

Tag Gmac::finish() {
  Context& c = *ctx_;
  Tag tag{};
  if (c.evp) {
    int ignored = 0;
    std::uint8_t none[16];
    if (EVP_EncryptFinal_ex(c.evp.get(), none, &ignored) != 1) {
      detail::throw_openssl_error("EVP_EncryptFinal_ex(GMAC)");
    }
    if (EVP_CIPHER_CTX_ctrl(c.evp.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()), tag.data()) != 1) {
      detail::throw_openssl_error("EVP_CTRL_GCM_GET_TAG");
    }
    return tag;
  }
  if (c.pending_bytes > 0) {
    std::fill(c.pending.begin() + static_cast<std::ptrdiff_t>(c.pending_bytes), c.pending.end(), std::uint8_t{0});
    c.hash(c.pending.data(), 1);
    c.pending_bytes = 0;
  }
  // The lengths block: the AAD's length in bits, then the (empty)
  // ciphertext's, each 64-bit big-endian. No tensor comes near 2^61 bytes
  // (docs/container-format.md, "Limits").
  std::array<std::uint8_t, kBlock> lengths{};
  const std::uint64_t bits = c.total_bytes * 8;
  for (int i = 0; i < 8; ++i) lengths[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  c.hash(lengths.data(), 1);
  for (std::size_t i = 0; i < tag.size(); ++i) tag[i] = static_cast<std::uint8_t>(c.state[i] ^ c.masked_j0[i]);
  return tag;
}

Tag gmac(std::span<const std::uint8_t, kKeyBytes> mac_key, const Nonce& nonce, std::uint32_t index,
         std::span<const std::uint8_t> bytes, Backend backend) {
  Gmac mac(mac_key, nonce, index, backend);
  mac.update(bytes);
  return mac.finish();
}

bool tags_equal(const Tag& a, const Tag& b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace modelock::scheme
