// MainWindow, workspace part: request tabs, the collections dock, the environment
// switcher, variable highlighting, HAR export/import and the settings that remember them.
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableWidget>
#include <QToolBar>

#include "engine/workspace/postman.h"
#include "ui/models/har_io.h"
#include "ui/models/history_model.h"
#include "ui/models/workspace_session.h"
#include "ui/panels/collections_panel.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"
#include "ui/panels/request_tabs.h"
#include "ui/widgets/variable_highlighter.h"

namespace sluice::ui {

namespace {
const QString kNoEnvironment = QObject::tr("(no environment)");
}

void MainWindow::buildWorkspace(const MainWindowOptions& options) {
  session_ = new WorkspaceSession(this);
  tabs_ = new RequestTabs(request_, this);
  setCentralWidget(tabs_);
  collections_ = new CollectionsPanel(session_, this);
  collectionsDock_ = new QDockWidget(tr("Collections"), this);
  collectionsDock_->setObjectName(QStringLiteral("collectionsDock"));
  collectionsDock_->setWidget(collections_);
  addDockWidget(Qt::LeftDockWidgetArea, collectionsDock_);
  splitDockWidget(collectionsDock_, historyDock_, Qt::Vertical);
  auto* bar = addToolBar(tr("Workspace"));
  bar->setObjectName(QStringLiteral("workspaceToolBar"));
  bar->addWidget(new QLabel(tr(" Environment: "), bar));
  envCombo_ = new QComboBox(bar);
  envCombo_->setObjectName(QStringLiteral("environmentCombo"));
  envCombo_->setToolTip(tr("Variables from http-client.env.json and http-client.private.env.json in the workspace folder"));
  envCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  bar->addWidget(envCombo_);
  connect(envCombo_, &QComboBox::currentTextChanged, this, [this](const QString& text) {
    if (envCombo_->signalsBlocked()) return;
    session_->setEnvironment(text == kNoEnvironment ? QString() : text);
  });
  connect(session_, &WorkspaceSession::opened, this, [this] { fillEnvironments(); });
  connect(collections_, &CollectionsPanel::requestActivated, this, [this](const RequestSource& s) {
    if (QString err = tabs_->openRequest(s); !err.isEmpty()) statusBar()->showMessage(err, 10000);
  });
  request_->setSendFilter([this](RequestSpec& spec) { return session_->resolve(spec, tabs_->currentSource()); });
  auto lookup = [this](const QString& name) { return session_->hoverValue(name, tabs_->currentSource()); };
  decorator_ = new VariableDecorator(request_->findChild<QLineEdit*>(QStringLiteral("urlEdit")),
                                     request_->findChild<QTableWidget*>(QStringLiteral("headersTable")),
                                     request_->findChild<QPlainTextEdit*>(QStringLiteral("bodyTextEdit")), lookup, this);
  connect(session_, &WorkspaceSession::environmentChanged, decorator_, &VariableDecorator::rehighlight);
  connect(tabs_, &RequestTabs::saved, collections_, &CollectionsPanel::reload);
  QString folder = options.workspace;
  if (folder.isEmpty() && options.restoreState) folder = QSettings().value(QStringLiteral("workspace/folder")).toString();
  if (!folder.isEmpty() && QFileInfo(folder).isDir()) {
    openWorkspace(folder);
    if (options.restoreState) {
      QString env = QSettings().value(QStringLiteral("workspace/environment")).toString();
      if (session_->environmentNames().contains(env)) envCombo_->setCurrentText(env);
    }
  }
}

void MainWindow::fillEnvironments() {
  QString keep = session_->environment();
  envCombo_->blockSignals(true);
  envCombo_->clear();
  envCombo_->addItem(kNoEnvironment);
  envCombo_->addItems(session_->environmentNames());
  envCombo_->blockSignals(false);
  int i = envCombo_->findText(keep);
  envCombo_->setCurrentIndex(i < 0 ? 0 : i);
  session_->setEnvironment(i < 0 ? QString() : keep);
}

QString MainWindow::openWorkspace(const QString& folder) {
  QString err = session_->open(folder);
  setWindowTitle(tr("Sluice — workspace: %1").arg(QDir::toNativeSeparators(session_->folder())));
  return err;
}

QString MainWindow::openHttpFile(const QString& path) {
  QFileInfo fi(path);
  if (!fi.isFile()) return tr("%1 is not a file").arg(path);
  if (QString err = openWorkspace(fi.absolutePath()); !err.isEmpty()) statusBar()->showMessage(err, 10000);
  auto file = workspace::loadHttpFile(fi.absoluteFilePath().toStdString());
  if (!file) return QString::fromStdString(file.error().message);
  auto idx = file->requestIndexes();
  if (idx.empty()) return tr("%1 holds no request").arg(path);
  return tabs_->openRequest({fi.absoluteFilePath(), static_cast<int>(idx.front())});
}

QString MainWindow::exportHar(const QString& path, bool includeSecrets) {
  QList<HistoryEntry> entries;
  QModelIndexList rows = historyList_->selectionModel()->selectedRows();
  if (rows.isEmpty())
    for (int r = 0; r < history_->rowCount(); ++r) rows << historyFilter_->mapFromSource(history_->index(r));
  for (const auto& idx : rows) entries.prepend(history_->entry(historyFilter_->mapToSource(idx).row()));  // oldest first
  return exportHarFile(entries, path, includeSecrets);
}

QString MainWindow::importHar(const QString& path) {
  QList<HistoryEntry> entries;
  if (QString err = importHarFile(path, entries); !err.isEmpty()) return err;
  history_->addEntries(entries);
  return {};
}

void MainWindow::buildWorkspaceMenu(QMenu* file) {
  file->addSeparator();
  file->addAction(tr("Open workspace folder…"), collections_, &CollectionsPanel::chooseFolder);
  file->addAction(tr("New request tab\tCtrl+T"), tabs_, &RequestTabs::newTab);
  file->addAction(tr("Save request\tCtrl+S"), this, [this] {
    if (QString err = tabs_->save(); !err.isEmpty()) statusBar()->showMessage(err, 10000);
  });
  file->addAction(tr("Export HAR…"), this, [this] {
    QString path = QFileDialog::getSaveFileName(this, tr("Export HAR"), {}, tr("HAR files (*.har)"));
    if (path.isEmpty()) return;
    auto secrets = QMessageBox::question(this, tr("Export HAR"), tr("Include secrets (Authorization credentials)?"),
                                         QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    QString err = exportHar(path, secrets == QMessageBox::Yes);
    statusBar()->showMessage(err.isEmpty() ? tr("Exported %1").arg(path) : err, 10000);
  });
  file->addAction(tr("Import HAR…"), this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Import HAR"), {}, tr("HAR files (*.har);;All files (*)"));
    if (path.isEmpty()) return;
    QString err = importHar(path);
    statusBar()->showMessage(err.isEmpty() ? tr("Imported %1 into the history").arg(path) : err, 10000);
  });
  file->addAction(tr("Import Postman collection…"), this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Import Postman Collection v2.1"), {}, tr("JSON (*.json)"));
    if (path.isEmpty() || session_->folder().isEmpty()) return;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return statusBar()->showMessage(f.errorString(), 10000);
    QByteArray data = f.readAll();
    auto im = workspace::importPostman(std::string_view(data.constData(), static_cast<size_t>(data.size())));
    auto st = im ? workspace::writePostmanImport(*im, session_->folder().toStdString()) : Status(unexpected(im.error()));
    if (!st) return statusBar()->showMessage(QString::fromStdString(st.error().message), 10000);
    collections_->reload();
    QStringList left;
    for (const auto& n : im->notCarriedOver) left << QString::fromStdString(n);
    QMessageBox::information(this, tr("Postman import"), tr("%1 requests imported.%2").arg(im->requests)
                             .arg(left.isEmpty() ? QString() : tr("\n\nNot carried over:\n") + left.join(QLatin1Char('\n'))));
  });
}

void MainWindow::saveWorkspaceSettings() {
  QSettings settings;
  settings.setValue(QStringLiteral("workspace/folder"), session_->folder());
  settings.setValue(QStringLiteral("workspace/environment"), session_->environment());
}

}  // namespace sluice::ui
