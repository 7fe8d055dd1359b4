#pragma once
/** A short scripted session that saves PNGs of each area (make screenshots). */
#include <QObject>
#include <QString>
#include <functional>

namespace sluice::ui {
class MainWindow;
}

/**
 * Drives the window like a user: a download, scenarios with release and leak, an
 * upload to a buffered and to a stream server, an https request to a TLS server. Saves
 * window.png, request.png, pool.png, servers.png and connection.png into dir, then quits.
 */
class ScreenshotTour : public QObject {
  Q_OBJECT
 public:
  ScreenshotTour(sluice::ui::MainWindow* window, QString dir, QObject* parent = nullptr);
  void start();

 private:
  void step(int index);
  void waitFor(std::function<bool()> ready, int nextStep, int timeoutMs = 20000);
  void grab(QWidget* w, const QString& name);
  /** Step 3: a PUT with a JSON answer, for the composer shot. */
  void sendJsonUpload();
  /** Runs the pool panel's scenario: n requests, c at a time, under a release policy. */
  void scenario(int n, int c, const QString& policy);
  /** Step 5: 96 MiB to a new buffered server (its RSS climbs by the size), for the servers shot. */
  void uploadToBufferedServer();
  /** After the servers shot: a TLS server and an https request trusting its certificate, for connection.png. */
  void httpsToTlsServer();
  void fail(const QString& why);

  sluice::ui::MainWindow* window_;
  QString dir_;
  QString bigFile_;
};
