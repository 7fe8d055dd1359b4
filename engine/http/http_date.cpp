#include "engine/http/http_date.h"

#include <array>
#include <charconv>
#include <chrono>
#include <ctime>

namespace sluice::http {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/** A Unix time split into calendar fields (proleptic Gregorian, UTC). */
struct Civil {
  int year = 1970;
  unsigned month = 1, day = 1, weekday = 4, hour = 0, minute = 0, second = 0;
};

Civil civilOf(int64_t unixSeconds) {
  sys_seconds t{seconds{unixSeconds}};
  sys_days d = floor<days>(t);
  year_month_day ymd{d};
  hh_mm_ss hms{t - d};
  return Civil{int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()), weekday{d}.c_encoding(),
               unsigned(hms.hours().count()), unsigned(hms.minutes().count()), unsigned(hms.seconds().count())};
}

void appendDigits(std::string& out, int64_t value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  for (auto n = end - buf; n < width; ++n) out.push_back('0');
  out.append(buf, end);
}

void appendTime(std::string& out, const Civil& c, char dateTimeSeparator) {
  out.push_back(dateTimeSeparator);
  appendDigits(out, c.hour, 2);
  out.push_back(':');
  appendDigits(out, c.minute, 2);
  out.push_back(':');
  appendDigits(out, c.second, 2);
}

/** Reads a date field by field; any mismatch sets it failed for good. */
class DateReader {
 public:
  explicit DateReader(std::string_view s) : s_(s) {}

  bool ok() const { return ok_; }
  bool atEnd() const { return ok_ && i_ == s_.size(); }
  bool peek(char c) const { return ok_ && i_ < s_.size() && s_[i_] == c; }

  void literal(std::string_view l) {
    if (ok_ && s_.substr(i_, l.size()) == l) i_ += l.size();
    else ok_ = false;
  }
  int number(size_t width) {
    int v = 0;
    for (size_t k = 0; k < width; ++k, ++i_) {
      if (!ok_ || i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return ok_ = false, 0;
      v = v * 10 + (s_[i_] - '0');
    }
    return v;
  }
  template <size_t N>
  unsigned name(const std::array<std::string_view, N>& names) {
    for (unsigned k = 0; k < N; ++k)
      if (ok_ && s_.substr(i_).starts_with(names[k])) return i_ += names[k].size(), k;
    ok_ = false;
    return 0;
  }
  void time(Civil& c) {
    c.hour = unsigned(number(2));
    literal(":");
    c.minute = unsigned(number(2));
    literal(":");
    c.second = unsigned(number(2));
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  bool ok_ = true;
};

std::optional<int64_t> unixOf(const Civil& c) {
  year_month_day ymd{year{c.year}, month{c.month}, day{c.day}};
  if (!ymd.ok() || c.hour > 23 || c.minute > 59 || c.second > 60) return std::nullopt;  // 60: a leap second
  auto t = sys_days{ymd} + hours{c.hour} + minutes{c.minute} + seconds{c.second};
  return t.time_since_epoch().count();
}

// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and RFC 850 "Sunday, 06-Nov-94
// 08:49:37 GMT" share one layout: day name, comma, day, month and year joined
// by sep, time, "GMT". Returns the year as written.
int readCommaForm(DateReader& r, Civil& c, const std::array<std::string_view, 7>& dayNames, std::string_view sep,
                  size_t yearDigits) {
  r.name(dayNames);
  r.literal(", ");
  c.day = unsigned(r.number(2));
  r.literal(sep);
  c.month = r.name(kMonths) + 1;
  r.literal(sep);
  int year = r.number(yearDigits);
  r.literal(" ");
  r.time(c);
  r.literal(" GMT");
  return year;
}

bool readImfFixdate(DateReader& r, Civil& c) {
  c.year = readCommaForm(r, c, kDays, " ", 4);
  return r.atEnd();
}

// RFC 850's two-digit year: the century that puts it at most 50 years after now (RFC 9110 §5.6.7).
bool readRfc850(DateReader& r, Civil& c, int64_t now) {
  int yy = readCommaForm(r, c, kLongDays, "-", 2);
  int thisYear = civilOf(now).year;
  c.year = thisYear - thisYear % 100 + yy;
  if (c.year > thisYear + 50) c.year -= 100;
  return r.atEnd();
}

// asctime: "Sun Nov  6 08:49:37 1994" (the day is space-padded).
bool readAsctime(DateReader& r, Civil& c) {
  r.name(kDays);
  r.literal(" ");
  c.month = r.name(kMonths) + 1;
  r.literal(" ");
  if (r.peek(' ')) {
    r.literal(" ");
    c.day = unsigned(r.number(1));
  } else {
    c.day = unsigned(r.number(2));
  }
  r.literal(" ");
  r.time(c);
  r.literal(" ");
  c.year = r.number(4);
  return r.atEnd();
}

}  // namespace

std::string formatHttpDate(int64_t unixSeconds) {
  Civil c = civilOf(unixSeconds);
  std::string out;
  out.reserve(29);
  out += kDays[c.weekday];
  out += ", ";
  appendDigits(out, c.day, 2);
  out.push_back(' ');
  out += kMonths[c.month - 1];
  out.push_back(' ');
  appendDigits(out, c.year, 4);
  appendTime(out, c, ' ');
  out += " GMT";
  return out;
}

std::string_view httpDate() {
  thread_local std::time_t cachedAt = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cachedAt) {
    cachedAt = now;
    cached = formatHttpDate(now);
  }
  return cached;
}

std::optional<int64_t> parseHttpDate(std::string_view text, int64_t nowUnixSeconds) {
  Civil c;
  DateReader r(text);
  // The day name's length and the character after it tell the three forms apart.
  size_t comma = text.find(',');
  bool ok = comma == 3                             ? readImfFixdate(r, c)
            : comma != std::string_view::npos      ? readRfc850(r, c, nowUnixSeconds)
                                                   : readAsctime(r, c);
  return ok ? unixOf(c) : std::nullopt;
}

std::optional<int64_t> parseHttpDate(std::string_view text) { return parseHttpDate(text, std::time(nullptr)); }

std::string formatIsoUtc(int64_t unixSeconds) {
  Civil c = civilOf(unixSeconds);
  std::string out;
  appendDigits(out, c.year, 4);
  out.push_back('-');
  appendDigits(out, c.month, 2);
  out.push_back('-');
  appendDigits(out, c.day, 2);
  appendTime(out, c, 'T');
  out.push_back('Z');
  return out;
}

}  // namespace sluice::http
