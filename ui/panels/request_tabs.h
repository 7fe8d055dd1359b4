#pragma once
/**
 * Open requests as tabs above the one composer. A tab remembers where its request lives
 * (a .http file and block, or untitled), what was last saved, and what is being edited;
 * "• " marks unsaved edits. Ctrl+T opens a tab, Ctrl+W closes one (asking before edits
 * are lost), Ctrl+S saves into the .http file.
 */
#include <QList>
#include <QWidget>
#include <functional>

#include "ui/models/workspace_session.h"

class QTabBar;
class QTimer;

namespace sluice::ui {

class RequestPanel;

class RequestTabs : public QWidget {
  Q_OBJECT
 public:
  enum class CloseChoice { kSave, kDiscard, kCancel };
  /** Asks what to do with unsaved edits of the named tab (a message box unless a test replaces it). */
  using ConfirmClose = std::function<CloseChoice(const QString& title)>;
  /** Asks where an untitled request goes: a .http file path; empty cancels. */
  using AskSavePath = std::function<QString()>;

  RequestTabs(RequestPanel* panel, QWidget* parent = nullptr);
  QTabBar* tabBar() const { return bar_; }
  int count() const;
  int currentIndex() const;
  RequestSource currentSource() const;
  bool isDirty(int index) const;
  void setConfirmClose(ConfirmClose fn) { confirm_ = std::move(fn); }
  void setAskSavePath(AskSavePath fn) { askPath_ = std::move(fn); }

 public slots:
  void newTab();
  /** Opens (or shows) the request at source. Returns an error in words, or empty. */
  QString openRequest(const sluice::ui::RequestSource& source);
  /** Saves the current tab into its .http file (asking for a file when untitled). */
  QString save();
  /** Closes a tab; false when the user cancelled. */
  bool closeTab(int index);
  bool closeCurrent() { return closeTab(currentIndex()); }
  /** Asks about every unsaved tab; false when the user cancelled (the window stays open). */
  bool closeAll();
  /** Takes what the composer shows now as the current tab's saved state (after the window pre-fills it). */
  void markCurrentSaved();

 signals:
  void saved(const QString& file);

 private:
  struct Doc {
    RequestSource source;
    QString title;
    RequestSpec saved;
    RequestSpec current;
  };
  void addDoc(Doc doc);
  void switchTo(int index);
  void refreshMarks();
  QString saveDoc(int index);

  RequestPanel* panel_;
  QTabBar* bar_;
  QTimer* dirtyTimer_;
  QList<Doc> docs_;
  int active_ = -1;
  ConfirmClose confirm_;
  AskSavePath askPath_;
};

}  // namespace sluice::ui
