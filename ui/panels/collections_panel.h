#pragma once
/**
 * The collections side panel: the workspace folder as a tree of folders, .http files and
 * the requests inside them. The files are the truth: every action edits a file on disk
 * and the tree is rebuilt from the disk (reload picks up edits made in a text editor).
 */
#include <QWidget>

#include "ui/models/workspace_session.h"

class QTreeWidget;
class QTreeWidgetItem;
class QLabel;

namespace sluice::ui {

class CollectionsPanel : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kPathRole = Qt::UserRole + 1;
  static constexpr int kBlockRole = Qt::UserRole + 2;

  explicit CollectionsPanel(WorkspaceSession* session, QWidget* parent = nullptr);
  QTreeWidget* tree() const { return tree_; }

  /** Each returns an error in words, or empty. */
  QString createFile(const QString& relativePath);
  QString renameFile(const QString& path, const QString& newName);
  QString deleteFile(const QString& path);
  /** Appends a "### name" GET request to file; returns its source through out. */
  QString createRequest(const QString& file, const QString& name, RequestSource* out = nullptr);
  QString renameRequest(const RequestSource& source, const QString& name);
  QString duplicateRequest(const RequestSource& source);
  QString deleteRequest(const RequestSource& source);

 public slots:
  /** Rebuilds the tree from the disk. */
  void reload();
  /** Asks for a folder and opens it as the workspace. */
  void chooseFolder();

 signals:
  void requestActivated(const sluice::ui::RequestSource& source);
  void fileChanged(const QString& path);

 private:
  void addFolder(QTreeWidgetItem* parent, const QString& dir, int depth);
  void addFile(QTreeWidgetItem* parent, const QString& path);
  void showMenu(const QPoint& pos);
  QString editFile(const QString& path, const std::function<QString(workspace::HttpFile&)>& edit);

  WorkspaceSession* session_;
  QTreeWidget* tree_;
  QLabel* message_;
};

}  // namespace sluice::ui
