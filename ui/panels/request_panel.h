#pragma once
/** The request composer (method, URL, headers, body, connection controls) above the live response. */
#include <QJsonObject>
#include <QWidget>
#include <functional>
#include <memory>

#include "ui/panels/body_saver.h"
#include "ui/requests/request_spec.h"

class QButtonGroup;
class QCheckBox;
class QDoubleSpinBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QTabWidget;

namespace sluice::ui {

class ClientBridge;
class HeadersEditor;
class HistoryModel;
class ResponseView;
class TlsOptionsEditor;
class Transfer;

class RequestPanel : public QWidget {
  Q_OBJECT
 public:
  RequestPanel(ClientBridge* bridge, HistoryModel* history, QWidget* parent = nullptr);

  RequestSpec spec() const;
  void setSpec(const RequestSpec& spec);
  void setUrl(const QString& url);

  /** The TLS options and timeouts new requests start with (QSettings "requests/defaults"). */
  static QJsonObject optionDefaults();
  /** Saves this request's TLS options and timeouts as the defaults for new requests. */
  void saveOptionDefaults() const;
  ResponseView* response() const { return response_; }
  std::shared_ptr<Transfer> current() const { return current_; }

  /**
   * Runs before every send: may rewrite the spec (workspace variables) and returns an
   * error in words to refuse the send. The history records the spec as composed.
   */
  using SendFilter = std::function<QString(RequestSpec& spec)>;
  void setSendFilter(SendFilter filter) { sendFilter_ = std::move(filter); }

  /** Imports a curl command into the composer. Returns false and shows why when it cannot. */
  bool importCurl(const QString& text);
  QString curlCommand() const;

 public slots:
  /** Sends the composed request (Ctrl+Enter). */
  void send();
  void cancel();
  void copyAsCurl();
  void showImportDialog();
  /**
   * Asks for a file (when path is empty) and saves the body already received into it
   * (BodySaver: never sent again; when it was not kept, asks before resending an
   * idempotent request and refuses any other).
   */
  void saveBodyAs(const QString& path = {}, BodySaver::Variant variant = BodySaver::Variant::kAsk);
  BodySaver* bodySaver() const { return saver_; }

 signals:
  void transferStarted(std::shared_ptr<sluice::ui::Transfer> t);

 private:
  QWidget* buildUrlRow();
  QWidget* buildHeadersTab();
  QWidget* buildBodyTab();
  QWidget* buildConnectionTab();
  QWidget* buildTlsTab();
  void updateTlsWarning();
  void start(const RequestSpec& spec, const QString& saveTo, const RequestSpec* recordAs = nullptr);
  void showComposerMessage(const QString& text, bool error);
  void updateBodyControls();

  ClientBridge* bridge_;
  HistoryModel* history_;
  std::shared_ptr<Transfer> current_;
  SendFilter sendFilter_;
  BodySaver* saver_;

  QComboBox* method_;
  QLineEdit* url_;
  QPushButton* send_;
  QPushButton* cancel_;
  QTabWidget* tabs_;
  HeadersEditor* headers_;
  QButtonGroup* bodyKind_;
  QRadioButton* bodyNone_;
  QRadioButton* bodyText_;
  QRadioButton* bodyFile_;
  QLineEdit* contentType_;
  QPlainTextEdit* text_;
  QLineEdit* file_;
  QPushButton* browse_;
  QCheckBox* chunked_;
  QCheckBox* forceNew_;
  QDoubleSpinBox* totalTimeout_;  ///< seconds, 0: none (curl --max-time)
  QDoubleSpinBox* headTimeout_;   ///< seconds, 0: the client default
  QDoubleSpinBox* connectTimeout_;   ///< seconds, 0: the client default (curl --connect-timeout)
  QDoubleSpinBox* bodyIdleTimeout_;  ///< seconds, 0: the client default
  TlsOptionsEditor* tls_;
  QLabel* tlsWarning_;  ///< shown whenever verification is off
  QCheckBox* noReturn_;
  QCheckBox* decode_;
  QCheckBox* follow_;
  QComboBox* release_;
  QLabel* message_;
  ResponseView* response_;
};

}  // namespace sluice::ui
