#include "ui/panels/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/observe/process_stats.h"
#include "ui/bridge/client_bridge.h"
#include "ui/bridge/server_host.h"
#include "ui/bridge/transfer.h"
#include "ui/models/history_model.h"
#include "ui/panels/pool_panel.h"
#include "ui/panels/request_panel.h"
#include "ui/panels/request_tabs.h"
#include "ui/bridge/event_settings.h"
#include "ui/panels/response_view.h"
#include "ui/panels/servers_panel.h"
#include "ui/widgets/format.h"

namespace sluice::ui {

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent),
      bridge_(new ClientBridge(this)),
      history_(new HistoryModel(options.historyFile, this)),
      statusTimer_(new QTimer(this)) {
  setObjectName(QStringLiteral("mainWindow"));
  setWindowTitle(tr("Sluice"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/sluice.svg")));
  request_ = new RequestPanel(bridge_, history_, this);
  servers_ = new ServersPanel(this);
  pool_ = new PoolPanel(bridge_, this);
  resize(1280, 800);  // before the docks are sized, so they share 800 px rather than grow the window
  buildDocks();
  buildWorkspace(options);  // the central request tabs, the collections dock, the environment switcher
  buildMenus();
  buildStatusBar();
  connect(bridge_, &ClientBridge::transferChanged, this, [this](const std::shared_ptr<Transfer>& t) {
    if (t->final()) history_->update(t->localId(), t->view());
  });
  connect(pool_, &PoolPanel::requestClicked, this, &MainWindow::selectRequestInHistory);
  connect(pool_, &PoolPanel::releaseCosts, this, [this](const QList<QPair<quint64, QString>>& costs) {
    for (const auto& [requestId, cost] : costs) history_->setReleaseCost(requestId, cost);
  });
  if (options.startEmbedded) startEmbedded(options.listen);
  tabs_->markCurrentSaved();  // the pre-filled URL is not an edit
  if (options.restoreState) {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoredLayout_ = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  }
  if (!options.openFile.isEmpty()) {
    if (QString err = openHttpFile(options.openFile); !err.isEmpty()) statusBar()->showMessage(err, 10000);
  }
  if (!history_->lastError().isEmpty()) statusBar()->showMessage(history_->lastError(), 10000);
  statusTimer_->setInterval(500);
  connect(statusTimer_, &QTimer::timeout, this, &MainWindow::updateStatusBar);
  statusTimer_->start();
  updateStatusBar();
}

MainWindow::~MainWindow() {
  history_->save();
  servers_->stopAll();
}

void MainWindow::startEmbedded(const QString& listen) {
  ServerSettings s;
  s.eventCapacity = serverEventCapacity();
  embedded_ = new ServerHost(s, this);
  QString err;
  if (listen.isEmpty()) err = embedded_->startOnFirstFreePort(QStringLiteral("127.0.0.1"));
  else {
    ServerSettings custom = s;
    custom.listen = listen;
    delete embedded_;
    embedded_ = new ServerHost(custom, this);
    err = embedded_->start();
  }
  servers_->addHost(embedded_);
  if (!err.isEmpty()) {
    embeddedError_ = tr("the embedded server could not start on %1: %2").arg(embedded_->settings().listen, err);
    request_->setUrl(QStringLiteral("http://127.0.0.1:8080/bytes/1048576"));
    return;
  }
  request_->setUrl(embedded_->url() + QStringLiteral("/bytes/1048576"));
  pool_->setScenarioUrl(embedded_->url() + QStringLiteral("/bytes/65536"));
}

QString MainWindow::embeddedUrl() const { return embedded_ && embedded_->running() ? embedded_->url() : QString(); }

QWidget* MainWindow::buildHistory() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(4, 4, 4, 4);
  auto* filter = new QLineEdit(w);
  filter->setObjectName(QStringLiteral("historyFilter"));
  filter->setPlaceholderText(tr("Filter history ⌕"));
  filter->setClearButtonEnabled(true);
  historyFilter_ = new QSortFilterProxyModel(this);
  historyFilter_->setSourceModel(history_);
  historyFilter_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  historyList_ = new QListView(w);
  historyList_->setObjectName(QStringLiteral("historyList"));
  historyList_->setModel(historyFilter_);
  historyList_->setUniformItemSizes(true);
  historyList_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  historyList_->setToolTip(tr("Every request sent, kept across restarts. Click one to restore it in the composer."));
  auto* clear = new QPushButton(tr("Clear history"), w);
  clear->setObjectName(QStringLiteral("clearHistoryButton"));
  lay->addWidget(filter);
  lay->addWidget(historyList_, 1);
  lay->addWidget(clear);
  connect(filter, &QLineEdit::textChanged, historyFilter_, &QSortFilterProxyModel::setFilterFixedString);
  connect(historyList_, &QListView::clicked, this, [this](const QModelIndex& idx) {
    QModelIndex src = historyFilter_->mapToSource(idx);
    if (!src.isValid()) return;
    request_->setSpec(history_->entry(src.row()).spec);
    request_->response()->track(nullptr);  // the previous response belongs to another request
  });
  connect(clear, &QPushButton::clicked, history_, &HistoryModel::clear);
  return w;
}

void MainWindow::buildDocks() {
  setDockNestingEnabled(true);
  auto dock = [this](const QString& title, const char* name, QWidget* content, Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(QLatin1String(name));
    d->setWidget(content);
    addDockWidget(area, d);
    return d;
  };
  historyDock_ = dock(tr("History"), "historyDock", buildHistory(), Qt::LeftDockWidgetArea);
  poolDock_ = dock(tr("Pool"), "poolDock", pool_, Qt::BottomDockWidgetArea);
  // The servers view scrolls inside its dock, so its forms never force the window taller.
  auto* serversScroll = new QScrollArea(this);
  serversScroll->setObjectName(QStringLiteral("serversScroll"));
  serversScroll->setWidget(servers_);
  serversScroll->setWidgetResizable(true);
  serversScroll->setFrameShape(QFrame::NoFrame);
  serversDock_ = dock(tr("Servers"), "serversDock", serversScroll, Qt::BottomDockWidgetArea);
  tabifyDockWidget(poolDock_, serversDock_);
  poolDock_->raise();
  // Dock sizes only hold once the window is laid out: set them right after the first show.
  QTimer::singleShot(0, this, [this] {
    if (restoredLayout_) return;
    resizeDocks({historyDock_}, {250}, Qt::Horizontal);
    resizeDocks({poolDock_}, {std::max(260, height() * 3 / 8)}, Qt::Vertical);
  });
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Import curl…"), request_, &RequestPanel::showImportDialog);
  file->addAction(tr("Save body as…"), request_, [this] { request_->saveBodyAs(); });
  buildWorkspaceMenu(file);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(tr("Copy as curl"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), request_, &RequestPanel::copyAsCurl);
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(historyDock_->toggleViewAction());
  view->addAction(poolDock_->toggleViewAction());
  view->addAction(serversDock_->toggleViewAction());
  QMenu* tools = menuBar()->addMenu(tr("&Tools"));
  tools->addAction(tr("Run scenario"), this, [this] {
    poolDock_->show();
    poolDock_->raise();
    pool_->runScenario();
  });
  tools->addAction(tr("Flush idle connections"), bridge_, &ClientBridge::flushIdle);
  tools->addAction(tr("Close all connections"), bridge_, &ClientBridge::closeAll);
  tools->addAction(tr("Drop held streams"), bridge_, &ClientBridge::dropHeld);
  tools->addSeparator();
  tools->addAction(tr("Event buffers…"), this, &MainWindow::showEventBuffersDialog);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("About Sluice"), this, [this] {
    QMessageBox::about(this, tr("About Sluice"),
                       tr("Sluice %1: an HTTP/1.1 stream workbench.\nRequest testing, local stream servers and a "
                          "visible connection pool.").arg(QApplication::applicationVersion()));
  });
}

void MainWindow::showEventBuffersDialog() {
  // How many events the engine keeps between two GUI drains; past it they are dropped,
  // counted and shown in the pool and servers headers. Read when a client or server starts.
  QDialog d(this);
  d.setWindowTitle(tr("Event buffers"));
  auto* form = new QFormLayout(&d);
  auto spin = [&](const char* name, size_t value) {
    auto* b = new QSpinBox(&d);
    b->setObjectName(QLatin1String(name));
    b->setRange(static_cast<int>(kMinEventCapacity), static_cast<int>(kMaxEventCapacity));
    b->setSingleStep(4096);
    b->setValue(static_cast<int>(value));
    b->setSuffix(tr(" events"));
    return b;
  };
  auto* client = spin("clientEventCapacity", clientEventCapacity());
  auto* server = spin("serverEventCapacity", serverEventCapacity());
  form->addRow(tr("Client (pool lanes):"), client);
  form->addRow(tr("Each server (live table):"), server);
  form->addRow(new QLabel(tr("Servers added from now on use the new size; the client uses it from the next start.\n"
                             "The client's buffer holds %1 events now.").arg(bridge_->eventCapacity()), &d));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &d);
  connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
  form->addRow(buttons);
  if (d.exec() == QDialog::Accepted)
    setEventCapacities(static_cast<size_t>(client->value()), static_cast<size_t>(server->value()));
}

void MainWindow::buildStatusBar() {
  auto label = [this](const char* name) {
    auto* l = new QLabel(this);
    l->setObjectName(QLatin1String(name));
    statusBar()->addPermanentWidget(l);
    return l;
  };
  statusServer_ = label("statusServer");
  statusRss_ = label("statusRss");
  statusFds_ = label("statusFds");
  statusHeld_ = label("statusHeld");
}

void MainWindow::updateStatusBar() {
  if (embedded_ && embedded_->running()) {
    auto s = embedded_->stats();
    statusServer_->setText(tr("● %1 %2 · %3 in flight").arg(embedded_->address(), embedded_->modeName()).arg(s.inFlight));
  } else {
    statusServer_->setText(embeddedError_.isEmpty() ? tr("○ embedded server stopped") : QStringLiteral("⚠ ") + embeddedError_);
  }
  auto ps = observe::readProcessStats();
  statusRss_->setText(tr("RSS %1").arg(formatBytes(ps.rssBytes)));
  statusFds_->setText(tr("fds %1").arg(ps.openFds));
  statusHeld_->setText(tr("held streams %1").arg(pool_->heldStreams()));
}

void MainWindow::selectRequestInHistory(quint64 requestId) {
  int row = history_->rowForRequestId(requestId);
  if (row < 0) {
    statusBar()->showMessage(tr("request r%1 is not in the history (scenario requests are not recorded)").arg(requestId), 5000);
    return;
  }
  QModelIndex idx = historyFilter_->mapFromSource(history_->index(row));
  historyDock_->show();
  historyList_->setCurrentIndex(idx);
  historyList_->scrollTo(idx);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (!tabs_->closeAll()) return e->ignore();
  saveWorkspaceSettings();
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  QMainWindow::closeEvent(e);
}

}  // namespace sluice::ui
