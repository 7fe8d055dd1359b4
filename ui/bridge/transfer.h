#pragma once
/**
 * One request in flight, shared between the client loop thread (which fills it)
 * and the GUI (which reads snapshots of it at ~30 Hz). Body bytes are counted;
 * only the first previewCap bytes are copied; the rest are discarded or written
 * to the save file on the loop thread, so memory stays flat whatever the size.
 */
#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/client/client.h"
#include "engine/client/redirect.h"
#include "engine/http/content_coding.h"
#include "ui/bridge/body_spill.h"
#include "ui/bridge/stream_feed.h"
#include "ui/requests/request_spec.h"

namespace sluice::ui {

/** What the GUI shows of a transfer at one moment. */
struct TransferView {
  enum class Phase { kWaiting, kStreaming, kDone, kFailed, kCancelled };
  Phase phase = Phase::kWaiting;
  quint64 requestId = 0;
  quint64 connectionId = 0;
  int status = 0;
  QString reason;
  QList<QPair<QString, QString>> headers;
  QString verdict;           ///< the engine's reuse verdict in words
  bool reused = false;
  client::Timings timings;
  quint64 bytes = 0;         ///< body bytes received so far
  std::optional<quint64> total;
  QByteArray preview;        ///< at most the preview cap
  bool previewCapped = false;
  QString contentType;
  QString error;             ///< the engine's error text, when failed
  QString note;              ///< release policy outcome, save file outcome
  qint64 elapsedMs = 0;      ///< since send, or until the end
  QString contentEncoding;   ///< the Content-Encoding value, when the body had one
  bool decoding = false;     ///< the body is decoded (Decode was on); preview holds decoded bytes
  quint64 decodedBytes = 0;  ///< when decoding
  QString decodeError;       ///< why decoding stopped (unknown coding, corrupt, a bomb)
  /** The redirects followed before this response, oldest first. */
  struct Hop {
    int status = 0;
    QString method;
    QString url;
    QString location;
    quint64 requestId = 0;
    quint64 connectionId = 0;
    QString verdict;
  };
  QList<Hop> hops;
  QString finalUrl;          ///< the URL that answered last, when redirects were followed
  bool holdingStream = false;
  /** The TLS session and peer chain of the connection that answered; null for plain HTTP or before the head. */
  std::shared_ptr<const tls::ConnectionInfo> tls;
  quint64 uploadSent = 0;    ///< request body bytes written so far (the engine's UploadProgress)
  quint64 uploadTotal = 0;   ///< the request body's size; 0 when unknown (chunked) or no body
  bool uploading = false;    ///< the request has a body still going out

  bool final() const { return phase == Phase::kDone || phase == Phase::kFailed || phase == Phase::kCancelled; }
};

class Transfer : public std::enable_shared_from_this<Transfer> {
 public:
  Transfer(quint64 localId, RequestSpec spec, size_t previewCap, QString saveTo);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  quint64 localId() const { return localId_; }
  /**
   * Keep the body on disk while it streams (BodySpill): the wire bytes, and the decoded
   * bytes when decoding. Set before the request is sent (the bridge does it).
   */
  void keepBody(BodySpill::Options options) { spillOptions_ = std::move(options); }
  /**
   * The kept body: decoded bytes (when decoding) or the wire bytes. Null when the body
   * was never kept (not asked for, released at the head, or no response yet).
   */
  /** The engine's counter for the request body (set by the bridge when the request has one). */
  void setUploadProgress(std::shared_ptr<client::UploadProgress> p) { upload_ = std::move(p); }
  /** Rows kept pending for the stream view, per kind (the newest N); set before sending. */
  void setStreamRows(size_t maxPending) { streamRows_ = maxPending; }
  /** The stream view's rows (events, lines, chunks); null before the head. */
  std::shared_ptr<StreamFeed> streamFeed() const {
    std::lock_guard lock(mutex_);
    return feed_;
  }
  std::shared_ptr<const BodySpill> keptBody(bool decoded) const {
    std::lock_guard lock(mutex_);
    return decoded ? decodedSpill_ : wireSpill_;
  }
  const RequestSpec& spec() const { return spec_; }
  /** Called (from the loop thread) when the head, the end or an error arrived. */
  void setNotify(std::function<void(quint64)> fn) { notify_ = std::move(fn); }

  /** Loop thread: the client's head callback. */
  void onHead(Result<client::Exchange> result);
  /** A failure before the request could be sent (bad URL, unreadable file). */
  void failEarly(const QString& error);

  TransferView view() const;
  bool final() const;
  /** Aborts: the stream is released with close, or the head will be refused when it arrives. */
  void cancel();
  /** How to cancel the engine request while no head has arrived (set by the bridge). */
  void setCancelHook(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    cancelHook_ = std::move(hook);
  }
  /**
   * How to send the next hop of a redirect chain (set by the bridge with the first
   * request).
   */
  using Resend = std::function<std::function<void()>(client::Request)>;  ///< returns the new hop's cancel hook
  void setRedirects(client::Request first, Resend resend) {
    std::lock_guard lock(mutex_);
    sent_ = std::move(first);
    resend_ = std::move(resend);
  }
  /** GUI: release a stream held by the late or leak policy. */
  void releaseHeld();
  /** GUI: drop a held stream without release (the engine records "leaked"). */
  void dropHeld();
  qint64 heldSinceMs() const;

 private:
  client::BodyStream::Action onData(std::string_view data);
  void onEnd(const Status& status);
  void applyEndPolicy(bool ok);
  void finishLocked(TransferView::Phase phase);
  void openSaveFile();
  void startSpills();
  /** Loop thread: the stream view's parsers get the bytes as shown, the chunk headers as framed. */
  void feedRows(std::string_view shown, bool readable);
  quint64 sinceStartUs() const;
  void startDecoding(const client::Response& r);
  /** With mutex_ held: true when r was a redirect and the next hop went out (or the chain failed). */
  bool followRedirect(client::Exchange& ex);
  /** The bytes the preview shows: decoded when decoding, else the wire bytes. */
  std::string_view previewBytes(std::string_view wire);
  void ping() {
    if (notify_) notify_(localId_);
  }

  const quint64 localId_;
  const RequestSpec spec_;
  const size_t previewCap_;
  const QString saveTo_;
  const qint64 startNs_;
  std::function<void(quint64)> notify_;

  mutable std::mutex mutex_;
  TransferView view_;
  client::BodyStream body_;
  bool cancelled_ = false;
  std::function<void()> cancelHook_;
  qint64 endNs_ = 0;
  std::atomic<quint64> bytes_{0};
  std::FILE* file_ = nullptr;  ///< loop thread only once open
  std::unique_ptr<http::ContentDecoder> decoder_;  ///< loop thread only
  std::optional<client::Request> sent_;  ///< the request of the current hop, when following
  Resend resend_;
  std::string decoded_;
  QString fileError_;
  std::optional<BodySpill::Options> spillOptions_;
  std::shared_ptr<BodySpill> wireSpill_;     ///< appended on the loop thread, outside mutex_
  std::shared_ptr<BodySpill> decodedSpill_;
  size_t streamRows_ = 10000;
  std::shared_ptr<client::UploadProgress> upload_;  ///< set before sending, read by view()
  std::shared_ptr<StreamFeed> feed_;  ///< fed on the loop thread
};

}  // namespace sluice::ui
