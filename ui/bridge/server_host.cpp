#include "ui/bridge/server_host.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <filesystem>
#include <thread>

#include "engine/net/socket.h"
#include "engine/site/site_options.h"
#include "engine/wiring/default_router.h"
#include "engine/server/server.h"
#include "engine/tls/cert_maker.h"
#include "engine/tls/tls_context.h"
#include "ui/bridge/event_pump.h"
#include "ui/bridge/gui_waker.h"

namespace sluice::ui {

namespace {
int nextServerId() {
  static int next = 1;
  return next++;
}
}  // namespace

ServerHost::ServerHost(ServerSettings settings, QObject* parent)
    : QObject(parent),
      settings_(std::move(settings)),
      stopWaker_(std::make_shared<GuiWaker>(this, "onStopFinished")),
      id_(nextServerId()) {}

ServerHost::~ServerHost() {
  stopWaker_->detach();
  stopNow();
}

QString ServerHost::uploadDir() const {
  if (!settings_.uploadDir.isEmpty()) return settings_.uploadDir;
  QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  if (base.isEmpty()) base = QDir::tempPath() + QStringLiteral("/sluice");
  return base + QStringLiteral("/uploads");
}

QString ServerHost::start() {
  if (running()) return {};
  if (stopping_) return tr("the server is still stopping; try again in a moment");
  auto addr = server::parseListenAddress(settings_.listen.toStdString());
  if (!addr) return tr("bad listen address '%1': %2").arg(settings_.listen, QString::fromStdString(addr.error().message));
  std::error_code ec;
  std::filesystem::create_directories(uploadDir().toStdString(), ec);
  if (ec) return tr("cannot create the upload folder %1: %2").arg(uploadDir(), QString::fromStdString(ec.message()));

  server::ServerConfig config;
  config.listen = settings_.listen.toStdString();
  config.mode = settings_.buffered ? server::BodyMode::kBuffered : server::BodyMode::kStream;
  config.maxBodyBytes = settings_.maxBodyBytes;
  config.eventCapacity = settings_.eventCapacity;
  if (settings_.tls)
    if (QString err = setupTls(config.tls); !err.isEmpty()) return err;
  site::RouteOptions routes;
  routes.uploadDir = uploadDir().toStdString();
  routes.maxBodyBytes = settings_.maxBodyBytes;
  routes.token = settings_.token.toStdString();
  routes.proxyUpstream = settings_.proxyUpstream.toStdString();
  routes.boundHost = addr->host();
  auto srv = std::make_unique<server::Server>(config, wiring::makeDefaultRouter(routes));
  if (auto st = srv->start(); !st) return QString::fromStdString(st.error().message);
  server_ = std::move(srv);
  pump_ = new EventPump(server_->events(), this);
  connect(pump_, &EventPump::batch, this, &ServerHost::events);
  connect(pump_, &EventPump::eventsDropped, this, [this](quint64 newly, quint64) {
    dropped_ += newly;
    emit eventsDropped(newly);
  });
  emit stateChanged();
  return {};
}

QString ServerHost::setupTls(std::shared_ptr<tls::TlsContext>& context) {
  tls::ServerSettings s;
  std::string fingerprint;
  if (!settings_.certFile.trimmed().isEmpty()) {
    s.certFile = settings_.certFile.trimmed().toStdString();
    s.keyFile = settings_.keyFile.trimmed().isEmpty() ? s.certFile : settings_.keyFile.trimmed().toStdString();
    auto fp = tls::fingerprintOfPemFile(s.certFile);
    if (!fp) return tr("certificate %1: %2").arg(settings_.certFile, QString::fromStdString(fp.error().message));
    fingerprint = *fp;
  } else {
    if (!settings_.keyFile.trimmed().isEmpty()) return tr("a key file needs its certificate file: choose both, or neither for the stored self-signed certificate");
    auto stored = tls::loadOrCreateLocalCert(tls::appDataDir());
    if (!stored) return tr("the self-signed certificate: %1").arg(QString::fromStdString(stored.error().message));
    s.certFile = stored->certPath;
    s.keyFile = stored->keyPath;
    fingerprint = stored->sha256;
  }
  auto ctx = tls::TlsContext::server(s);
  if (!ctx) return QString::fromStdString(ctx.error().message);
  context = *ctx;
  fingerprint_ = QString::fromStdString(fingerprint);
  certPath_ = QString::fromStdString(s.certFile);
  return {};
}

QString ServerHost::exportCertificate(const QString& path) const {
  if (certPath_.isEmpty()) return tr("%1 is not a TLS server: it has no certificate").arg(address());
  QFile in(certPath_);
  if (!in.open(QIODevice::ReadOnly)) return tr("cannot read %1: %2").arg(certPath_, in.errorString());
  // Only the CERTIFICATE blocks: a cert file given by the user may hold its key too.
  static const QRegularExpression kBlock(QStringLiteral("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\\n?"));
  QByteArray pem;
  for (auto it = kBlock.globalMatch(QString::fromLatin1(in.readAll())); it.hasNext();) pem += it.next().captured(0).toLatin1();
  if (pem.isEmpty()) return tr("%1 holds no PEM certificate").arg(certPath_);
  if (!pem.endsWith('\n')) pem += '\n';
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(pem) != pem.size() || !out.commit())
    return tr("cannot write %1: %2").arg(path, out.errorString());
  return {};
}

QString ServerHost::startOnFirstFreePort(const QString& host) {
  QString error;
  for (int port = 8080; port <= 8100; ++port) {
    // 8100 stands for "port 0": let the kernel pick once the usual range is taken.
    settings_.listen = QStringLiteral("%1:%2").arg(host).arg(port == 8100 ? 0 : port);
    error = start();
    if (error.isEmpty()) return {};
  }
  return error;
}

void ServerHost::stop() {
  if (!server_ || stopping_) return;
  stopping_ = true;
  pump_->drain();
  pump_->detach();
  pump_->deleteLater();
  pump_ = nullptr;
  // Server::stop blocks up to its grace: never on the GUI thread.
  std::shared_ptr<server::Server> srv(server_.release());
  std::thread([srv, waker = stopWaker_] {
    srv->stop(std::chrono::milliseconds(1000));
    waker->wake();  // does nothing if the host died meanwhile
  }).detach();
  emit stateChanged();
}

void ServerHost::onStopFinished() {
  stopping_ = false;
  emit stateChanged();
  emit stopped();
}

void ServerHost::stopNow() {
  if (!server_) return;
  if (pump_) {
    pump_->detach();
    delete pump_;
    pump_ = nullptr;
  }
  server_->stop(std::chrono::milliseconds(200));
  server_.reset();
}

bool ServerHost::running() const { return server_ && server_->running(); }
quint16 ServerHost::port() const { return server_ ? server_->port() : 0; }
QString ServerHost::url() const { return server_ ? QString::fromStdString(server_->url()) : QString(); }

QString ServerHost::address() const {
  if (!server_) return settings_.listen;
  return QString::fromStdString(server_->address().toString());
}

observe::ServerStats::Snapshot ServerHost::stats() const {
  if (!server_) return {};
  return server_->stats().snapshot();
}

}  // namespace sluice::ui
