#pragma once
/** The Sluice window: Request in the middle, History on the left, Pool and Servers docked below. */
#include <QMainWindow>

class QDockWidget;
class QLabel;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;
class QTimer;

namespace sluice::ui {

class ClientBridge;
class HistoryModel;
class PoolPanel;
class RequestPanel;
class ServerHost;
class ServersPanel;

struct MainWindowOptions {
  QString listen;             ///< embedded server HOST:PORT; empty: 127.0.0.1:8080..8099, then any port
  QString historyFile;        ///< empty: SLUICE_HISTORY_FILE, else AppDataLocation/history.json
  bool restoreState = true;   ///< restore dock layout and geometry from QSettings
  bool startEmbedded = true;
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  /** The embedded server's URL ("http://127.0.0.1:8080"); empty when it failed to start. */
  QString embeddedUrl() const;
  /** Why the embedded server is not running, in words; empty when it runs. */
  QString embeddedError() const { return embeddedError_; }

  ClientBridge* bridge() const { return bridge_; }
  HistoryModel* history() const { return history_; }
  RequestPanel* requestPanel() const { return request_; }
  ServersPanel* serversPanel() const { return servers_; }
  PoolPanel* poolPanel() const { return pool_; }
  QDockWidget* historyDock() const { return historyDock_; }
  QDockWidget* serversDock() const { return serversDock_; }
  QDockWidget* poolDock() const { return poolDock_; }

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void startEmbedded(const QString& listen);
  QWidget* buildHistory();
  void buildDocks();
  void buildMenus();
  void buildStatusBar();
  void updateStatusBar();
  void selectRequestInHistory(quint64 requestId);

  ClientBridge* bridge_;
  HistoryModel* history_;
  ServerHost* embedded_ = nullptr;
  QString embeddedError_;
  RequestPanel* request_;
  ServersPanel* servers_;
  PoolPanel* pool_;
  QDockWidget* historyDock_ = nullptr;
  QDockWidget* serversDock_ = nullptr;
  QDockWidget* poolDock_ = nullptr;
  QListView* historyList_ = nullptr;
  QSortFilterProxyModel* historyFilter_ = nullptr;
  QLabel* statusServer_ = nullptr;
  QLabel* statusFds_ = nullptr;
  QLabel* statusHeld_ = nullptr;
  QLabel* statusRss_ = nullptr;
  QTimer* statusTimer_;
  bool restoredLayout_ = false;
};

}  // namespace sluice::ui
