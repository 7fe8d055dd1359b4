#include "ui/panels/request_tabs.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QShortcut>
#include <QTabBar>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/panels/request_panel.h"
#include "ui/panels/response_view.h"

namespace sluice::ui {

RequestTabs::RequestTabs(RequestPanel* panel, QWidget* parent)
    : QWidget(parent), panel_(panel), bar_(new QTabBar(this)), dirtyTimer_(new QTimer(this)) {
  setObjectName(QStringLiteral("requestTabs"));
  bar_->setObjectName(QStringLiteral("requestTabBar"));
  bar_->setTabsClosable(true);
  bar_->setMovable(false);
  bar_->setExpanding(false);
  bar_->setDocumentMode(true);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->setSpacing(0);
  lay->addWidget(bar_);
  lay->addWidget(panel_, 1);
  confirm_ = [this](const QString& title) {
    auto b = QMessageBox::question(this, tr("Unsaved request"), tr("%1 has unsaved edits. Save them?").arg(title),
                                   QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    return b == QMessageBox::Save ? CloseChoice::kSave : b == QMessageBox::Discard ? CloseChoice::kDiscard : CloseChoice::kCancel;
  };
  askPath_ = [this] {
    return QFileDialog::getSaveFileName(this, tr("Save request into a .http file"), {}, tr("HTTP requests (*.http)"), nullptr,
                                        QFileDialog::DontConfirmOverwrite);
  };
  auto shortcut = [this](QKeySequence key, auto fn) {
    auto* s = new QShortcut(key, window() ? window() : this);
    s->setContext(Qt::WindowShortcut);
    connect(s, &QShortcut::activated, this, fn);
  };
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_T), [this] { newTab(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_W), [this] { closeCurrent(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_S), [this] { save(); });
  connect(bar_, &QTabBar::currentChanged, this, &RequestTabs::switchTo);
  connect(bar_, &QTabBar::tabCloseRequested, this, &RequestTabs::closeTab);
  // The composer has no change signal: compare with the saved spec a few times a second.
  dirtyTimer_->setInterval(250);
  connect(dirtyTimer_, &QTimer::timeout, this, &RequestTabs::refreshMarks);
  dirtyTimer_->start();
  Doc first{{}, tr("untitled"), panel_->spec(), panel_->spec()};
  addDoc(first);
}

int RequestTabs::count() const { return static_cast<int>(docs_.size()); }
int RequestTabs::currentIndex() const { return active_; }
RequestSource RequestTabs::currentSource() const { return active_ >= 0 ? docs_[active_].source : RequestSource{}; }

bool RequestTabs::isDirty(int index) const {
  if (index < 0 || index >= docs_.size()) return false;
  const RequestSpec cur = index == active_ ? panel_->spec() : docs_[index].current;
  return !(cur == docs_[index].saved);
}

void RequestTabs::addDoc(Doc doc) {
  if (active_ >= 0) docs_[active_].current = panel_->spec();
  docs_.append(std::move(doc));
  int i = bar_->addTab(docs_.back().title);
  bar_->setTabToolTip(i, docs_.back().source.file);
  bar_->setCurrentIndex(i);  // switchTo() loads it into the composer
  if (active_ != i) switchTo(i);
}

void RequestTabs::switchTo(int index) {
  if (index < 0 || index >= docs_.size() || index == active_) return;
  if (active_ >= 0 && active_ < docs_.size()) docs_[active_].current = panel_->spec();
  active_ = index;
  panel_->setSpec(docs_[index].current);
  panel_->response()->track(nullptr);
  refreshMarks();
}

void RequestTabs::refreshMarks() {
  for (int i = 0; i < docs_.size(); ++i) {
    QString text = (isDirty(i) ? QStringLiteral("• ") : QString()) + docs_[i].title;
    if (bar_->tabText(i) != text) bar_->setTabText(i, text);
  }
}

void RequestTabs::newTab() {
  RequestSpec blank;
  blank.url = panel_->spec().url.section(QLatin1Char('/'), 0, 2) + QLatin1Char('/');
  blank.applyOptions(RequestPanel::optionDefaults());
  addDoc(Doc{{}, tr("untitled"), blank, blank});
}

QString RequestTabs::openRequest(const RequestSource& source) {
  for (int i = 0; i < docs_.size(); ++i)
    if (docs_[i].source == source) return bar_->setCurrentIndex(i), QString();
  auto file = workspace::loadHttpFile(source.file.toStdString());
  if (!file) return QString::fromStdString(file.error().message);
  if (source.block < 0 || source.block >= static_cast<int>(file->blocks.size()) || !file->blocks[source.block].hasRequest)
    return tr("%1 has no request at block %2 (edited outside?)").arg(source.file).arg(source.block);
  const auto& b = file->blocks[static_cast<size_t>(source.block)];
  RequestSpec spec = WorkspaceSession::specFromHttp(b);
  addDoc(Doc{source, QString::fromStdString(b.name().empty() ? b.method + " " + b.fullUrl() : b.name()), spec, spec});
  return {};
}

QString RequestTabs::saveDoc(int index) {
  Doc& d = docs_[index];
  RequestSpec spec = index == active_ ? panel_->spec() : d.current;
  // A .http block holds a text body or one '< file' line; a form (curl -F parts, files
  // streamed from disk) has no faithful form there yet, so it is refused, never dropped.
  if (spec.bodyKind == RequestSpec::BodyKind::kForm)
    return tr("not saved: a form body cannot be kept in a .http file yet (its parts would be lost); "
              "export it as a curl command, or write the multipart body as Text");
  if (!d.source.valid()) {
    QString path = askPath_ ? askPath_() : QString();
    if (path.isEmpty()) return tr("not saved: no file chosen");
    workspace::HttpFile f;
    if (QFileInfo::exists(path)) {
      auto loaded = workspace::loadHttpFile(path.toStdString());
      if (!loaded) return QString::fromStdString(loaded.error().message);
      f = std::move(*loaded);
      if (!f.blocks.empty() && f.blocks.back().trailingBlankLines == 0) f.blocks.back().trailingBlankLines = 1;
      f.finalNewline = true;
    }
    workspace::HttpRequest r;
    r.separator = "### " + (spec.method + QLatin1Char(' ') + spec.url).toStdString();
    f.blocks.push_back(r);
    d.source = {path, static_cast<int>(f.blocks.size() - 1)};
    d.title = QString::fromStdString(f.blocks.back().name());
    WorkspaceSession::applySpecToHttp(spec, f.blocks.back());
    if (auto st = workspace::saveHttpFile(path.toStdString(), f); !st) return QString::fromStdString(st.error().message);
  } else {
    auto f = workspace::loadHttpFile(d.source.file.toStdString());
    if (!f) return QString::fromStdString(f.error().message);
    if (d.source.block >= static_cast<int>(f->blocks.size())) return tr("the request is gone from %1 (edited outside?)").arg(d.source.file);
    WorkspaceSession::applySpecToHttp(spec, f->blocks[static_cast<size_t>(d.source.block)]);
    if (auto st = workspace::saveHttpFile(d.source.file.toStdString(), *f); !st) return QString::fromStdString(st.error().message);
  }
  d.saved = spec;
  d.current = spec;
  bar_->setTabToolTip(index, d.source.file);
  refreshMarks();
  emit saved(d.source.file);
  return {};
}

QString RequestTabs::save() { return active_ >= 0 ? saveDoc(active_) : QString(); }

bool RequestTabs::closeTab(int index) {
  if (index < 0 || index >= docs_.size()) return false;
  if (isDirty(index)) {
    switch (confirm_(docs_[index].title)) {
      case CloseChoice::kCancel: return false;
      case CloseChoice::kSave:
        if (!saveDoc(index).isEmpty()) return false;
        break;
      case CloseChoice::kDiscard: break;
    }
  }
  if (index == active_) active_ = -1;
  else if (index < active_) --active_;
  docs_.removeAt(index);
  bar_->removeTab(index);  // may call switchTo() for the neighbour
  if (docs_.isEmpty()) newTab();
  else if (active_ < 0) {
    active_ = -1;
    int next = bar_->currentIndex();
    switchTo(next < 0 ? 0 : next);
  }
  return true;
}

bool RequestTabs::closeAll() {
  for (int i = 0; i < docs_.size(); ++i) {
    if (!isDirty(i)) continue;
    auto choice = confirm_(docs_[i].title);
    if (choice == CloseChoice::kCancel) return false;
    if (choice == CloseChoice::kSave && !saveDoc(i).isEmpty()) return false;
  }
  return true;
}

}  // namespace sluice::ui

namespace sluice::ui {

void RequestTabs::markCurrentSaved() {
  if (active_ < 0) return;
  docs_[active_].saved = docs_[active_].current = panel_->spec();
  refreshMarks();
}

}  // namespace sluice::ui
