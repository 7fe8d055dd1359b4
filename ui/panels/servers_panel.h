#pragma once
/** Local stream servers: add, start, stop; live requests, RSS graph, access log. */
#include <QList>
#include <QWidget>
#include <vector>

#include "engine/observe/event_buffer.h"
#include "ui/bridge/server_host.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QHBoxLayout;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTableWidget;
class QTimer;

namespace sluice::ui {

class MemoryGraph;
class ServerRequestsModel;

class ServersPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ServersPanel(QWidget* parent = nullptr);

  /** Takes a started (or not) host into the list. */
  void addHost(ServerHost* host);
  /** Creates and starts a server from the add form's values; shows the error in words when it fails. */
  ServerHost* addServerFromForm();
  const QList<ServerHost*>& hosts() const { return hosts_; }
  ServerHost* selectedHost() const;
  ServerRequestsModel* requestsModel() const { return model_; }
  MemoryGraph* memoryGraph() const { return graph_; }
  /**
   * Writes the selected TLS server's certificate (PEM) to path, or asks for a path when it
   * is empty ("Export certificate…"). Returns false and shows why when it cannot.
   */
  bool exportCertificate(const QString& path = {});
  /** Stops every server (application exit). */
  void stopAll();

 signals:
  void serversChanged();

 private:
  QWidget* buildServerList();
  QWidget* buildAddForm();
  /** Makes the TLS switch (placed by the caller) and returns the row of certificate and key fields. */
  QHBoxLayout* buildTlsRow(QWidget* box);
  QWidget* buildLiveArea();
  void refreshTable();
  void onEvents(ServerHost* host, const std::vector<observe::Event>& events);
  void showMessage(const QString& text, bool error);
  void tick();
  void updateHeader();

  static constexpr int kLogLines = 2000;

  QList<ServerHost*> hosts_;
  ServerRequestsModel* model_;
  QTableWidget* table_;
  QLineEdit* listen_;
  QComboBox* mode_;
  QLineEdit* dir_;
  QLineEdit* maxBody_;
  QLineEdit* token_;
  QLineEdit* proxy_;
  QCheckBox* tls_;
  QLineEdit* certFile_;
  QLineEdit* keyFile_;
  QPushButton* export_;
  QLabel* message_;
  QTableView* requests_;
  QLabel* header_;
  MemoryGraph* graph_;
  QPlainTextEdit* log_;
  QTimer* timer_;
};

}  // namespace sluice::ui
