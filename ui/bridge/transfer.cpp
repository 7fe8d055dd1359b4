#include "ui/bridge/transfer.h"

#include <cerrno>
#include <chrono>
#include <cstring>

namespace sluice::ui {

namespace {
qint64 nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
QString fromStd(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

Transfer::Transfer(quint64 localId, RequestSpec spec, size_t previewCap, QString saveTo)
    : localId_(localId), spec_(std::move(spec)), previewCap_(previewCap), saveTo_(std::move(saveTo)), startNs_(nowNs()) {}

Transfer::~Transfer() {
  // A transfer dropped mid-body (window closed, cancelled) is aborted, not reported as a leak:
  // only the leak policy lets the stream die unreleased on purpose.
  if (body_.valid() && !body_.released() && spec_.release != ReleasePolicy::kLeak) body_.abort();
  if (file_) std::fclose(file_);
}

void Transfer::finishLocked(TransferView::Phase phase) {
  view_.phase = phase;
  if (!endNs_) endNs_ = nowNs();
}

void Transfer::failEarly(const QString& error) {
  {
    std::lock_guard lock(mutex_);
    view_.error = error;
    finishLocked(TransferView::Phase::kFailed);
  }
  ping();
}

void Transfer::openSaveFile() {
  if (saveTo_.isEmpty()) return;
  file_ = std::fopen(saveTo_.toLocal8Bit().constData(), "wb");
  if (!file_) fileError_ = QStringLiteral("cannot write %1: %2").arg(saveTo_, QString::fromLocal8Bit(std::strerror(errno)));
}

// With mutex_ held, once the head of the final response arrived.
void Transfer::startSpills() {
  if (!spillOptions_) return;
  wireSpill_ = BodySpill::create(*spillOptions_, QStringLiteral("wire"));
  if (view_.decoding) {
    decodedSpill_ = BodySpill::create(*spillOptions_, QStringLiteral("decoded"));
    if (!decoder_) decodedSpill_->abandon(view_.decodeError);
  }
}

void Transfer::onHead(Result<client::Exchange> result) {
  {
    std::lock_guard lock(mutex_);
    if (!result) {
      view_.error = fromStd(result.error().message);
      finishLocked(cancelled_ ? TransferView::Phase::kCancelled : TransferView::Phase::kFailed);
    } else if (!cancelled_ && followRedirect(*result)) {
      // The next hop is on its way, or the chain ended with its error.
    } else {
      const client::Response& r = result->response;
      if (!view_.hops.isEmpty() && sent_) view_.finalUrl = fromStd(client::urlText(sent_->url));
      view_.requestId = r.requestId;
      view_.connectionId = r.connectionId;
      view_.status = r.status;
      view_.reason = fromStd(r.reason);
      for (const auto& h : r.headers) view_.headers.append({fromStd(h.name), fromStd(h.value)});
      view_.verdict = fromStd(r.verdict.text());
      view_.reused = r.verdict.reused;
      view_.timings = r.timings;
      view_.tls = r.tls;
      view_.contentType = fromStd(std::string(r.headers.get("Content-Type")));
      startDecoding(r);
      body_ = std::move(result->body);
      view_.total = body_.contentLength();
      if (cancelled_) {
        body_.abort();
        finishLocked(TransferView::Phase::kCancelled);
      } else if (spec_.release == ReleasePolicy::kNow) {
        body_.release();
        view_.note = QStringLiteral("released right after the head: the engine drains the rest within its drain "
                                    "policy, or closes the connection");
        finishLocked(TransferView::Phase::kDone);
      } else {
        view_.phase = TransferView::Phase::kStreaming;
        openSaveFile();
        startSpills();
        feed_ = std::make_shared<StreamFeed>(r.headers.get("Content-Type"), streamRows_);
        std::weak_ptr<Transfer> w = weak_from_this();
        body_.setCallbacks(
            [w](std::string_view d) {
              if (auto self = w.lock()) return self->onData(d);
              return client::BodyStream::Action::kContinue;
            },
            [w](Status st) {
              if (auto self = w.lock()) self->onEnd(st);
            });
      }
    }
  }
  ping();
}

bool Transfer::followRedirect(client::Exchange& ex) {
  const client::Response& r = ex.response;
  if (!spec_.followRedirects || !sent_ || !resend_ || !client::isRedirectStatus(r.status)) return false;
  std::string location(r.headers.get("Location"));
  view_.hops.append({r.status, fromStd(sent_->method), fromStd(client::urlText(sent_->url)), fromStd(location), r.requestId,
                     r.connectionId, fromStd(r.verdict.text())});
  ex.body.release();  // a redirect's own body: drained within the drain policy, or the connection closed
  auto stop = [&](const QString& why) {
    view_.status = r.status;
    view_.reason = fromStd(r.reason);
    view_.requestId = r.requestId;
    view_.connectionId = r.connectionId;
    view_.error = why;
    finishLocked(TransferView::Phase::kFailed);
    return true;
  };
  if (view_.hops.size() > spec_.maxRedirects)
    return stop(QStringLiteral("stopped after %1 redirects (the limit)").arg(spec_.maxRedirects));
  client::RedirectPolicy policy;
  policy.follow = true;
  auto next = client::nextRedirectRequest(*sent_, r.status, location, policy);
  if (!next) return stop(fromStd(next.error().message));
  QString nextUrl = fromStd(client::urlText(next->url)), nextMethod = fromStd(next->method);
  for (const auto& h : view_.hops) {
    if (h.method == nextMethod && h.url == nextUrl)
      return stop(QStringLiteral("redirect loop: %1 %2 was already answered with a redirect").arg(nextMethod, nextUrl));
  }
  sent_ = *next;
  cancelHook_ = resend_(std::move(*next));
  return true;
}

void Transfer::startDecoding(const client::Response& r) {
  view_.contentEncoding = fromStd(std::string(r.headers.get("Content-Encoding")));
  if (!spec_.decode || view_.contentEncoding.isEmpty()) return;
  auto dec = http::ContentDecoder::create(r.headers.get("Content-Encoding"));
  view_.decoding = true;
  if (dec) decoder_ = std::move(*dec);
  else view_.decodeError = fromStd(dec.error().message);
}

// With mutex_ held. A decoding failure stops the preview (never garbage); the wire bytes still count and save.
std::string_view Transfer::previewBytes(std::string_view wire) {
  if (!view_.decoding) return wire;
  if (!decoder_) return {};
  decoded_.clear();
  if (auto st = decoder_->decode(wire, decoded_); !st) {
    view_.decodeError = fromStd(st.error().message);
    decoder_.reset();
    return {};
  }
  view_.decodedBytes = decoder_->decodedBytes();
  return decoded_;
}

// Loop thread. Disk writes (save file, spills) happen outside mutex_, so the GUI's view() never waits on the disk.
client::BodyStream::Action Transfer::onData(std::string_view d) {
  if (file_ && std::fwrite(d.data(), 1, d.size(), file_) != d.size()) {
    std::lock_guard lock(mutex_);
    fileError_ = QStringLiteral("writing %1 failed: %2").arg(saveTo_, QString::fromLocal8Bit(std::strerror(errno)));
    std::fclose(file_);
    file_ = nullptr;
  }
  if (wireSpill_) wireSpill_->append(d);
  std::string_view shown;
  bool decodeFailed = false;
  bool readable = true;  // compressed bytes not decoded are never parsed into rows
  {
    std::lock_guard lock(mutex_);
    readable = view_.contentEncoding.isEmpty() || (view_.decoding && decoder_);
    bytes_.fetch_add(d.size(), std::memory_order_relaxed);  // counted with the view, so a snapshot never shows more bytes than spilled
    bool hadDecoder = decoder_ != nullptr;
    shown = previewBytes(d);
    decodeFailed = hadDecoder && !decoder_;
    if (!view_.previewCapped) {
      size_t room = previewCap_ - std::min<size_t>(previewCap_, static_cast<size_t>(view_.preview.size()));
      size_t n = std::min(room, shown.size());
      if (n) view_.preview.append(shown.data(), static_cast<qsizetype>(n));
      if (n < shown.size()) view_.previewCapped = true;
    }
  }
  // decoded_ (behind shown) is touched on the loop thread only: safe to read after unlocking.
  feedRows(shown, readable);
  if (decodedSpill_) {
    if (decodeFailed) decodedSpill_->abandon(QStringLiteral("decoding failed, so the decoded body was not kept"));
    else decodedSpill_->append(shown);
  }
  return client::BodyStream::Action::kContinue;
}

quint64 Transfer::sinceStartUs() const { return static_cast<quint64>((nowNs() - startNs_) / 1000); }

void Transfer::feedRows(std::string_view shown, bool readable) {
  if (!feed_) return;
  if (readable && !shown.empty()) feed_->feed(shown, sinceStartUs());
  std::vector<client::ChunkBoundary> chunks;
  {
    std::lock_guard lock(mutex_);
    if (body_.valid()) chunks = body_.takeChunks();
  }
  if (!chunks.empty()) feed_->addChunks(chunks);
}

void Transfer::onEnd(const Status& status) {
  if (feed_) {
    feedRows({}, false);  // the last chunk
    feed_->finish(sinceStartUs());
  }
  {
    std::lock_guard lock(mutex_);
    view_.timings = body_.timings();
    if (file_) {
      if (std::fclose(file_) != 0 && fileError_.isEmpty())
        fileError_ = QStringLiteral("closing %1 failed: %2").arg(saveTo_, QString::fromLocal8Bit(std::strerror(errno)));
      file_ = nullptr;
    }
    if (!status) view_.error = fromStd(status.error().message);
    if (status && decoder_) {
      if (auto st = decoder_->finish(); !st) {
        view_.decodeError = fromStd(st.error().message);
        if (decodedSpill_) decodedSpill_->abandon(QStringLiteral("decoding failed at the end: %1").arg(view_.decodeError));
      }
    }
    if (!saveTo_.isEmpty())
      view_.note = fileError_.isEmpty() ? QStringLiteral("body saved to %1%2").arg(saveTo_, status ? QString() : QStringLiteral(" (incomplete)"))
                                        : fileError_;
    finishLocked(status ? TransferView::Phase::kDone : TransferView::Phase::kFailed);
    applyEndPolicy(status.has_value());
  }
  ping();
}

// Runs with mutex_ held, on the loop thread. release() only posts into the loop: no re-entry.
void Transfer::applyEndPolicy(bool ok) {
  auto add = [&](const QString& s) { view_.note = view_.note.isEmpty() ? s : view_.note + QStringLiteral(" · ") + s; };
  switch (spec_.release) {
    case ReleasePolicy::kAtEnd:
    case ReleasePolicy::kNow: body_.release(); break;
    case ReleasePolicy::kReset: body_.reset(); add(QStringLiteral("released with reset()")); break;
    case ReleasePolicy::kDouble:
      body_.release();
      body_.release();
      add(QStringLiteral("released twice: the engine ignored the second release and recorded a warning"));
      break;
    case ReleasePolicy::kLate:
      if (!ok) body_.release();
      else add(QStringLiteral("held for 1 s after the end, then released"));
      break;
    case ReleasePolicy::kLeak:
      add(QStringLiteral("never released: the stream holds connection #%1 until dropped (Pool ▸ Drop held streams)")
              .arg(view_.connectionId));
      break;
  }
}

TransferView Transfer::view() const {
  std::lock_guard lock(mutex_);
  TransferView v = view_;
  v.bytes = bytes_.load(std::memory_order_relaxed);
  v.elapsedMs = ((endNs_ ? endNs_ : nowNs()) - startNs_) / 1'000'000;
  v.holdingStream = body_.valid() && !body_.released();
  if (upload_) {
    v.uploadSent = upload_->sent.load(std::memory_order_relaxed);
    v.uploadTotal = upload_->total.load(std::memory_order_relaxed);
    v.uploading = !upload_->done.load(std::memory_order_acquire) && !v.final();
  }
  return v;
}

bool Transfer::final() const {
  std::lock_guard lock(mutex_);
  return view_.final();
}

qint64 Transfer::heldSinceMs() const {
  std::lock_guard lock(mutex_);
  return endNs_ ? (nowNs() - endNs_) / 1'000'000 : 0;
}

void Transfer::cancel() {
  std::function<void()> beforeHead;
  {
    std::lock_guard lock(mutex_);
    if (view_.final()) return;
    cancelled_ = true;
    if (body_.valid() && !body_.released()) body_.abort();
    else beforeHead = std::move(cancelHook_);  // no head yet: the engine fails the request itself
    view_.error = QStringLiteral("cancelled: the connection was closed, not returned to the pool");
    finishLocked(TransferView::Phase::kCancelled);
  }
  if (beforeHead) beforeHead();
  ping();
}

void Transfer::releaseHeld() {
  std::lock_guard lock(mutex_);
  if (body_.valid() && !body_.released()) body_.release();
}

void Transfer::dropHeld() {
  client::BodyStream doomed;
  {
    std::lock_guard lock(mutex_);
    doomed = std::move(body_);
  }
  // doomed dies here unreleased: the engine closes the connection and records "leaked".
}

}  // namespace sluice::ui
