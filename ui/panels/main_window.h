#pragma once
/** The Sluice window: Request in the middle, History on the left, Pool and Servers docked below. */
#include <QMainWindow>

class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QLineEdit;
class QListView;
class QSortFilterProxyModel;
class QTimer;

namespace sluice::ui {

class ClientBridge;
class CollectionsPanel;
class HistoryModel;
class RequestTabs;
class VariableDecorator;
class WorkspaceSession;
class PoolPanel;
class RequestPanel;
class ServerHost;
class ServersPanel;

struct MainWindowOptions {
  QString listen;             ///< embedded server HOST:PORT; empty: 127.0.0.1:8080..8099, then any port
  QString historyFile;        ///< empty: SLUICE_HISTORY_FILE, else AppDataLocation/history.json
  bool restoreState = true;   ///< restore dock layout and geometry from QSettings
  bool startEmbedded = true;
  QString workspace;          ///< folder to open; empty: the last one (QSettings) when restoreState
  QString openFile;           ///< a .http file to open (sluice FILE.http)
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
  WorkspaceSession* session() const { return session_; }
  CollectionsPanel* collectionsPanel() const { return collections_; }
  RequestTabs* requestTabs() const { return tabs_; }
  QComboBox* environmentCombo() const { return envCombo_; }
  QDockWidget* collectionsDock() const { return collectionsDock_; }

  /** Opens the folder of path as the workspace and its first request in a tab; an error in words, or empty. */
  QString openHttpFile(const QString& path);
  /** Opens folder as the workspace; an error in words, or empty. */
  QString openWorkspace(const QString& folder);
  /** Writes the selected history entries (all when none is selected) as HAR 1.2. */
  QString exportHar(const QString& path, bool includeSecrets);
  /** Adds a HAR file's entries to the history. */
  QString importHar(const QString& path);

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  void startEmbedded(const QString& listen);
  QWidget* buildHistory();
  void buildDocks();
  void buildMenus();
  void buildStatusBar();
  void showEventBuffersDialog();
  void updateStatusBar();
  void selectRequestInHistory(quint64 requestId);
  // main_window_workspace.cpp: collections, tabs, environments, HAR
  void buildWorkspace(const MainWindowOptions& options);
  void buildWorkspaceMenu(QMenu* file);
  void fillEnvironments();
  void saveWorkspaceSettings();

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
  WorkspaceSession* session_ = nullptr;
  CollectionsPanel* collections_ = nullptr;
  RequestTabs* tabs_ = nullptr;
  QComboBox* envCombo_ = nullptr;
  QDockWidget* collectionsDock_ = nullptr;
  VariableDecorator* decorator_ = nullptr;
};

}  // namespace sluice::ui
