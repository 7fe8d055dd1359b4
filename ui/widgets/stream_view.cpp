#include "ui/widgets/stream_view.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include "ui/models/stream_rows_model.h"

namespace sluice::ui {

namespace {
/** Pretty JSON when text is a JSON object or array, else text as it is. */
QString prettyOrPlain(const QString& text) {
  QJsonParseError pe;
  QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &pe);
  if (pe.error == QJsonParseError::NoError && !doc.isNull()) return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
  return text;
}

QString msText(quint64 us) { return QLocale().toString(static_cast<double>(us) / 1000.0, 'f', 1); }
}  // namespace

StreamView::StreamView(QWidget* parent) : QWidget(parent), timer_(new QTimer(this)) {
  for (auto& m : models_) m = new StreamRowsModel(this);
  models_[1]->setKind(StreamKind::kLines);
  models_[2]->setKind(StreamKind::kChunks);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  count_ = new QLabel(this);
  count_->setObjectName(QStringLiteral("streamCount"));
  follow_ = new QCheckBox(tr("Follow"), this);
  follow_->setObjectName(QStringLiteral("streamFollow"));
  follow_->setToolTip(tr("Keep the newest row in view, like tail -f. Scrolling up pauses it."));
  follow_->setChecked(true);
  bar->addWidget(count_, 1);
  bar->addWidget(follow_);
  table_ = new QTreeView(this);
  table_->setObjectName(QStringLiteral("streamTable"));
  table_->setRootIsDecorated(false);
  table_->setUniformRowHeights(true);  // no per-row height measuring, whatever arrives
  table_->setAllColumnsShowFocus(true);
  table_->setModel(models_[0]);
  table_->header()->setStretchLastSection(true);
  detail_ = new QPlainTextEdit(this);
  detail_->setObjectName(QStringLiteral("streamDetail"));
  detail_->setReadOnly(true);
  detail_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  detail_->setPlaceholderText(tr("Select a row to see it whole."));
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(table_);
  split->addWidget(detail_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  lay->addLayout(bar);
  lay->addWidget(split, 1);
  timer_->setInterval(kFrameMs);
  connect(timer_, &QTimer::timeout, this, &StreamView::pull);
  connect(follow_, &QCheckBox::toggled, this, [this](bool on) {
    if (on) followNow();
  });
  // User scrolling (wheel, drag, page, arrows) pauses Follow; our own scrollToBottom does not.
  connect(table_->verticalScrollBar(), &QScrollBar::actionTriggered, this, [this] {
    QTimer::singleShot(0, this, &StreamView::onUserScroll);
  });
  setMaxRows(maxRowsSetting());
  setKind(StreamKind::kEvents);
}

int StreamView::maxRowsSetting() {
  bool ok = false;
  int n = QSettings().value(QStringLiteral("stream/maxRows"), 10000).toInt(&ok);
  return ok && n > 0 ? n : 10000;
}

void StreamView::setSource(std::shared_ptr<StreamFeed> feed, bool live) {
  feed_ = std::move(feed);
  live_ = live;
  error_.clear();
  for (auto* m : models_) m->clear();
  detail_->clear();
  showCount();
  if (feed_) timer_->start();
  else timer_->stop();
}

void StreamView::setLive(bool live) {
  live_ = live;
  if (!live && feed_ && !timer_->isActive()) pull();  // the last rows
}

void StreamView::setKind(StreamKind kind) {
  kind_ = kind;
  table_->setModel(model());
  QHeaderView* h = table_->header();
  h->setSectionResizeMode(QHeaderView::Interactive);
  int digits = fontMetrics().horizontalAdvance(QStringLiteral("9,999,999.9"));
  h->resizeSection(0, digits);
  h->resizeSection(1, digits);
  if (kind == StreamKind::kEvents) {
    h->resizeSection(2, fontMetrics().horizontalAdvance(QStringLiteral("message-type-x")));
    h->resizeSection(3, fontMetrics().horizontalAdvance(QStringLiteral("id-0000000")));
  } else {
    h->resizeSection(2, digits);
  }
  connect(table_->selectionModel(), &QItemSelectionModel::currentChanged, this, &StreamView::showDetail, Qt::UniqueConnection);
  detail_->clear();
  showCount();
  if (following()) followNow();
}

void StreamView::setMaxRows(int n) {
  for (auto* m : models_) m->setMaxRows(n);
  showCount();
}

bool StreamView::following() const { return follow_->isChecked(); }
void StreamView::setFollowing(bool on) { follow_->setChecked(on); }

void StreamView::pull() {
  if (!feed_) return timer_->stop();
  bool any = false;
  for (int k = 0; k < 3; ++k) {
    auto batch = feed_->take(static_cast<StreamKind>(k));
    if (!batch.rows.empty() || batch.total != models_[k]->total()) any = true;
    models_[k]->append(std::move(batch.rows), batch.total);
    error_ = batch.error;
  }
  if (any) {
    showCount();
    if (following()) followNow();
  }
  if (!live_) timer_->stop();
}

void StreamView::followNow() {
  autoScrolling_ = true;
  table_->scrollToBottom();
  autoScrolling_ = false;
}

void StreamView::onUserScroll() {
  QScrollBar* sb = table_->verticalScrollBar();
  if (sb->value() < sb->maximum() && following()) follow_->setChecked(false);
}

QString StreamView::countText() const {
  const StreamRowsModel* m = model();
  static const char* units[] = {"events", "records", "chunks"};
  QString unit = tr(units[static_cast<int>(kind_)]);
  QLocale loc;
  QString text = m->total() > static_cast<quint64>(m->rowCount())
                     ? tr("%1 of %2 %3 shown").arg(loc.toString(m->rowCount()), loc.toString(m->total()), unit)
                     : QStringLiteral("%1 %2").arg(loc.toString(m->total()), unit);
  if (!error_.isEmpty()) text += tr(" · stopped: %1").arg(error_);
  return text;
}

void StreamView::showCount() { count_->setText(countText()); }

void StreamView::showDetail() {
  QModelIndex cur = table_->currentIndex();
  if (!cur.isValid()) return detail_->clear();
  const StreamRow& r = model()->row(cur.row());
  QString head = tr("+%1 ms (gap %2 ms)").arg(msText(r.atUs), msText(model()->gapUs(cur.row())));
  QString text;
  if (kind_ == StreamKind::kEvents)
    text = tr("event %1 · id %2 · %3\n\n%4").arg(r.type, r.id.isEmpty() ? tr("(none)") : r.id, head, prettyOrPlain(r.data));
  else if (kind_ == StreamKind::kLines)
    text = tr("record #%1 · %2%3\n\n%4").arg(QLocale().toString(r.index), head, r.valid ? QString() : tr(" · not valid JSON"),
                                            prettyOrPlain(r.data));
  else
    text = tr("chunk #%1 · %2 bytes · %3\nextensions: %4").arg(QLocale().toString(r.index), QLocale().toString(r.size), head,
                                                               r.data.isEmpty() ? tr("(none)") : r.data);
  detail_->setPlainText(text);
}

}  // namespace sluice::ui
