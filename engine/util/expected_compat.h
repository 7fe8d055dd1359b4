#pragma once
/**
 * A small stand-in for sluice::expected / sluice::unexpected, used only where the
 * standard library does not provide them: clang 14 with libstdc++ 12 (its
 * __cpp_concepts is too old for libstdc++'s <expected>), which is the compiler
 * of the libFuzzer build. g++ builds never see this file's types: error.h
 * aliases sluice::expected and sluice::unexpected to std:: there.
 *
 * It covers what the engine uses: construction from a value or an unexpected,
 * has_value, operator bool, value, error, operator*, operator->, value_or, and
 * equality. value() on an error aborts (the engine builds without exceptions on
 * the data path and checks before it reads).
 */
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace sluice {

template <typename E>
class unexpected {
 public:
  template <typename Err = E>
    requires(!std::is_same_v<std::remove_cvref_t<Err>, unexpected> && std::is_constructible_v<E, Err>)
  constexpr explicit unexpected(Err&& e) : error_(std::forward<Err>(e)) {}

  constexpr const E& error() const& noexcept { return error_; }
  constexpr E& error() & noexcept { return error_; }
  constexpr E&& error() && noexcept { return std::move(error_); }
  constexpr const E&& error() const&& noexcept { return std::move(error_); }

  template <typename E2>
  friend constexpr bool operator==(const unexpected& a, const unexpected<E2>& b) {
    return a.error() == b.error();
  }

 private:
  E error_;
};

template <typename E>
unexpected(E) -> unexpected<E>;

struct unexpect_t {
  explicit unexpect_t() = default;
};
inline constexpr unexpect_t unexpect{};

template <typename T, typename E>
class expected {
 public:
  using value_type = T;
  using error_type = E;
  using unexpected_type = unexpected<E>;

  constexpr expected()
    requires std::is_default_constructible_v<T>
      : v_(std::in_place_index<0>) {}
  constexpr expected(const expected&) = default;
  constexpr expected(expected&&) = default;
  constexpr expected& operator=(const expected&) = default;
  constexpr expected& operator=(expected&&) = default;

  template <typename U = T>
    requires(!std::is_same_v<std::remove_cvref_t<U>, expected> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t> &&
             !std::is_same_v<std::remove_cvref_t<U>, unexpect_t> &&
             !std::is_same_v<std::remove_cvref_t<U>, unexpected<E>> && std::is_constructible_v<T, U>)
  constexpr explicit(!std::is_convertible_v<U, T>) expected(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}

  template <typename G>
    requires std::is_constructible_v<E, const G&>
  constexpr explicit(!std::is_convertible_v<const G&, E>) expected(const unexpected<G>& u)
      : v_(std::in_place_index<1>, u.error()) {}
  template <typename G>
    requires std::is_constructible_v<E, G>
  constexpr explicit(!std::is_convertible_v<G, E>) expected(unexpected<G>&& u)
      : v_(std::in_place_index<1>, std::move(u).error()) {}

  template <typename... Args>
  constexpr explicit expected(std::in_place_t, Args&&... args) : v_(std::in_place_index<0>, std::forward<Args>(args)...) {}
  template <typename... Args>
  constexpr explicit expected(unexpect_t, Args&&... args) : v_(std::in_place_index<1>, std::forward<Args>(args)...) {}

  template <typename U = T>
    requires(!std::is_same_v<std::remove_cvref_t<U>, expected> && std::is_constructible_v<T, U> &&
             !std::is_same_v<std::remove_cvref_t<U>, unexpected<E>>)
  constexpr expected& operator=(U&& v) {
    v_.template emplace<0>(std::forward<U>(v));
    return *this;
  }
  template <typename G>
  constexpr expected& operator=(const unexpected<G>& u) {
    v_.template emplace<1>(u.error());
    return *this;
  }
  template <typename G>
  constexpr expected& operator=(unexpected<G>&& u) {
    v_.template emplace<1>(std::move(u).error());
    return *this;
  }

  template <typename... Args>
  constexpr T& emplace(Args&&... args) {
    return v_.template emplace<0>(std::forward<Args>(args)...);
  }

  constexpr bool has_value() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& value() & { return check(), std::get<0>(v_); }
  constexpr const T& value() const& { return check(), std::get<0>(v_); }
  constexpr T&& value() && { return check(), std::get<0>(std::move(v_)); }
  constexpr const T&& value() const&& { return check(), std::get<0>(std::move(v_)); }

  constexpr T& operator*() & noexcept { return *std::get_if<0>(&v_); }
  constexpr const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
  constexpr T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
  constexpr T* operator->() noexcept { return std::get_if<0>(&v_); }
  constexpr const T* operator->() const noexcept { return std::get_if<0>(&v_); }

  constexpr E& error() & noexcept { return *std::get_if<1>(&v_); }
  constexpr const E& error() const& noexcept { return *std::get_if<1>(&v_); }
  constexpr E&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

  template <typename U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(fallback));
  }
  template <typename U>
  constexpr T value_or(U&& fallback) && {
    return has_value() ? std::move(**this) : static_cast<T>(std::forward<U>(fallback));
  }

  template <typename T2, typename E2>
  friend constexpr bool operator==(const expected& a, const expected<T2, E2>& b) {
    if (a.has_value() != b.has_value()) return false;
    return a.has_value() ? *a == *b : a.error() == b.error();
  }
  template <typename E2>
  friend constexpr bool operator==(const expected& a, const unexpected<E2>& u) {
    return !a.has_value() && a.error() == u.error();
  }

 private:
  constexpr void check() const {
    if (!has_value()) std::abort();
  }
  std::variant<T, E> v_;
};

template <typename E>
class expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;
  using unexpected_type = unexpected<E>;

  constexpr expected() noexcept = default;
  constexpr expected(const expected&) = default;
  constexpr expected(expected&&) = default;
  constexpr expected& operator=(const expected&) = default;
  constexpr expected& operator=(expected&&) = default;

  template <typename G>
    requires std::is_constructible_v<E, const G&>
  constexpr explicit(!std::is_convertible_v<const G&, E>) expected(const unexpected<G>& u) : error_(u.error()) {}
  template <typename G>
    requires std::is_constructible_v<E, G>
  constexpr explicit(!std::is_convertible_v<G, E>) expected(unexpected<G>&& u) : error_(std::move(u).error()) {}
  constexpr explicit expected(std::in_place_t) noexcept {}
  template <typename... Args>
  constexpr explicit expected(unexpect_t, Args&&... args) : error_(std::in_place, std::forward<Args>(args)...) {}

  template <typename G>
  constexpr expected& operator=(const unexpected<G>& u) {
    error_.emplace(u.error());
    return *this;
  }
  template <typename G>
  constexpr expected& operator=(unexpected<G>&& u) {
    error_.emplace(std::move(u).error());
    return *this;
  }
  constexpr void emplace() noexcept { error_.reset(); }

  constexpr bool has_value() const noexcept { return !error_.has_value(); }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr void operator*() const noexcept {}
  constexpr void value() const {
    if (!has_value()) std::abort();
  }

  constexpr E& error() & noexcept { return *error_; }
  constexpr const E& error() const& noexcept { return *error_; }
  constexpr E&& error() && noexcept { return std::move(*error_); }

  template <typename E2>
  friend constexpr bool operator==(const expected& a, const expected<void, E2>& b) {
    if (a.has_value() != b.has_value()) return false;
    return a.has_value() || a.error() == b.error();
  }
  template <typename E2>
  friend constexpr bool operator==(const expected& a, const unexpected<E2>& u) {
    return !a.has_value() && a.error() == u.error();
  }

 private:
  std::optional<E> error_;
};

}  // namespace sluice
