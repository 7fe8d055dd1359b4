#include "screenshot_tour.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "ui/requests/request_spec.h"
#include "ui/bridge/scenario_runner.h"
#include "ui/bridge/server_host.h"
#include "ui/bridge/transfer.h"
#include "ui/panels/main_window.h"
#include "ui/panels/pool_panel.h"
#include "ui/panels/request_panel.h"
#include "ui/panels/servers_panel.h"
#include "ui/widgets/connection_lanes.h"

using sluice::ui::MainWindow;

ScreenshotTour::ScreenshotTour(MainWindow* window, QString dir, QObject* parent)
    : QObject(parent), window_(window), dir_(std::move(dir)) {}

void ScreenshotTour::start() {
  QDir().mkpath(dir_);
  QTimer::singleShot(300, this, [this] { step(0); });
}

void ScreenshotTour::fail(const QString& why) {
  std::fprintf(stderr, "screenshots: %s\n", qPrintable(why));
  QApplication::exit(1);
}

void ScreenshotTour::waitFor(std::function<bool()> ready, int nextStep, int timeoutMs) {
  auto* timer = new QTimer(this);
  qint64 deadline = QDateTime::currentMSecsSinceEpoch() + timeoutMs;
  connect(timer, &QTimer::timeout, this, [=, this] {
    if (ready()) {
      timer->deleteLater();
      QTimer::singleShot(400, this, [this, nextStep] { step(nextStep); });
    } else if (QDateTime::currentMSecsSinceEpoch() > deadline) {
      timer->deleteLater();
      fail(QStringLiteral("step %1 timed out").arg(nextStep - 1));
    }
  });
  timer->start(50);
}

void ScreenshotTour::grab(QWidget* w, const QString& name) {
  QString path = dir_ + QLatin1Char('/') + name;
  if (!w->grab().save(path)) return fail(QStringLiteral("cannot write %1").arg(path));
  std::printf("screenshots: saved %s\n", qPrintable(path));
  std::fflush(stdout);
}

void ScreenshotTour::sendJsonUpload() {
  auto* req = window_->requestPanel();
  const QString base = window_->embeddedUrl();
  // A JSON answer for the composer shot.
  sluice::ui::RequestSpec s;
  s.method = QStringLiteral("PUT");
  s.url = base + QStringLiteral("/upload/hello.txt?overwrite=1");
  s.headers = {{true, QStringLiteral("Accept"), QStringLiteral("application/json")},
               {false, QStringLiteral("X-Trace"), QStringLiteral("abc")}};
  s.bodyKind = sluice::ui::RequestSpec::BodyKind::kText;
  s.contentType = QStringLiteral("text/plain");
  s.bodyText = QStringLiteral("hello from the Sluice composer\n");
  req->setSpec(s);
  req->send();
  return waitFor([req] { return req->current() && req->current()->final(); }, 4);
}

void ScreenshotTour::uploadToBufferedServer() {
  auto* req = window_->requestPanel();
  auto* servers = window_->serversPanel();
  // 96 MiB to a buffered server (RSS climbs by its size), then to the stream server (flat).
  bigFile_ = dir_ + QStringLiteral("/.upload-96M.bin");
  QFile f(bigFile_);
  if (!f.open(QIODevice::WriteOnly) || !f.resize(96ll << 20)) return fail(QStringLiteral("cannot create %1").arg(bigFile_));
  f.close();
  window_->findChild<QLineEdit*>(QStringLiteral("newServerListen"))->setText(QStringLiteral("127.0.0.1:0"));
  window_->findChild<QComboBox*>(QStringLiteral("newServerMode"))->setCurrentIndex(1);
  auto* host = servers->addServerFromForm();
  if (!host) return fail(QStringLiteral("cannot add a buffered server"));
  window_->serversDock()->raise();
  sluice::ui::RequestSpec s;
  s.method = QStringLiteral("PUT");
  s.url = host->url() + QStringLiteral("/upload/big-buffered.bin?overwrite=1");
  s.bodyKind = sluice::ui::RequestSpec::BodyKind::kFile;
  s.bodyFile = bigFile_;
  req->setSpec(s);
  req->send();
  return waitFor([req] { return req->current() && req->current()->final(); }, 6, 60000);
}

void ScreenshotTour::httpsToTlsServer() {
  // A TLS server with the stored self-signed certificate, trusted as the request's CA file.
  window_->findChild<QLineEdit*>(QStringLiteral("newServerListen"))->setText(QStringLiteral("127.0.0.1:0"));
  window_->findChild<QComboBox*>(QStringLiteral("newServerMode"))->setCurrentIndex(0);
  window_->findChild<QCheckBox*>(QStringLiteral("newServerTls"))->setChecked(true);
  auto* host = window_->serversPanel()->addServerFromForm();
  if (!host) return fail(QStringLiteral("cannot add a TLS server"));
  auto* req = window_->requestPanel();
  sluice::ui::RequestSpec s;
  s.url = host->url() + QStringLiteral("/bytes/65536");
  s.tls.caFile = host->certificatePath();
  req->setSpec(s);
  req->send();
  return waitFor([req] { return req->current() && req->current()->final(); }, 11);
}

void ScreenshotTour::scenario(int n, int c, const QString& policy) {
  window_->findChild<QSpinBox*>(QStringLiteral("scenarioRequests"))->setValue(n);
  window_->findChild<QSpinBox*>(QStringLiteral("scenarioConcurrency"))->setValue(c);
  auto* combo = window_->findChild<QComboBox*>(QStringLiteral("scenarioPolicy"));
  combo->setCurrentIndex(combo->findText(policy));
  window_->poolPanel()->runScenario();
}

void ScreenshotTour::step(int index) {
  auto* req = window_->requestPanel();
  auto* pool = window_->poolPanel();
  const QString base = window_->embeddedUrl();
  switch (index) {
    case 0: {
      req->setUrl(base + QStringLiteral("/bytes/8388608"));
      req->send();
      return waitFor([req] { return req->current() && req->current()->final(); }, 1);
    }
    case 1:
      pool->setScenarioUrl(base + QStringLiteral("/delay/15"));  // slow enough to see each request
      scenario(24, 4, QStringLiteral("release"));
      return waitFor([pool] { return !pool->runner()->running(); }, 2);
    case 2:
      pool->setScenarioUrl(base + QStringLiteral("/bytes/65536"));
      scenario(6, 3, QStringLiteral("leak"));
      return waitFor([pool] { return !pool->runner()->running(); }, 3);
    case 3:
      return sendJsonUpload();  // a JSON answer for the composer shot
    case 4:
      pool->lanes()->setFollowLive(true);
      grab(window_, QStringLiteral("window.png"));
      grab(window_->centralWidget(), QStringLiteral("request.png"));
      window_->resizeDocks({window_->poolDock()}, {440}, Qt::Vertical);
      QTimer::singleShot(300, this, [this] { step(10); });
      return;
    case 10:
      grab(window_->poolDock(), QStringLiteral("pool.png"));
      window_->resizeDocks({window_->poolDock()}, {300}, Qt::Vertical);
      return step(5);
    case 5:
      return uploadToBufferedServer();
    case 6: {
      sluice::ui::RequestSpec s = req->spec();
      s.url = base + QStringLiteral("/upload/big-stream.bin?overwrite=1");
      req->setSpec(s);
      req->send();
      return waitFor([req] { return req->current() && req->current()->final(); }, 7, 60000);
    }
    case 7:
      QTimer::singleShot(1500, this, [this] { step(8); });  // let the RSS graph draw a while
      return;
    case 8:
      window_->resizeDocks({window_->serversDock()}, {430}, Qt::Vertical);
      QTimer::singleShot(300, this, [this] { step(9); });
      return;
    case 9:
      grab(window_->serversDock(), QStringLiteral("servers.png"));
      QFile::remove(bigFile_);
      return httpsToTlsServer();
    case 11: {  // the Connection tab of the https response
      auto* details = window_->findChild<QWidget*>(QStringLiteral("connectionDetails"));
      auto* tabs = details ? qobject_cast<QTabWidget*>(details->parentWidget()->parentWidget()) : nullptr;
      if (!tabs) return fail(QStringLiteral("no Connection tab"));
      tabs->setCurrentWidget(details);
      QTimer::singleShot(300, this, [this] {
        grab(window_->centralWidget(), QStringLiteral("connection.png"));
        QApplication::exit(0);
      });
      return;
    }
    default: return;
  }
}
