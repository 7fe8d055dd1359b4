#pragma once
/**
 * The GUI suites' shared fixture: a temporary folder (removed even when a test fails),
 * main windows whose embedded server listens on 127.0.0.1:0 with their history in that
 * folder, and lookup of named child widgets. Header-only: only tests/ui link Qt Widgets.
 */
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QString>
#include <QTest>
#include <QTimer>
#include <QWidget>

#include <algorithm>
#include <memory>
#include <string>

#include "support/test_env.h"
#include "ui/bridge/server_host.h"
#include "ui/panels/main_window.h"

namespace sluice::test {

/** The child widget with this object name; a missing one ends the test run, naming it. */
template <typename T>
T* child(QWidget* w, const char* name) {
  T* c = w->findChild<T*>(QLatin1String(name));
  if (!c) qFatal("no widget named %s", name);
  return c;
}

/** True when the response summary shows a transfer that ended (done, failed or cancelled). */
inline bool responseFinished(const QLabel* summary) {
  QString t = summary->text();
  return !t.contains(QLatin1String("streaming")) && !t.contains(QLatin1String("waiting")) &&
         !t.startsWith(QLatin1String("No response"));
}

/**
 * Types url into the window's composer, clicks Send and waits (bounded) for the end.
 * Returns the summary line followed by the error line ("(no end)" when it did not end).
 */
inline QString sendAndWait(QWidget* window, const QString& url, int timeoutMs = 15000) {
  child<QLineEdit>(window, "urlEdit")->setText(url);
  QTest::mouseClick(child<QPushButton>(window, "sendButton"), Qt::LeftButton);
  auto* summary = child<QLabel>(window, "responseSummary");
  if (!QTest::qWaitFor([&] { return responseFinished(summary); }, timeoutMs)) return QStringLiteral("(no end)");
  auto* error = child<QLabel>(window, "responseError");
  return summary->text() + (error->isVisibleTo(window) ? QStringLiteral(" ") + error->text() : QString());
}
/**
 * How long the GUI thread stalled: the longest gap between the ticks of a 10 ms timer
 * on it, from start() to stop() (what tests/bench/gui_*bench.sh report).
 */
class GuiStallMeter {
 public:
  GuiStallMeter() {
    ticker_.setInterval(10);
    QObject::connect(&ticker_, &QTimer::timeout, [this] {
      qint64 now = clock_.elapsed();
      maxGap_ = std::max(maxGap_, now - last_);
      last_ = now;
    });
  }
  void start() {
    last_ = maxGap_ = 0;
    clock_.start();
    ticker_.start();
  }
  void stop() { ticker_.stop(); }
  qint64 maxGapMs() const { return maxGap_; }
  qint64 elapsedMs() const { return clock_.elapsed(); }

 private:
  QTimer ticker_;
  QElapsedTimer clock_;
  qint64 last_ = 0, maxGap_ = 0;
};

class UiWindowFixture {
 public:
  explicit UiWindowFixture(const std::string& tag) : dir_(tag) {}
  bool ok() const { return dir_.ok(); }
  const std::string& dir() const { return dir_.path(); }
  QString path(const QString& name) const { return QString::fromStdString(dir_.path()) + QLatin1Char('/') + name; }

  /** Options for a fresh window: server on port 0, history file `history` in the folder, no restored state. */
  ui::MainWindowOptions options(const QString& history = QStringLiteral("history.json")) const {
    ui::MainWindowOptions o;
    o.listen = QStringLiteral("127.0.0.1:0");
    o.historyFile = path(history);
    o.restoreState = false;
    return o;
  }
  /**
   * A TLS server on 127.0.0.1:0 with the stored self-signed certificate, kept under this
   * folder (Qt's test-mode paths, XDG_DATA_HOME here). Null, with *err saying why, when
   * it does not start.
   */
  std::unique_ptr<ui::ServerHost> startTlsServer(QString* err) const {
    QStandardPaths::setTestModeEnabled(true);
    qputenv("XDG_DATA_HOME", path(QStringLiteral("data")).toUtf8());
    ui::ServerSettings s;
    s.tls = true;
    auto host = std::make_unique<ui::ServerHost>(s);
    *err = host->start();
    if (!err->isEmpty()) return nullptr;
    return host;
  }
  /** A shown window with options(). */
  std::unique_ptr<ui::MainWindow> open(const QString& history = QStringLiteral("history.json")) const {
    auto w = std::make_unique<ui::MainWindow>(options(history));
    w->show();
    return w;
  }

 private:
  TempDir dir_;
};

}  // namespace sluice::test
