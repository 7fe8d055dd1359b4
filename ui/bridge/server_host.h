#pragma once
/** One local stream server owned by the GUI: settings, lifecycle and events. */
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "engine/observe/event_buffer.h"
#include "engine/observe/server_stats.h"

namespace sluice::server {
class Server;
}
namespace sluice::tls {
class TlsContext;
}

namespace sluice::ui {

class EventPump;
class GuiWaker;

/** What the user sets for a server before starting it. */
struct ServerSettings {
  QString listen = QStringLiteral("127.0.0.1:0");
  bool buffered = false;       ///< BodyMode::kBuffered
  QString uploadDir;           ///< empty: a folder under the app data location
  quint64 maxBodyBytes = 0;    ///< 0: no limit
  QString token;
  QString proxyUpstream;       ///< "http://host:port": a reverse proxy through the client engine
  size_t eventCapacity = 65536; ///< server events buffered between two GUI drains
  bool tls = false;            ///< serve HTTPS
  QString certFile;            ///< with tls: PEM chain; empty: the stored self-signed certificate
  QString keyFile;             ///< with certFile: its PEM key (empty: the key is in certFile)
};

/**
 * Wraps sluice::server::Server. start() binds on the calling (GUI) thread, which is
 * quick; stop() runs the graceful stop on a helper thread and emits stopped().
 * Events arrive in batches through events().
 */
class ServerHost : public QObject {
  Q_OBJECT
 public:
  explicit ServerHost(ServerSettings settings, QObject* parent = nullptr);
  ~ServerHost() override;

  /** Starts the server. Returns an empty string, or the error in words. */
  QString start();
  /** Tries 8080..8099, then port 0, on host. Returns the error of the last try, or empty. */
  QString startOnFirstFreePort(const QString& host);
  /** Graceful stop in the background; stopped() follows. */
  void stop();
  /** Blocking stop with a short grace (application exit). */
  void stopNow();

  bool running() const;
  quint16 port() const;
  QString url() const;       ///< "http://127.0.0.1:8080" ("https://..." for a TLS server)
  bool tls() const { return settings_.tls; }
  /** A running TLS server's certificate: SHA-256 fingerprint "AB:CD:..." and PEM path; empty otherwise. */
  QString fingerprint() const { return fingerprint_; }
  QString certificatePath() const { return certPath_; }
  /** Writes the certificates (PEM, no key) of a running TLS server to path; the error in words, or empty. */
  QString exportCertificate(const QString& path) const;
  QString address() const;   ///< "127.0.0.1:8080"
  const ServerSettings& settings() const { return settings_; }
  QString uploadDir() const;
  QString modeName() const { return settings_.buffered ? QStringLiteral("buffered") : QStringLiteral("stream"); }
  observe::ServerStats::Snapshot stats() const;
  /** Server events lost because the buffer was full, since this host was made. */
  quint64 droppedEvents() const { return dropped_; }
  int id() const { return id_; }

 signals:
  void events(const std::vector<sluice::observe::Event>& events);
  /** Events were lost after the last events() batch. */
  void eventsDropped(quint64 newly);
  void stateChanged();
  void stopped();

 private slots:
  void onStopFinished();

 private:
  /** Builds the TLS context into config (stored certificate or the settings' files); the error in words, or empty. */
  QString setupTls(std::shared_ptr<tls::TlsContext>& context);

  ServerSettings settings_;
  std::unique_ptr<server::Server> server_;
  EventPump* pump_ = nullptr;
  std::shared_ptr<GuiWaker> stopWaker_;
  bool stopping_ = false;
  quint64 dropped_ = 0;
  QString fingerprint_;
  QString certPath_;
  int id_;
};

}  // namespace sluice::ui
