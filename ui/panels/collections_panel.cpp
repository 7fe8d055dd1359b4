#include "ui/panels/collections_panel.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <functional>

namespace sluice::ui {

namespace {
constexpr int kMaxDepth = 8;  // folders deeper than this are not listed
}

CollectionsPanel::CollectionsPanel(WorkspaceSession* session, QWidget* parent)
    : QWidget(parent), session_(session), tree_(new QTreeWidget(this)), message_(new QLabel(this)) {
  setObjectName(QStringLiteral("collectionsPanel"));
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(4, 4, 4, 4);
  auto* row = new QHBoxLayout;
  auto* open = new QPushButton(tr("Open folder…"), this);
  open->setObjectName(QStringLiteral("openWorkspaceButton"));
  auto* reloadButton = new QPushButton(tr("Reload"), this);
  reloadButton->setObjectName(QStringLiteral("reloadWorkspaceButton"));
  row->addWidget(open);
  row->addWidget(reloadButton);
  lay->addLayout(row);
  tree_->setObjectName(QStringLiteral("collectionsTree"));
  tree_->setHeaderHidden(true);
  tree_->setContextMenuPolicy(Qt::CustomContextMenu);
  tree_->setToolTip(tr("The workspace folder: .http files and their requests. Double-click a request to open it in a tab."));
  lay->addWidget(tree_, 1);
  message_->setObjectName(QStringLiteral("collectionsMessage"));
  message_->setWordWrap(true);
  lay->addWidget(message_);
  connect(open, &QPushButton::clicked, this, &CollectionsPanel::chooseFolder);
  connect(reloadButton, &QPushButton::clicked, this, &CollectionsPanel::reload);
  connect(session_, &WorkspaceSession::opened, this, &CollectionsPanel::reload);
  connect(tree_, &QTreeWidget::customContextMenuRequested, this, &CollectionsPanel::showMenu);
  connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
    int block = item->data(0, kBlockRole).toInt();
    if (block >= 0 && item->data(0, kBlockRole).isValid())
      emit requestActivated({item->data(0, kPathRole).toString(), block});
  });
}

void CollectionsPanel::chooseFolder() {
  QString dir = QFileDialog::getExistingDirectory(this, tr("Open a folder as the workspace"), session_->folder());
  if (dir.isEmpty()) return;
  QString err = session_->open(dir);
  message_->setText(err);
}

void CollectionsPanel::reload() {
  tree_->clear();
  message_->clear();
  if (session_->folder().isEmpty()) return;
  auto* root = new QTreeWidgetItem(tree_, {QDir(session_->folder()).dirName()});
  root->setData(0, kPathRole, session_->folder());
  addFolder(root, session_->folder(), 0);
  root->setExpanded(true);
  QString envErr = session_->reloadEnvironments();
  if (!envErr.isEmpty()) message_->setText(envErr);
}

void CollectionsPanel::addFolder(QTreeWidgetItem* parent, const QString& dir, int depth) {
  QDir d(dir);
  for (const QFileInfo& fi : d.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
    if (depth >= kMaxDepth) break;
    auto* item = new QTreeWidgetItem(parent, {fi.fileName() + QLatin1Char('/')});
    item->setData(0, kPathRole, fi.absoluteFilePath());
    addFolder(item, fi.absoluteFilePath(), depth + 1);
    if (item->childCount() == 0) delete item;  // only folders that hold .http files
  }
  for (const QFileInfo& fi : d.entryInfoList({QStringLiteral("*.http"), QStringLiteral("*.rest")}, QDir::Files, QDir::Name))
    addFile(parent, fi.absoluteFilePath());
}

void CollectionsPanel::addFile(QTreeWidgetItem* parent, const QString& path) {
  auto* item = new QTreeWidgetItem(parent, {QFileInfo(path).fileName()});
  item->setData(0, kPathRole, path);
  auto file = workspace::loadHttpFile(path.toStdString());
  if (!file) {
    item->setText(0, item->text(0) + tr("  ⚠ %1").arg(QString::fromStdString(file.error().message)));
    return;
  }
  for (size_t i : file->requestIndexes()) {
    const auto& b = file->blocks[i];
    auto* r = new QTreeWidgetItem(item, {QString::fromStdString(b.name().empty() ? b.displayName() : b.method + "  " + b.name())});
    r->setData(0, kPathRole, path);
    r->setData(0, kBlockRole, static_cast<int>(i));
    r->setToolTip(0, QString::fromStdString(b.method + " " + b.fullUrl()));
  }
  item->setExpanded(true);
}

QString CollectionsPanel::editFile(const QString& path, const std::function<QString(workspace::HttpFile&)>& edit) {
  auto file = workspace::loadHttpFile(path.toStdString());
  if (!file) return QString::fromStdString(file.error().message);
  if (QString err = edit(*file); !err.isEmpty()) return err;
  if (auto st = workspace::saveHttpFile(path.toStdString(), *file); !st) return QString::fromStdString(st.error().message);
  reload();
  emit fileChanged(path);
  return {};
}

QString CollectionsPanel::createFile(const QString& relativePath) {
  if (session_->folder().isEmpty()) return tr("open a workspace folder first");
  QString name = relativePath.endsWith(QStringLiteral(".http")) ? relativePath : relativePath + QStringLiteral(".http");
  QString path = QDir(session_->folder()).absoluteFilePath(name);
  if (QFileInfo::exists(path)) return tr("%1 exists").arg(path);
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return tr("cannot create %1: %2").arg(path, f.errorString());
  f.close();
  reload();
  return {};
}

QString CollectionsPanel::renameFile(const QString& path, const QString& newName) {
  QString target = QFileInfo(path).absoluteDir().absoluteFilePath(newName.endsWith(QStringLiteral(".http")) ? newName : newName + QStringLiteral(".http"));
  if (QFileInfo::exists(target)) return tr("%1 exists").arg(target);
  if (!QFile::rename(path, target)) return tr("cannot rename %1 to %2").arg(path, target);
  reload();
  return {};
}

QString CollectionsPanel::deleteFile(const QString& path) {
  if (!QFile::remove(path)) return tr("cannot delete %1").arg(path);
  reload();
  return {};
}

QString CollectionsPanel::createRequest(const QString& path, const QString& name, RequestSource* out) {
  return editFile(path, [&](workspace::HttpFile& f) {
    if (!f.blocks.empty() && f.blocks.back().trailingBlankLines == 0) f.blocks.back().trailingBlankLines = 1;
    f.finalNewline = true;
    workspace::HttpRequest r;
    r.separator = "### " + name.toStdString();
    r.hasRequest = true;
    r.method = "GET";
    r.url = "http://{{host}}/";
    f.blocks.push_back(r);
    if (out) *out = {path, static_cast<int>(f.blocks.size() - 1)};
    return QString();
  });
}

QString CollectionsPanel::renameRequest(const RequestSource& s, const QString& name) {
  return editFile(s.file, [&](workspace::HttpFile& f) {
    if (s.block >= static_cast<int>(f.blocks.size())) return tr("the request is gone from %1 (edited outside?)").arg(s.file);
    f.blocks[static_cast<size_t>(s.block)].setName(name.toStdString());
    return QString();
  });
}

QString CollectionsPanel::duplicateRequest(const RequestSource& s) {
  return editFile(s.file, [&](workspace::HttpFile& f) {
    if (s.block >= static_cast<int>(f.blocks.size())) return tr("the request is gone from %1 (edited outside?)").arg(s.file);
    auto& orig = f.blocks[static_cast<size_t>(s.block)];
    auto copy = orig;
    copy.preamble.clear();  // variables and the name tag stay with the original
    copy.separator = "### " + orig.displayName() + " (copy)";
    if (orig.trailingBlankLines == 0) orig.trailingBlankLines = 1;  // the copy now ends the file
    f.blocks.insert(f.blocks.begin() + s.block + 1, copy);
    return QString();
  });
}

QString CollectionsPanel::deleteRequest(const RequestSource& s) {
  return editFile(s.file, [&](workspace::HttpFile& f) {
    if (s.block >= static_cast<int>(f.blocks.size())) return tr("the request is gone from %1 (edited outside?)").arg(s.file);
    f.blocks.erase(f.blocks.begin() + s.block);
    return QString();
  });
}

void CollectionsPanel::showMenu(const QPoint& pos) {
  QTreeWidgetItem* item = tree_->itemAt(pos);
  if (!item) return;
  QString path = item->data(0, kPathRole).toString();
  bool isRequest = item->data(0, kBlockRole).isValid();
  bool isFile = !isRequest && path.endsWith(QStringLiteral(".http"));
  RequestSource src{path, item->data(0, kBlockRole).toInt()};
  auto ask = [this](const QString& title, const QString& initial) {
    return QInputDialog::getText(this, title, tr("Name:"), QLineEdit::Normal, initial);
  };
  auto report = [this](const QString& err) { message_->setText(err); };
  QMenu menu(this);
  if (isRequest) {
    menu.addAction(tr("Open"), this, [this, src] { emit requestActivated(src); });
    menu.addAction(tr("Rename…"), this, [=, this] { if (auto n = ask(tr("Rename request"), item->text(0)); !n.isEmpty()) report(renameRequest(src, n)); });
    menu.addAction(tr("Duplicate"), this, [=, this] { report(duplicateRequest(src)); });
    menu.addAction(tr("Delete"), this, [=, this] { report(deleteRequest(src)); });
  } else if (isFile) {
    menu.addAction(tr("New request…"), this, [=, this] { if (auto n = ask(tr("New request"), {}); !n.isEmpty()) report(createRequest(path, n)); });
    menu.addAction(tr("Rename file…"), this, [=, this] { if (auto n = ask(tr("Rename file"), QFileInfo(path).fileName()); !n.isEmpty()) report(renameFile(path, n)); });
    menu.addAction(tr("Delete file"), this, [=, this] { report(deleteFile(path)); });
  } else {
    menu.addAction(tr("New .http file…"), this, [=, this] {
      if (auto n = ask(tr("New file"), QStringLiteral("requests.http")); !n.isEmpty())
        report(createFile(QDir(session_->folder()).relativeFilePath(QDir(path).absoluteFilePath(n))));
    });
  }
  menu.exec(tree_->viewport()->mapToGlobal(pos));
}

}  // namespace sluice::ui
