#include "ui/bridge/client_bridge.h"

#include "engine/client/multipart_body.h"

#include <QFileInfo>
#include <QPointer>
#include <QTimer>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "engine/client/client.h"
#include "ui/bridge/event_pump.h"
#include "ui/bridge/gui_waker.h"
#include "ui/bridge/event_settings.h"
#include "ui/bridge/transfer.h"

namespace sluice::ui {

/** Transfer ids that changed; the GUI is woken once when it turns non-empty. */
struct ClientBridge::ChangeQueue {
  explicit ChangeQueue(QObject* target) : waker(target, "drainChanges") {}
  void push(quint64 id) {
    bool wake = false;
    {
      std::lock_guard lock(mutex);
      wake = ids.empty();
      ids.push_back(id);
    }
    if (wake) waker.wake();
  }
  std::vector<quint64> take() {
    std::lock_guard lock(mutex);
    return std::exchange(ids, {});
  }
  std::mutex mutex;
  std::vector<quint64> ids;
  GuiWaker waker;
};

/** Where the loop thread leaves a snapshot for the GUI. */
struct ClientBridge::SnapshotSlot {
  explicit SnapshotSlot(QObject* target) : waker(target, "takeSnapshot") {}
  std::mutex mutex;
  std::optional<client::PoolSnapshot> value;
  bool pending = false;
  GuiWaker waker;
};

namespace {

client::PullSource pullFromString(std::string text) {
  auto data = std::make_shared<std::string>(std::move(text));
  auto off = std::make_shared<size_t>(0);
  return [data, off](std::span<char> buf) -> Result<size_t> {
    size_t n = std::min(buf.size(), data->size() - *off);
    std::memcpy(buf.data(), data->data() + *off, n);
    *off += n;
    return n;
  };
}

client::PullSource pullFromFile(std::shared_ptr<std::FILE> f, std::string path) {
  return [f, path](std::span<char> buf) -> Result<size_t> {
    size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n == 0 && std::ferror(f.get())) return fail(ErrorCode::kSystem, "reading " + path + " failed: " + std::strerror(errno));
    return n;
  };
}

// A version bound as the engine takes it ("" keeps the engine's default).
std::expected<tls::Version, QString> tlsVersion(const QString& text, tls::Version fallback, const char* what) {
  if (text.trimmed().isEmpty()) return fallback;
  auto v = tls::parseVersion(text.trimmed().toStdString());
  if (!v) return std::unexpected(QStringLiteral("TLS %1 version: %2").arg(QLatin1String(what), QString::fromStdString(v.error().message)));
  return *v;
}

// A file the TLS options name must be there before we connect: a worded error names the option.
QString checkTlsFile(const QString& path, const char* option, bool dir) {
  if (path.isEmpty()) return {};
  QFileInfo fi(path);
  if (!fi.exists()) return QStringLiteral("%1 '%2' does not exist: choose another file in the TLS options").arg(QLatin1String(option), path);
  if (dir ? !fi.isDir() : !fi.isFile()) return QStringLiteral("%1 '%2' is not a %3").arg(QLatin1String(option), path, dir ? QStringLiteral("folder") : QStringLiteral("file"));
  if (!fi.isReadable()) return QStringLiteral("%1 '%2' is not readable (permissions)").arg(QLatin1String(option), path);
  return {};
}

// The composer's TLS options as the engine's settings (part of the pool key), or why not.
std::expected<tls::ClientSettings, QString> toTlsSettings(const TlsOptions& o) {
  tls::ClientSettings t;
  t.verify = o.verify;
  t.caFile = o.caFile.trimmed().toStdString();
  t.caPath = o.caPath.trimmed().toStdString();
  t.certFile = o.clientCert.trimmed().toStdString();
  t.keyFile = o.clientKey.trimmed().toStdString();
  t.ciphers = o.ciphers.trimmed().toStdString();
  t.tls13Ciphers = o.tls13Ciphers.trimmed().toStdString();
  for (QString err : {checkTlsFile(o.caFile.trimmed(), "CA file (--cacert)", false),
                      checkTlsFile(o.caPath.trimmed(), "CA folder (--capath)", true),
                      checkTlsFile(o.clientCert.trimmed(), "client certificate (--cert)", false),
                      checkTlsFile(o.clientKey.trimmed(), "client key (--key)", false)})
    if (!err.isEmpty()) return std::unexpected(err);
  if (!o.clientKey.trimmed().isEmpty() && o.clientCert.trimmed().isEmpty())
    return std::unexpected(QStringLiteral("a client key (--key) needs a client certificate (--cert)"));
  auto min = tlsVersion(o.minVersion, t.minVersion, "minimum");
  if (!min) return std::unexpected(min.error());
  auto max = tlsVersion(o.maxVersion, t.maxVersion, "maximum");
  if (!max) return std::unexpected(max.error());
  t.minVersion = *min;
  t.maxVersion = *max;
  if (t.minVersion == tls::Version::k1_3 && t.maxVersion == tls::Version::k1_2)
    return std::unexpected(QStringLiteral("TLS minimum 1.3 is above the maximum 1.2: no version is left to offer"));
  return t;
}

// The composer's request as the engine's Request, or the reason it cannot be sent.
std::expected<client::Request, QString> toEngineRequest(const RequestSpec& spec) {
  auto url = client::Url::parse(encodeTypedUrl(spec.url).toStdString());
  if (!url) return std::unexpected(QStringLiteral("bad URL '%1': %2").arg(spec.url, QString::fromStdString(url.error().message)));
  client::Request r;
  r.method = spec.method.trimmed().toUpper().toStdString();
  if (r.method.empty()) return std::unexpected(QStringLiteral("the method is empty: choose GET, PUT, POST, ..."));
  r.url = *url;
  for (const auto& h : spec.headers)
    if (h.enabled && !h.name.trimmed().isEmpty()) r.headers.add(h.name.trimmed().toStdString(), h.value.toStdString());
  r.forceNewConnection = spec.forceNewConnection;
  r.noReturnToPool = spec.noReturnToPool;
  if (spec.decode && !r.headers.has("Accept-Encoding")) r.headers.add("Accept-Encoding", "gzip, deflate, br");
  r.totalTimeout = std::chrono::milliseconds(spec.totalTimeoutMs);
  r.headTimeout = std::chrono::milliseconds(spec.headTimeoutMs);
  r.connectTimeout = std::chrono::milliseconds(spec.connectTimeoutMs);
  r.bodyIdleTimeout = std::chrono::milliseconds(spec.bodyIdleTimeoutMs);
  if (url->scheme == "https") {
    auto settings = toTlsSettings(spec.tls);
    if (!settings) return std::unexpected(settings.error());
    r.tls = std::move(*settings);
  }
  if (spec.bodyKind == RequestSpec::BodyKind::kText) {
    if (!spec.contentType.isEmpty() && !r.headers.has("Content-Type")) r.headers.add("Content-Type", spec.contentType.toStdString());
    std::string text = spec.bodyText.toStdString();
    r.body = spec.chunked ? client::RequestBody::fromPull(pullFromString(std::move(text)))
                          : client::RequestBody::fromBytes(std::move(text));
  } else if (spec.bodyKind == RequestSpec::BodyKind::kForm) {
    client::MultipartForm form;
    for (const QString& part : spec.formParts) {
      if (part.trimmed().isEmpty()) continue;
      if (auto st = form.add(part.toStdString()); !st)
        return std::unexpected(QStringLiteral("form part '%1': %2").arg(part, QString::fromStdString(st.error().message)));
    }
    if (form.empty()) return std::unexpected(QStringLiteral("the form has no parts: add lines such as name=value or file=@/path"));
    r.headers.set("Content-Type", "multipart/form-data; boundary=" + form.boundary());
    r.body = form.body();
  } else if (spec.bodyKind == RequestSpec::BodyKind::kFile) {
    QFileInfo fi(spec.bodyFile);
    if (!fi.isFile() || !fi.isReadable())
      return std::unexpected(QStringLiteral("cannot read the body file '%1': it does not exist or is not readable").arg(spec.bodyFile));
    std::string path = spec.bodyFile.toStdString();
    if (spec.chunked) {
      std::shared_ptr<std::FILE> f(std::fopen(path.c_str(), "rb"), [](std::FILE* p) { if (p) std::fclose(p); });
      if (!f) return std::unexpected(QStringLiteral("cannot open '%1': %2").arg(spec.bodyFile, QString::fromLocal8Bit(std::strerror(errno))));
      r.body = client::RequestBody::fromPull(pullFromFile(f, path));
    } else {
      r.body = client::RequestBody::fromFile(path);
    }
  }
  return r;
}

}  // namespace

ClientBridge::ClientBridge(QObject* parent)
    : QObject(parent), changes_(std::make_shared<ChangeQueue>(this)), snapSlot_(std::make_shared<SnapshotSlot>(this)) {
  createClient(client::PoolLimits{});
}

ClientBridge::~ClientBridge() {
  changes_->waker.detach();
  snapSlot_->waker.detach();
  destroyClient();
}

void ClientBridge::createClient(const client::PoolLimits& limits) {
  client::ClientConfig config;
  config.pool = limits;
  config.eventCapacity = clientEventCapacity();
  client_ = std::make_unique<client::Client>(config);
  pump_ = new EventPump(client_->events(), this);
  connect(pump_, &EventPump::batch, this, &ClientBridge::poolEvents);
  connect(pump_, &EventPump::eventsDropped, this, [this](quint64 newly, quint64) {
    dropped_ += newly;
    emit poolEventsDropped(newly);
  });
}

size_t ClientBridge::eventCapacity() const { return client_ ? client_->events().capacity() : 0; }

void ClientBridge::destroyClient() {
  held_.clear();  // dropped before the client: the engine records their leaks
  for (auto& [id, t] : active_) t->cancel();
  active_.clear();
  if (pump_) {
    pump_->drain();
    pump_->detach();
    delete pump_;
    pump_ = nullptr;
  }
  client_.reset();
}

std::shared_ptr<Transfer> ClientBridge::send(const RequestSpec& spec, const SendOptions& options) {
  auto t = std::make_shared<Transfer>(nextLocalId_++, spec, options.previewCap, options.saveTo);
  if (options.keepBody) t->keepBody(*options.keepBody);
  t->setStreamRows(options.streamRows);
  auto request = toEngineRequest(spec);
  if (!request) {
    t->failEarly(request.error());
    return t;
  }
  active_[t->localId()] = t;
  if (request->body.kind != client::RequestBody::Kind::kNone) {
    request->uploadProgress = std::make_shared<client::UploadProgress>();  // sampled by the view, no event per write
    t->setUploadProgress(request->uploadProgress);
  }
  // The stream view's Chunks mode: chunk header facts only, the body is not copied. Before
  // setRedirects, so every hop keeps both.
  request->reportChunks = true;
  t->setNotify([q = changes_](quint64 id) { q->push(id); });
  if (spec.followRedirects) {
    std::weak_ptr<Transfer> w = t;
    t->setRedirects(*request, [c = client_.get(), w](client::Request next) -> std::function<void()> {
      uint64_t hop = c->send(std::move(next), [w](Result<client::Exchange> r) {
        if (auto self = w.lock()) self->onHead(std::move(r));
      });
      return [c, hop] { c->cancel(hop); };
    });
  }
  uint64_t id = client_->send(std::move(*request), [t](Result<client::Exchange> r) { t->onHead(std::move(r)); });
  // Cancel before the head: the engine closes the connection and fails the request.
  // (destroyClient() cancels every active transfer before the client goes.)
  t->setCancelHook([c = client_.get(), id] { c->cancel(id); });
  return t;
}

void ClientBridge::drainChanges() {
  for (quint64 id : changes_->take()) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;
    std::shared_ptr<Transfer> t = it->second;
    if (t->final()) {
      active_.erase(it);
      TransferView v = t->view();
      if (v.holdingStream && (t->spec().release == ReleasePolicy::kLeak || t->spec().release == ReleasePolicy::kLate)) {
        held_.append(t);
        if (t->spec().release == ReleasePolicy::kLate) {
          QTimer::singleShot(1000, this, [this, t] {
            t->releaseHeld();
            held_.removeAll(t);
            emit heldChanged();
          });
        }
        emit heldChanged();
      }
    }
    emit transferChanged(t);
  }
}

void ClientBridge::flushIdle() { client_->flushIdle(); }
void ClientBridge::closeAll() { client_->closeAll(); }

void ClientBridge::dropHeld() {
  for (auto& t : held_) t->dropHeld();
  held_.clear();
  emit heldChanged();
}

QList<std::shared_ptr<Transfer>> ClientBridge::held() const { return held_; }

void ClientBridge::requestSnapshot() {
  {
    std::lock_guard lock(snapSlot_->mutex);
    if (snapSlot_->pending) return;  // one at a time: a slow loop is not flooded
    snapSlot_->pending = true;
  }
  client_->snapshotAsync([slot = snapSlot_](client::PoolSnapshot s) {
    {
      std::lock_guard lock(slot->mutex);
      slot->value = std::move(s);
      slot->pending = false;
    }
    slot->waker.wake();
  });
}

void ClientBridge::takeSnapshot() {
  {
    std::lock_guard lock(snapSlot_->mutex);
    if (!snapSlot_->value) return;
    snapshot_ = std::move(*snapSlot_->value);
    snapSlot_->value.reset();
  }
  emit snapshotReady();
}

void ClientBridge::whenSettled(std::function<void()> fn) {
  QPointer<ClientBridge> self(this);
  client_->whenSettled([self, fn = std::move(fn)]() mutable {
    if (!self) return;
    QMetaObject::invokeMethod(self, [self, fn = std::move(fn)] {
      if (self) fn();
    }, Qt::QueuedConnection);
  });
}

client::ClientStats ClientBridge::stats() const { return client_->stats(); }
client::PoolLimits ClientBridge::limits() const { return client_->poolLimits(); }

void ClientBridge::setLimits(const client::PoolLimits& limits) { client_->setPoolLimits(limits); }

void ClientBridge::restart(const client::PoolLimits& limits) {
  destroyClient();
  {
    std::lock_guard lock(snapSlot_->mutex);
    snapSlot_->pending = false;
  }
  snapshot_ = {};
  createClient(limits);
  emit heldChanged();
  emit clientRestarted();
}

}  // namespace sluice::ui
