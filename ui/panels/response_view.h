#pragma once
/** The live response: status line, verdict, progress and rate, timing, body preview, headers. */
#include <QElapsedTimer>
#include <QWidget>
#include <deque>
#include <memory>

#include "ui/bridge/transfer.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class QTabWidget;
class QTimer;

namespace sluice::ui {

class ConnectionDetails;
class StreamView;
class TimingBar;

/**
 * Shows one Transfer. It repaints from the transfer's snapshot on a ~30 Hz timer
 * while the transfer runs (never once per chunk), and once more when it ends.
 */
class ResponseView : public QWidget {
  Q_OBJECT
 public:
  /** Text and JSON previews show at most this much; hex at most kHexShown. */
  static constexpr int kTextShown = 64 * 1024;
  static constexpr int kHexShown = 16 * 1024;

  explicit ResponseView(QWidget* parent = nullptr);
  void track(std::shared_ptr<Transfer> t);
  std::shared_ptr<Transfer> tracked() const { return transfer_; }
  /** Pulls a snapshot now (the timer calls it). */
  void refresh();
  /** The stream view (Events, Lines and Chunks modes). */
  StreamView* streamView() const { return stream_; }
  /** Renders a preview in the chosen mode: "auto", "json", "text", "hex". */
  static QString renderPreview(const QByteArray& data, const QString& contentType, const QString& mode, bool capped,
                               QString* note);

 signals:
  void saveBodyRequested();
  void finished(std::shared_ptr<sluice::ui::Transfer> t);

 private:
  QWidget* buildStatusArea();
  QWidget* buildTabs();
  QWidget* buildBodyPage(QWidget* parent);
  /** Shows the stream view or the text preview for the chosen mode (Auto: by Content-Type). */
  void applyBodyMode(const TransferView& v);
  void showView(const TransferView& v);
  void showProgress(const TransferView& v);
  void showHeaders(const TransferView& v);
  void showPreview(const TransferView& v, bool force);
  /** " · wire 8 KiB, decoded 3 MiB (gzip)" for a compressed body. */
  static QString decodingText(const TransferView& v);
  /** "Followed 2 redirects: 302 http://a (request #4) → ... → final URL http://b". */
  static QString redirectText(const TransferView& v);

  std::shared_ptr<Transfer> transfer_;
  bool finalShown_ = false;
  int shownHeaders_ = -1;
  qsizetype shownPreviewBytes_ = -1;
  QElapsedTimer lastPreview_;
  std::deque<std::pair<qint64, quint64>> rateSamples_;  ///< (elapsed ms, bytes)
  bool samplingUpload_ = false;  ///< rateSamples_ hold request body bytes sent, not response bytes
  /** The rate over the last second of samples (or the whole transfer at its end). */
  double sampleRate(const TransferView& v, quint64 bytes);

  QTimer* timer_;
  QLabel* summary_;
  QLabel* error_;
  QLabel* verdict_;
  QProgressBar* progress_;
  QLabel* rate_;
  TimingBar* timing_;
  QTabWidget* tabs_;
  QPlainTextEdit* body_;
  QComboBox* previewMode_;
  QLabel* previewNote_;
  QTableWidget* headers_;
  QLabel* timingText_;
  ConnectionDetails* connection_;  ///< the "Connection" tab: TLS session and peer chain
  QPushButton* saveBody_;
  QStackedWidget* bodyStack_;
  StreamView* stream_;
  bool streamSourced_ = false;
};

}  // namespace sluice::ui
